"""specgen generate skips a run that would change nothing, and only that (generator/emit/manifest.py)."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

from generator.cli.quick import _plain_generate_project
from tests.support import REPO, copy_project, specgen

SKIPPED = "no input changed since the last run"
MANIFEST = ".specgen-manifest.json"


def generate(project: Path, *args: str, env: dict[str, str] | None = None) -> str:
    result = specgen("generate", "--project", str(project), *args, env=env)
    assert result.returncode == 0, result.stderr
    return result.stdout


def fresh_copy(tmp_path: Path) -> Path:
    """The example project, generated once so that its manifest describes this copy."""
    project = copy_project(tmp_path / "project")
    generate(project, "--force")
    return project


def test_a_second_run_with_nothing_changed_is_skipped(tmp_path: Path) -> None:
    project = fresh_copy(tmp_path)
    before = (project / "generated" / MANIFEST).read_bytes()
    assert SKIPPED in generate(project)
    assert (project / "generated" / MANIFEST).read_bytes() == before


def test_an_edited_contract_is_compiled_again(tmp_path: Path) -> None:
    project = fresh_copy(tmp_path)
    spec = project / "specs" / "api" / "openapi.yaml"
    spec.write_text(spec.read_text().replace("description: The created project", "description: The new project"))
    out = generate(project)
    assert SKIPPED not in out and "updated" in out
    assert "The new project" in (project / "generated" / "openapi.json").read_text()
    assert SKIPPED in generate(project)


def test_a_hand_edited_output_is_regenerated(tmp_path: Path) -> None:
    project = fresh_copy(tmp_path)
    target = project / "generated" / "routers" / "tasks.py"
    original = target.read_bytes()
    target.write_text(target.read_text() + "\n# hand edit\n")
    assert SKIPPED not in generate(project)
    assert target.read_bytes() == original


def test_an_added_or_removed_output_file_is_noticed(tmp_path: Path) -> None:
    project = fresh_copy(tmp_path)
    stray = project / "generated" / "stray.py"
    stray.write_text("x = 1\n")
    assert SKIPPED not in generate(project)
    assert not stray.exists()
    (project / "generated" / "deps.py").unlink()
    assert SKIPPED not in generate(project)
    assert (project / "generated" / "deps.py").is_file()


def test_a_new_feature_spec_is_checked_again(tmp_path: Path) -> None:
    project = fresh_copy(tmp_path)
    (project / "specs" / "feature" / "broken.yaml").write_text("scenarios: 3\n")
    result = specgen("generate", "--project", str(project))
    assert result.returncode == 1, result.stdout
    assert "specs/feature/broken.yaml" in result.stderr


def test_a_comment_only_edit_refreshes_the_manifest_so_the_next_run_skips(tmp_path: Path) -> None:
    project = fresh_copy(tmp_path)
    spec = project / "specs" / "api" / "openapi.yaml"
    spec.write_text(spec.read_text() + "# a comment\n")
    out = generate(project)
    assert SKIPPED not in out and "updated" not in out
    assert SKIPPED in generate(project)


def test_a_referenced_file_in_a_folder_of_specs_is_an_input(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    shared = project / "specs" / "shared"
    shared.mkdir()
    (project / "specs" / "api" / "common.yaml").rename(shared / "common.yaml")
    spec = project / "specs" / "api" / "openapi.yaml"
    spec.write_text(spec.read_text().replace("./common.yaml#", "../shared/common.yaml#"))
    generate(project)
    inputs = json.loads((project / "generated" / MANIFEST).read_text())["inputs"]
    assert "specs/shared/common.yaml" in inputs
    assert SKIPPED in generate(project)
    common = shared / "common.yaml"
    common.write_text(common.read_text().replace("description: Page size.", "description: Rows per page."))
    assert SKIPPED not in generate(project)
    assert "Rows per page." in (project / "generated" / "openapi.json").read_text()


def test_force_compiles_although_nothing_changed(tmp_path: Path) -> None:
    project = fresh_copy(tmp_path)
    assert re.fullmatch(r"generated/ is up to date \(\d+\.\d\ds\)\.\n", generate(project, "--force"))
    target = edit_behind_the_manifests_back(project, "routers/tasks.py")
    assert SKIPPED in generate(project)
    assert "# hand edit" in target.read_text(), "a plain run trusts the manifest"
    out = generate(project, "--force")
    assert re.fullmatch(r"generated/: 1 file\(s\) updated in \d+\.\d\ds\.\n", out), out
    assert "# hand edit" not in target.read_text()


def edit_behind_the_manifests_back(project: Path, output: str) -> Path:
    """Hand-edit an output and record its new hash, so that the manifest calls the edit up to date."""
    target = project / "generated" / output
    target.write_text(target.read_text() + "\n# hand edit\n")
    manifest = json.loads((project / "generated" / MANIFEST).read_text())
    manifest["outputs"][output] = hashlib.sha256(target.read_bytes()).hexdigest()
    (project / "generated" / MANIFEST).write_text(json.dumps(manifest))
    return target


def test_check_compiles_and_compares_even_when_the_manifest_says_up_to_date(tmp_path: Path) -> None:
    project = fresh_copy(tmp_path)
    edit_behind_the_manifests_back(project, "routers/tasks.py")
    result = specgen("generate", "--check", "--project", str(project))
    assert result.returncode == 1
    assert "generated/routers/tasks.py" in result.stderr


def test_the_manifest_is_deterministic_and_holds_no_time_or_machine_paths(tmp_path: Path) -> None:
    texts = []
    for name, seed in (("a", "0"), ("deeper/b", "123")):
        project = copy_project(tmp_path / name, ("specs",))
        generate(project, env={"PYTHONHASHSEED": seed})
        texts.append((project / "generated" / MANIFEST).read_text())
    assert texts[0] == texts[1]
    manifest = json.loads(texts[0])
    assert sorted(manifest) == ["format", "inputs", "outputs", "stages", "toolchain"]
    assert str(tmp_path) not in texts[0] and str(REPO) not in texts[0]
    assert sorted(manifest["inputs"]) == sorted(
        p.relative_to(REPO).as_posix() for p in (REPO / "specs").rglob("*") if p.is_file()
    )


def test_the_skip_path_imports_none_of_the_compiler_dependencies(tmp_path: Path) -> None:
    project = fresh_copy(tmp_path)
    heavy = ["click", "yaml", "jinja2", "datamodel_code_generator", "openapi_spec_validator", "fastapi", "pydantic"]
    code = (
        "import sys\n"
        f"sys.argv = ['specgen', 'generate', '--project', {str(project)!r}]\n"
        "from generator.cli.quick import entry\n"
        "entry()\n"
        f"print(sorted(m for m in {heavy!r} if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO)
    assert SKIPPED in result.stdout
    assert result.stdout.strip().splitlines()[-1] == "[]"


def test_other_command_lines_go_to_the_full_cli() -> None:
    assert _plain_generate_project(["generate"]) == "."
    assert _plain_generate_project(["generate", "--project", "p"]) == "p"
    assert _plain_generate_project(["generate", "--project=p"]) == "p"
    for args in (["generate", "--check"], ["generate", "--force"], ["validate"], [], ["generate", "-h"]):
        assert _plain_generate_project(args) is None


def tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file() and p.name != MANIFEST
    }


def test_models_are_taken_over_when_nothing_they_are_made_of_changed(tmp_path: Path) -> None:
    project = fresh_copy(tmp_path)
    spec = project / "specs" / "api" / "openapi.yaml"
    spec.write_text(spec.read_text().replace("description: The created project", "description: The new project"))
    out = generate(project)
    assert "models.py reused" in out and "updated" in out
    fresh = copy_project(tmp_path / "fresh", ("specs",))
    shutil.copy(spec, fresh / "specs" / "api" / "openapi.yaml")
    generate(fresh)
    assert tree(project / "generated") == tree(fresh / "generated")


def test_models_are_rendered_again_when_a_schema_changes_or_they_were_edited(tmp_path: Path) -> None:
    project = fresh_copy(tmp_path)
    models = project / "generated" / "models.py"
    models.write_text(models.read_text() + "\n# hand edit\n")
    assert "reused" not in generate(project)
    assert "# hand edit" not in models.read_text()
    spec = project / "specs" / "api" / "openapi.yaml"
    spec.write_text(spec.read_text().replace("maxLength: 100\n", "maxLength: 120\n"))
    assert "reused" not in generate(project)
    assert "max_length=120" in models.read_text()


def test_force_renders_everything(tmp_path: Path) -> None:
    project = fresh_copy(tmp_path)
    models = edit_behind_the_manifests_back(project, "models.py")
    spec = project / "specs" / "api" / "openapi.yaml"
    spec.write_text(spec.read_text() + "# a comment\n")
    # without --force the edited models.py would be taken over: nothing it is made of changed
    out = generate(project, "--force")
    assert re.fullmatch(r"generated/: 1 file\(s\) updated in \d+\.\d\ds\.\n", out), out
    assert "# hand edit" not in models.read_text(), "--force renders models.py again"


def test_without_force_an_output_the_manifest_vouches_for_is_taken_over(tmp_path: Path) -> None:
    """The counterpart of the test above: it is --force, not the comment, that renders models.py."""
    project = fresh_copy(tmp_path)
    models = edit_behind_the_manifests_back(project, "models.py")
    spec = project / "specs" / "api" / "openapi.yaml"
    spec.write_text(spec.read_text() + "# a comment\n")
    out = generate(project)
    assert "(models.py reused: its inputs did not change)" in out, out
    assert "# hand edit" in models.read_text()
