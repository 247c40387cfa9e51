"""`specgen generate` on contracts that validate: it must produce code, whatever text they hold."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.helpers import API, assert_no_traceback, replace_once, small_project
from tests.support import REPO, specgen


def test_generate_writes_generated_and_then_reports_it_up_to_date(tmp_path: Path) -> None:
    project = small_project(tmp_path / "p")
    first = specgen("generate", "--project", str(project), cwd=REPO)
    assert_no_traceback(first)
    assert first.returncode == 0, first.stderr
    assert (project / "generated" / "app.py").is_file()
    check = specgen("generate", "--check", "--project", str(project), cwd=REPO)
    assert check.returncode == 0, check.stderr
    assert "up to date" in check.stdout


def test_generate_check_reports_drift_with_exit_1_and_writes_nothing(tmp_path: Path) -> None:
    project = small_project(tmp_path / "p")
    assert specgen("generate", "--project", str(project), cwd=REPO).returncode == 0
    replace_once(project / API, "  title: Notes API\n", "  title: Memo API\n")
    before = {p: p.read_bytes() for p in (project / "generated").rglob("*") if p.is_file()}
    check = specgen("generate", "--check", "--project", str(project), cwd=REPO)
    assert check.returncode == 1
    assert "out of date" in check.stderr
    assert {p: p.read_bytes() for p in (project / "generated").rglob("*") if p.is_file()} == before


def test_generate_check_reports_a_manifest_from_another_toolchain_as_out_of_date(tmp_path: Path) -> None:
    # what a fresh clone's `make run` would otherwise rewrite, leaving `git status` dirty
    project = small_project(tmp_path / "p")
    assert specgen("generate", "--project", str(project), cwd=REPO).returncode == 0
    manifest = project / "generated" / ".specgen-manifest.json"
    record = json.loads(manifest.read_text(encoding="utf-8"))
    record["toolchain"]["datamodel-code-generator"] = "0.0.1"
    manifest.write_text(json.dumps(record), encoding="utf-8")
    check = specgen("generate", "--check", "--project", str(project), cwd=REPO)
    assert check.returncode == 1
    assert "generated/.specgen-manifest.json" in check.stderr
    assert specgen("generate", "--project", str(project), cwd=REPO).returncode == 0
    assert specgen("generate", "--check", "--project", str(project), cwd=REPO).returncode == 0


# Texts the contract may legally hold that the templates paste, unescaped, into Python string literals.
UNESCAPED_TEXTS = [
    pytest.param(
        "      operationId: getNote\n",
        "      operationId: getNote\n      summary: 'Get one \"note\"'\n",
        id="summary-ending-in-a-double-quote",
    ),
    pytest.param(
        "      operationId: getNote\n",
        "      operationId: getNote\n      summary: 'Read C:\\Notes\\N1'\n",
        id="summary-with-a-backslash-N",
    ),
    pytest.param("      operationId: getNote\n", "      operationId: 'get\"Note'\n", id="operation-id-with-a-quote"),
    pytest.param("  - url: /api\n", "  - url: '/api.v2~x'\n", id="mount-path-with-unusual-characters"),
    pytest.param(
        "      x-owner-scoped: true\n",
        "      x-owner-scoped: {claim: 'https://example.com/\"uid'}\n",
        id="owner-claim-with-a-quote",
    ),
]


@pytest.mark.parametrize(("old", "new"), UNESCAPED_TEXTS)
def test_a_contract_that_validates_also_generates(old: str, new: str, tmp_path: Path) -> None:
    project = small_project(tmp_path / "p")
    replace_once(project / API, old, new)
    validated = specgen("validate", "--project", str(project), cwd=REPO)
    assert validated.returncode == 0, validated.stderr
    generated = specgen("generate", "--project", str(project), cwd=REPO)
    assert_no_traceback(generated)
    assert generated.returncode == 0, generated.stderr
