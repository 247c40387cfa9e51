"""The compiler pipeline: load -> validate -> IR -> render -> emit."""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

from .build import build
from .contract import Contract, load_contract
from .diagnostics import Diagnostic
from .emit import build_in_temp, swap_in, tree_differences
from .ir import Project
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
    if contract is not None and not diags:
        diags = validate(contract)
    elif contract is not None:
        diags += [d for d in validate(contract) if d.rule not in ("openapi-schema",)]
    return contract, Result(diagnostics=_locate_all(contract, diags))


def compile_project(project_dir: Path) -> Result:
    contract, result = check_contracts(project_dir)
    if contract is None or not result.ok:
        return result
    project, diags = build(contract)
    result.diagnostics += _locate_all(contract, diags)
    result.project = project
    return result


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
