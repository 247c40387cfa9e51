"""The compiler pipeline: load -> validate -> IR -> render -> emit -> boot check -> swap.

openapi-spec-validator is the slow half of validation and datamodel-code-generator the slow
half of rendering, and neither needs the other. Once the house rules pass, the validator starts
in a second process (background.py) while this one builds the IR; then the models are rendered
in processes of their own (model_parts.py) while the rest waits for the validator. If the
validator finds anything, the rendering is thrown away and the diagnostics are reported as before.

The rendered tree is formatted in a temporary directory; before it replaces generated/, boot.py
imports it and builds the app in another process. An app that does not start is an
`app-does-not-start` diagnostic and generated/ is left as it was: `generate` exiting 0 means the
app starts.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from generator.base.background import Background, Done, Job
from generator.base.diagnostics import Diagnostic
from generator.emit import manifest
from generator.emit.boot import BootJob, contract_locator
from generator.emit.write import build_in_temp, replace_file, swap_in, tree_differences
from generator.ir.build import build
from generator.ir.types import Project
from generator.load.contract import Contract, load_contract
from generator.load.loader import SourceFile, load_yaml
from generator.validate.api_rules import house_rules
from generator.validate.features import load_features
from generator.validate.spec_check import spec_diagnostics

GENERATED_DIR = "generated"


@dataclass
class Result:
    diagnostics: list[Diagnostic] = field(default_factory=list)
    project: Project | None = None
    changed: list[str] = field(default_factory=list)
    contract: Contract | None = None
    reused: list[str] = field(default_factory=list)  # outputs taken over from the last run

    @property
    def ok(self) -> bool:
        return not any(d.severity == "error" for d in self.diagnostics)


def _locate_all(contract: Contract | None, diags: list[Diagnostic]) -> list[Diagnostic]:
    if contract is None:
        return [d if d.line is not None else d.located(lambda f, p: (1, 1)) for d in diags]
    wanted: dict[str, list[str]] = {}
    for d in diags:
        if d.line is None:
            wanted.setdefault(d.file, []).append(d.pointer)
    for file, pointers in wanted.items():  # one pass over each file, however many diagnostics it has
        source = contract.source(file)
        if source is not None:
            source.prefetch(pointers)
    return [d.located(contract.locate) for d in diags]


def check_contracts(project_dir: Path) -> tuple[Contract | None, Result]:
    """Load and validate; on a valid contract, the IR too."""
    contract, result, _ = _check(project_dir)
    return contract, result


def _check(
    project_dir: Path, speculate: Callable[[Project], Job[str]] | None = None
) -> tuple[Contract | None, Result, Job[str] | None]:
    """check_contracts, with room for the render to start early.

    The spec validator runs in a second process from the moment the contract is loaded, while
    this one builds the IR. `speculate(project)`, when given, starts a job (processes of its own)
    as soon as the IR exists; the job is returned when the contract is valid and cancelled otherwise.
    """
    if not project_dir.is_dir():
        missing = Diagnostic(
            str(project_dir), "", "project-missing", "the project directory does not exist", line=1, col=1
        )
        return None, Result(diagnostics=[missing]), None
    contract, diags = load_contract(project_dir)
    if contract is None:
        return None, Result(diagnostics=_locate_all(None, diags)), None
    if diags:  # the bundler reports every $ref it could not follow; with one, the spec validator cannot run
        return contract, _failed(contract, diags + house_rules(contract)), None
    rules = house_rules(contract)
    if rules:
        return contract, _failed(contract, spec_diagnostics(contract) + rules), None

    job: Job[str] | None = None
    spec_job = Background(spec_diagnostics, contract)  # on the other core while this one builds
    project, more = _build_or_none(contract)
    if project is not None and speculate is not None:
        job = speculate(project)
    spec = spec_job.result()
    if spec:
        if job is not None:
            job.cancel()
        return contract, _failed(contract, spec), None
    if project is None:  # the contract is valid, so building it must work: show the real error
        project, more = build(contract)

    result = Result(project=project, contract=contract)
    # feature specs are checked against the contract as served (derived request bodies included)
    _, feature_diags = load_features(project_dir, project.served_contract)
    result.diagnostics += _locate_all(contract, more) + [
        d.located(_feature_locator(project_dir)) for d in feature_diags
    ]
    if not result.ok and job is not None:
        job.cancel()
        job = None
    return contract, result, job


def _failed(contract: Contract, diags: list[Diagnostic]) -> Result:
    return Result(diagnostics=_locate_all(contract, diags), contract=contract)


def _build_or_none(contract: Contract) -> tuple[Project | None, list[Diagnostic]]:
    """Build before the spec validator has spoken: a contract it will refuse may not build at all."""
    try:
        return build(contract)
    except Exception:  # noqa: BLE001 - rebuilt (and raised) below once the contract is known to be valid
        return None, []


def _feature_locator(project_dir: Path) -> Callable[[str, str], tuple[int, int]]:
    cache: dict[str, SourceFile | None] = {}

    def locate(file: str, pointer: str) -> tuple[int, int]:
        if file not in cache:
            cache[file], _ = load_yaml(project_dir / file, file)
        source = cache[file]
        return source.locate(pointer) if source else (1, 1)

    return locate


def generate(project_dir: Path, check: bool = False, reuse: bool = True) -> Result:
    """Compile into generated/ (with `check`, only compare). `reuse` lets outputs whose inputs did not
    change since the last run be taken over; --check and --force never do. Without `check`, the new
    tree replaces generated/ only when its app starts (emit/boot.py)."""
    # the boot check's process starts now and imports FastAPI and the runtime while the contract loads
    booting = None if check or not project_dir.is_dir() else BootJob(project_dir)
    try:
        return _generate(project_dir, check, reuse, booting)
    finally:
        if booting is not None:
            booting.cancel()


def _generate(project_dir: Path, check: bool, reuse: bool, booting: BootJob | None) -> Result:
    from generator.render.tree import ModelsJob, models_key, render_tree

    target = project_dir / GENERATED_DIR
    inputs = manifest.input_hashes(project_dir)  # before reading: an edit made during the run forces the next one
    previous = manifest.read(target) if reuse and not check else None
    stages: dict[str, str] = {}
    reused: list[str] = []

    def start_models(project: Project) -> Job[str]:
        """models.py is the slow output: taken over from the last run when nothing it is made of changed."""
        key = models_key(project)
        if key is not None:
            stages["models.py"] = key
        text = manifest.reusable(previous, target, "models.py", key)
        if text is not None:
            reused.append("models.py")
            return Done(text)
        return ModelsJob(project)

    _, result, models_job = _check(project_dir, speculate=start_models)
    if result.project is None or not result.ok:
        return result
    assert models_job is not None and result.contract is not None
    result.reused = reused
    files = render_tree(result.project, models=models_job.result)
    tmp = build_in_temp(files, project_dir)
    try:
        if booting is not None:
            booting.start(tmp)  # it boots the tree while this process compares it with generated/
        result.changed = tree_differences(tmp, target)
        record = manifest.record(inputs, tmp, stages)
        if check:
            # a manifest from another toolchain is stale too: the next `generate` would rewrite it
            if manifest.read(target) != json.loads(record):
                result.changed.append(manifest.MANIFEST)
            return result
        assert booting is not None  # only --check goes without the boot check
        failed = booting.diagnostics(contract_locator(result.project, result.contract))
        if failed:  # exit 0 means the app starts: generated/ stays as it was
            result.diagnostics += _locate_all(result.contract, failed)
            return result
        (tmp / manifest.MANIFEST).write_text(record, encoding="utf-8", newline="\n")
        if result.changed:
            swap_in(tmp, target)
        else:
            replace_file(tmp / manifest.MANIFEST, target / manifest.MANIFEST)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return result
