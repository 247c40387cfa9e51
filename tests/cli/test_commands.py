"""The command line itself: exit codes 0 (ok), 1 (contract errors), 2 (usage errors)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.helpers import assert_no_traceback
from tests.support import REPO, specgen


def test_validate_on_the_example_repo_exits_0() -> None:
    result = specgen("validate", cwd=REPO)
    assert_no_traceback(result)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "Contracts are valid."
    assert result.stderr == ""


def test_validate_json_on_the_example_repo_prints_an_empty_list() -> None:
    result = specgen("validate", "--format", "json", cwd=REPO)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
    assert json.loads(result.stdout) == []


def test_validate_with_project_option_on_the_example_repo_exits_0(tmp_path: Path) -> None:
    result = specgen("validate", "--project", str(REPO), cwd=tmp_path)
    assert result.returncode == 0, result.stderr


def test_unknown_command_is_a_usage_error_exit_2() -> None:
    result = specgen("frobnicate", cwd=REPO)
    assert result.returncode == 2
    assert "No such command" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("command", ["validate", "generate", "serve", "token"])
def test_unknown_option_is_a_usage_error_exit_2(command: str) -> None:
    result = specgen(command, "--no-such-option", cwd=REPO)
    assert result.returncode == 2
    assert "No such option" in result.stderr
    assert "Traceback" not in result.stderr


def test_unknown_output_format_is_a_usage_error_exit_2() -> None:
    result = specgen("validate", "--format", "xml", cwd=REPO)
    assert result.returncode == 2
    assert "--format" in result.stderr


def test_project_that_is_a_file_is_a_usage_error_exit_2(tmp_path: Path) -> None:
    a_file = tmp_path / "openapi.yaml"
    a_file.write_text("openapi: 3.1.0\n")
    result = specgen("validate", "--project", str(a_file), cwd=REPO)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr


def test_help_lists_the_commands_and_exits_0() -> None:
    result = specgen("--help", cwd=REPO)
    assert result.returncode == 0
    for command in ("validate", "generate", "serve", "token"):
        assert command in result.stdout


def test_validate_on_a_nonexistent_project_exits_1_with_a_message_and_no_traceback() -> None:
    result = specgen("validate", "--project", "/nonexistent", cwd=REPO)
    assert_no_traceback(result)
    assert result.returncode == 1
    assert "error[project-missing]" in result.stderr
    assert "project directory does not exist" in result.stderr


def test_generate_on_a_nonexistent_project_exits_1_and_creates_nothing(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    result = specgen("generate", "--project", str(missing), cwd=REPO)
    assert_no_traceback(result)
    assert result.returncode == 1
    assert not missing.exists()


def test_validate_on_a_nonexistent_project_names_the_missing_directory() -> None:
    result = specgen("validate", "--project", "/nonexistent", cwd=REPO)
    assert result.returncode == 1
    assert "/nonexistent" in result.stderr
