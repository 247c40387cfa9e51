"""The boot check (issue 12): `specgen generate` exits 0 only when the new tree starts; an app that does
not start is a located `app-does-not-start` diagnostic and generated/ stays byte for byte as it was."""

from __future__ import annotations

import shutil
from pathlib import Path

from generator.emit.boot import RULE, BootJob, contract_locator
from generator.pipeline import check_contracts
from tests.support import copy_project, specgen
from tests.test_generate import tree_digest


def generated_project(tmp_path: Path) -> Path:
    """A copy of the example with its generated/ freshly made (so booting it is known to work)."""
    project = copy_project(tmp_path / "project", ("specs", "custom"))
    result = specgen("generate", "--project", str(project))
    assert result.returncode == 0, result.stderr
    return project


def test_a_good_contract_generates_and_exits_0(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project", ("specs", "custom"))
    result = specgen("generate", "--project", str(project))
    assert result.returncode == 0, result.stderr
    assert RULE not in result.stderr
    assert (project / "generated" / "app.py").is_file()


def test_an_override_that_raises_at_import_fails_generate_and_leaves_generated_byte_identical(
    tmp_path: Path,
) -> None:
    project = generated_project(tmp_path)
    before = tree_digest(project / "generated")
    tasks = project / "custom" / "tasks.py"
    tasks.write_text(tasks.read_text() + '\nraise RuntimeError("broken at import")\n')
    broken_line = len(tasks.read_text().splitlines())
    # a contract change too, so that the new tree differs from generated/ and a swap would show
    spec = project / "specs" / "api" / "openapi.yaml"
    spec.write_text(spec.read_text().replace("title: ", "title: Renamed ", 1))

    result = specgen("generate", "--project", str(project))

    assert result.returncode == 1
    assert f"custom/tasks.py:{broken_line}:1: error[{RULE}]:" in result.stderr
    assert "RuntimeError: broken at import" in result.stderr
    assert "generated/ left unchanged" in result.stderr
    assert tree_digest(project / "generated") == before
    assert not list(project.glob(".generated.*")), "the temporary tree is removed"
    # the run was refused, so the next one is not skipped as up to date
    again = specgen("generate", "--project", str(project))
    assert again.returncode == 1 and RULE in again.stderr


def test_an_override_that_no_longer_matches_the_contract_fails_generate(tmp_path: Path) -> None:
    project = generated_project(tmp_path)
    before = tree_digest(project / "generated")
    tasks = project / "custom" / "tasks.py"
    tasks.write_text(tasks.read_text().replace("*, task_id: int)", "*, id: int)"))

    result = specgen("generate", "--project", str(project))

    assert result.returncode == 1
    assert f"custom/__init__.py:1:1: error[{RULE}]:" in result.stderr
    assert "completeTask" in result.stderr
    assert tree_digest(project / "generated") == before


def test_editing_custom_alone_is_not_skipped_as_up_to_date(tmp_path: Path) -> None:
    project = generated_project(tmp_path)
    tasks = project / "custom" / "tasks.py"
    tasks.write_text(tasks.read_text() + "\n# an edit\n")
    result = specgen("generate", "--project", str(project))
    assert result.returncode == 0, result.stderr
    assert "no input changed" not in result.stdout


def _boot_broken_tree(project: Path, rel: str, old: str, new: str) -> list:  # type: ignore[type-arg]
    """Boot a copy of generated/ with one edit, as the pipeline would before a swap."""
    tree = project / ".generated.test"
    shutil.copytree(project / "generated", tree, ignore=shutil.ignore_patterns("__pycache__"))
    path = tree / rel
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    contract, result = check_contracts(project)
    assert result.project is not None and contract is not None
    job = BootJob(project)
    job.start(tree)
    diags = job.diagnostics(contract_locator(result.project, contract))
    shutil.rmtree(tree)
    return [d.located(contract.locate) for d in diags]


def test_a_route_that_fails_to_build_is_located_at_its_operation_in_the_contract(tmp_path: Path) -> None:
    project = generated_project(tmp_path)
    (diag,) = _boot_broken_tree(
        project, "routers/tasks.py", 'operation_id="createTask",', 'operation_id="createTask", no_such_option=1,'
    )
    assert diag.rule == RULE
    assert diag.file == "specs/api/openapi.yaml"
    assert diag.pointer == "/paths/~1tasks/post"
    spec_lines = (project / "specs" / "api" / "openapi.yaml").read_text().splitlines()
    assert diag.line is not None and spec_lines[diag.line - 1].strip() == "post:"
    assert "operationId: createTask" in "\n".join(spec_lines[diag.line : diag.line + 3])
    assert "generated/routers/tasks.py:" in diag.message and "TypeError" in diag.message


def test_a_model_that_fails_at_import_is_located_at_its_schema(tmp_path: Path) -> None:
    project = generated_project(tmp_path)
    (diag,) = _boot_broken_tree(project, "models.py", "class TaskPublic(", "class TaskPublic(NoSuchBase, ")
    assert diag.rule == RULE
    # TaskPublic is derived from the Task resource's schema
    assert (diag.file, diag.pointer) == ("specs/api/openapi.yaml", "/components/schemas/Task")
    spec_lines = (project / "specs" / "api" / "openapi.yaml").read_text().splitlines()
    assert diag.line is not None and spec_lines[diag.line - 1].strip() == "Task:"
    assert "generated/models.py:" in diag.message and "NameError" in diag.message


def test_a_failure_outside_any_operation_or_schema_names_the_generated_file_and_line(tmp_path: Path) -> None:
    project = generated_project(tmp_path)
    (diag,) = _boot_broken_tree(
        project, "deps.py", "from fastapi import", "import no_such_module_anywhere\nfrom fastapi import"
    )
    assert diag.rule == RULE
    assert diag.file == "generated/deps.py"
    lines = (project / "generated" / "deps.py").read_text().splitlines()
    assert diag.line is not None and 1 < diag.line <= len(lines) + 1
    assert "ModuleNotFoundError" in diag.message and "no_such_module_anywhere" in diag.message
