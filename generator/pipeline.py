"""The compiler pipeline: load -> validate -> IR -> render -> emit."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .build import build
from .contract import Contract, load_contract
from .diagnostics import Diagnostic
from .emit import build_in_temp, swap_in, tree_differences
from .features import load_features
from .ir import Project
from .loader import SourceFile, load_yaml
from .render import render_tree
from .validate import validate

GENERATED_DIR = "generated"


@dataclass
class Result:
    diagnostics: list[Diagnostic] = field(default_factory=list)
    project: Project | None = None
    changed: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(d.severity == "error" for d in self.diagnostics)


def _locate_all(contract: Contract | None, diags: list[Diagnostic]) -> list[Diagnostic]:
    if contract is None:
        return [d if d.line is not None else d.located(lambda f, p: (1, 1)) for d in diags]
    return [d.located(contract.locate) for d in diags]


def check_contracts(project_dir: Path) -> tuple[Contract | None, Result]:
    if not project_dir.is_dir():
        missing = Diagnostic(
            str(project_dir), "", "project-missing", "the project directory does not exist", line=1, col=1
        )
        return None, Result(diagnostics=[missing])
    contract, diags = load_contract(project_dir)
    if contract is not None:
        # the bundler reports every $ref it could not follow; with one, the spec validator cannot run
        diags += validate(contract, spec_validator=not diags)
    result = Result(diagnostics=_locate_all(contract, diags))
    if contract is None or not result.ok:
        return contract, result
    project, more = build(contract)
    result.project = project
    # feature specs are checked against the contract as served (derived request bodies included)
    _, feature_diags = load_features(project_dir, project.served_contract)
    result.diagnostics += _locate_all(contract, more) + [
        d.located(_feature_locator(project_dir)) for d in feature_diags
    ]
    return contract, result


def _feature_locator(project_dir: Path) -> Callable[[str, str], tuple[int, int]]:
    cache: dict[str, SourceFile | None] = {}

    def locate(file: str, pointer: str) -> tuple[int, int]:
        if file not in cache:
            cache[file], _ = load_yaml(project_dir / file, file)
        source = cache[file]
        return source.locate(pointer) if source else (1, 1)

    return locate


def compile_project(project_dir: Path) -> Result:
    return check_contracts(project_dir)[1]


def generate(project_dir: Path, check: bool = False) -> Result:
    result = compile_project(project_dir)
    if result.project is None or not result.ok:
        return result
    files = render_tree(result.project)
    tmp = build_in_temp(files, project_dir)
    target = project_dir / GENERATED_DIR
    try:
        result.changed = tree_differences(tmp, target)
        if check or not result.changed:
            return result
        swap_in(tmp, target)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return result
