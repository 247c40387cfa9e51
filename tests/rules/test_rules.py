"""One failing fixture per validation rule, checked through the real CLI.

Every directory under fixtures/ but _valid is a patch on the tiny project fixtures/_valid:
changes.diff (a unified diff, a few lines) makes it trip one rule, and expected.json lists the
diagnostics ({file, line, rule}; the message is free) that must all be reported, each at the line
where the problem is. A change to _valid touches only the fixtures whose hunks it overlaps.
Directories starting with `_` are not rule fixtures (_valid is the base, _three-problems breaks
three rules at once). To write one: copy _valid, break it, and keep
`diff -ruN -x expected.json _valid <name>` (headers as `--- a/<path>` / `+++ b/<path>`).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from generator.base.rules import RULES as REGISTRY
from tests.support import REPO, specgen

FIXTURES = Path(__file__).parent / "fixtures"
VALID = FIXTURES / "_valid"

# Every rule a fixture project trips: the registry's, less those it says another test trips.
RULES = {r.id for r in REGISTRY.values() if r.tested_by is None}
# `file-name-unprintable` needs a file whose name holds a newline, which a checkout cannot always hold:
# tests/security/test_hostile_contracts.py makes one in a temporary directory.

# Fixtures that expose a bug in generator/: the contract is wrong but specgen does not say so.
KNOWN_BUGS: dict[str, str] = {}  # fixture name -> reason, for a rule bug not fixed yet (strict xfail)


def rule_fixture_names() -> list[str]:
    return sorted(p.name for p in FIXTURES.iterdir() if p.is_dir() and not p.name.startswith("_"))


def rule_fixture_params() -> list[Any]:
    params = []
    for name in rule_fixture_names():
        marks = [pytest.mark.xfail(strict=True, reason=KNOWN_BUGS[name])] if name in KNOWN_BUGS else []
        params.append(pytest.param(name, id=name, marks=marks))
    return params


def expected_of(name: str) -> list[dict[str, Any]]:
    return list(json.loads((FIXTURES / name / "expected.json").read_text(encoding="utf-8")))


def copy_fixture(name: str, tmp_path: Path) -> Path:
    """The fixture's project in tmp_path: _valid with the fixture's changes.diff applied."""
    dest = tmp_path / name
    shutil.copytree(VALID, dest, ignore=shutil.ignore_patterns("__pycache__"))
    if name != "_valid":
        changes = (FIXTURES / name / "changes.diff").read_bytes()
        applied = subprocess.run(
            ["patch", "-p1", "-E", "-s", "--no-backup-if-mismatch", "-d", str(dest)],
            input=changes,
            capture_output=True,
            check=False,
        )
        assert applied.returncode == 0, f"{name}/changes.diff no longer applies to _valid: {applied.stdout!r}"
    return dest


def validate(project: Path, fmt: str = "json") -> subprocess.CompletedProcess[str]:
    return specgen("validate", "--project", str(project), "--format", fmt, cwd=REPO)


def assert_no_traceback(result: subprocess.CompletedProcess[str]) -> None:
    output = result.stdout + result.stderr
    assert "Traceback" not in output, output
    assert "internal error" not in output, output


def reported(result: subprocess.CompletedProcess[str]) -> list[dict[str, Any]]:
    diags = json.loads(result.stdout)
    assert isinstance(diags, list), result.stdout
    return diags


def tree_bytes(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


# --- the base ---------------------------------------------------------------------------------


def test_valid_fixture_validates_with_exit_0(tmp_path: Path) -> None:
    result = validate(copy_fixture("_valid", tmp_path), fmt="text")
    assert_no_traceback(result)
    assert result.returncode == 0, result.stderr
    assert "Contracts are valid." in result.stdout


def test_valid_fixture_reports_an_empty_json_list(tmp_path: Path) -> None:
    result = validate(copy_fixture("_valid", tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert reported(result) == []


def test_valid_fixture_generates_a_backend(tmp_path: Path) -> None:
    project = copy_fixture("_valid", tmp_path)
    result = specgen("generate", "--project", str(project), cwd=REPO)
    assert_no_traceback(result)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (project / "generated" / "app.py").is_file()


# --- one fixture per rule ---------------------------------------------------------------------


def test_rule_fixtures_cover_every_rule() -> None:
    covered = {d["rule"] for name in rule_fixture_names() for d in expected_of(name)}
    assert RULES <= covered, f"rules without a fixture: {sorted(RULES - covered)}"


@pytest.mark.parametrize("name", rule_fixture_names())
def test_rule_fixture_is_a_small_patch_on_valid_with_expectations(name: str, tmp_path: Path) -> None:
    expected = expected_of(name)
    assert expected, "expected.json lists at least one diagnostic"
    for item in expected:
        assert set(item) == {"file", "line", "rule"}, item
        assert isinstance(item["line"], int) and item["line"] >= 1, item
    assert sorted(p.name for p in (FIXTURES / name).iterdir()) == ["changes.diff", "expected.json"]
    fixture = copy_fixture(name, tmp_path)
    assert (fixture / "specs" / "database" / "tables.yaml").is_file()
    if name not in ("contract-missing", "contract-ambiguous"):  # these two are about the root file itself
        assert (fixture / "specs" / "api" / "openapi.yaml").is_file()


@pytest.mark.parametrize("name", rule_fixture_params())
def test_broken_fixture_is_reported_at_the_offending_line(name: str, tmp_path: Path) -> None:
    result = validate(copy_fixture(name, tmp_path))
    assert_no_traceback(result)
    assert result.returncode == 1, result.stdout + result.stderr
    diags = reported(result)
    got = {(d["file"], d["line"], d["rule"]) for d in diags}
    for item in expected_of(name):
        want = (item["file"], item["line"], item["rule"])
        assert want in got, f"{want} not reported; got {sorted(got)}"
    expected_rules = {item["rule"] for item in expected_of(name)}
    unexpected = sorted({d["rule"] for d in diags} - expected_rules)
    assert not unexpected, f"the fixture trips other rules too: {unexpected}\n{json.dumps(diags, indent=2)}"
    for d in diags:
        assert d["severity"] == "error" and d["message"].strip(), d


def test_duplicate_operation_id_is_reported_at_its_line_in_text_format(tmp_path: Path) -> None:
    result = validate(copy_fixture("operation-id-duplicate", tmp_path), fmt="text")
    assert_no_traceback(result)
    assert result.returncode == 1
    pattern = re.compile(r"^specs/api/openapi\.yaml:(\d+):(\d+): error\[operation-id-duplicate\]: ", re.MULTILINE)
    match = pattern.search(result.stderr)
    assert match, result.stderr
    assert int(match.group(1)) == 47  # the second `operationId: listNotes`
    assert "1 problem(s) found." in result.stderr


def test_syntax_error_in_a_referenced_file_is_reported_once_though_referenced_twice(tmp_path: Path) -> None:
    result = validate(copy_fixture("yaml-syntax--referenced-file", tmp_path))
    assert result.returncode == 1
    syntax = [d for d in reported(result) if d["rule"] == "yaml-syntax"]
    assert len(syntax) == 1, json.dumps(syntax, indent=2)


# --- many problems, one run -------------------------------------------------------------------


def test_several_problems_in_one_contract_are_all_reported_in_one_run(tmp_path: Path) -> None:
    result = validate(copy_fixture("_three-problems", tmp_path))
    assert_no_traceback(result)
    assert result.returncode == 1
    got = sorted((d["file"], d["line"], d["rule"]) for d in reported(result))
    want = sorted((d["file"], d["line"], d["rule"]) for d in expected_of("_three-problems"))
    assert got == want


def test_several_problems_are_counted_in_text_format(tmp_path: Path) -> None:
    result = validate(copy_fixture("_three-problems", tmp_path), fmt="text")
    assert result.returncode == 1
    assert len(re.findall(r"^\S+:\d+:\d+: error\[[a-z-]+\]: ", result.stderr, re.MULTILINE)) == 3, result.stderr
    assert "3 problem(s) found." in result.stderr


# --- generate refuses a broken contract -------------------------------------------------------

BROKEN_FOR_GENERATE = ["yaml-syntax", "operation-id-duplicate", "database-unknown-field", "contract-missing"]


@pytest.mark.parametrize("name", BROKEN_FOR_GENERATE)
def test_generate_on_a_broken_contract_exits_1_and_leaves_generated_byte_identical(name: str, tmp_path: Path) -> None:
    project = copy_fixture(name, tmp_path)
    sentinel = project / "generated"
    (sentinel / "routers").mkdir(parents=True)
    (sentinel / "app.py").write_bytes(b"# sentinel: generate must not touch this\n")
    (sentinel / "routers" / "notes.py").write_bytes(b"SENTINEL = 1\n")
    before = tree_bytes(sentinel)
    result = specgen("generate", "--project", str(project), cwd=REPO)
    assert_no_traceback(result)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "generated/ left unchanged" in result.stderr
    assert tree_bytes(sentinel) == before
    assert {p.name for p in project.iterdir()} == {"specs", "generated"}, "no stray build directory is left"


@pytest.mark.parametrize("name", BROKEN_FOR_GENERATE)
def test_generate_on_a_broken_contract_creates_no_generated_dir(name: str, tmp_path: Path) -> None:
    project = copy_fixture(name, tmp_path)
    result = specgen("generate", "--project", str(project), cwd=REPO)
    assert_no_traceback(result)
    assert result.returncode == 1, result.stdout + result.stderr
    assert not (project / "generated").exists()


def test_generate_check_on_a_broken_contract_exits_1(tmp_path: Path) -> None:
    project = copy_fixture("operation-id-duplicate", tmp_path)
    result = specgen("generate", "--check", "--project", str(project), cwd=REPO)
    assert_no_traceback(result)
    assert result.returncode == 1
    assert "error[operation-id-duplicate]" in result.stderr
    assert not (project / "generated").exists()
