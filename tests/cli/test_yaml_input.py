"""Contracts that are not good YAML: each is one located diagnostic and exit 1, never a traceback."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from generator.load.loader import load_yaml
from tests.cli.helpers import API, COMMON, line_of, replace_once, small_project, validate_json


def only_diagnostic(project: Path) -> dict[str, Any]:
    result, diags = validate_json(project)
    assert result.returncode == 1, result.stdout + result.stderr
    assert len(diags) == 1, diags
    return diags[0]


def test_contract_that_is_not_utf8_is_a_located_yaml_syntax_error(tmp_path: Path) -> None:
    project = small_project(tmp_path / "p")
    path = project / API
    path.write_bytes(path.read_bytes().replace(b"title: Notes API", b"title: Notes API caf\xe9"))
    diag = only_diagnostic(project)
    assert (diag["file"], diag["rule"]) == (API, "yaml-syntax")
    assert "UTF-8" in str(diag["message"])
    assert isinstance(diag["line"], int) and isinstance(diag["column"], int)


def test_contract_that_is_not_utf8_is_reported_at_the_line_of_the_bad_byte(tmp_path: Path) -> None:
    project = small_project(tmp_path / "p")
    path = project / API
    path.write_bytes(path.read_bytes().replace(b"title: Notes API", b"title: Notes API caf\xe9"))
    diag = only_diagnostic(project)
    assert diag["line"] == line_of(path, "title: Notes API")


def test_empty_contract_file_is_reported_and_exits_1(tmp_path: Path) -> None:
    project = small_project(tmp_path / "p")
    (project / API).write_text("")
    diag = only_diagnostic(project)
    assert (diag["file"], diag["line"], diag["rule"]) == (API, 1, "openapi-invalid")


def test_contract_that_is_a_yaml_list_is_reported_and_exits_1(tmp_path: Path) -> None:
    project = small_project(tmp_path / "p")
    (project / API).write_text("- openapi: 3.1.0\n- info: {title: Notes API, version: 1.0.0}\n")
    diag = only_diagnostic(project)
    assert (diag["file"], diag["line"], diag["rule"]) == (API, 1, "openapi-invalid")
    assert "mapping" in str(diag["message"])


def test_duplicate_yaml_key_is_reported_at_the_second_key(tmp_path: Path) -> None:
    project = small_project(tmp_path / "p")
    path = project / API
    replace_once(path, "      operationId: getNote\n", "      operationId: getNote\n      operationId: fetchNote\n")
    diag = only_diagnostic(project)
    assert (diag["file"], diag["line"], diag["rule"]) == (API, line_of(path, "operationId: fetchNote"), "yaml-syntax")
    assert "duplicate key" in str(diag["message"])


def test_duplicate_yaml_key_in_the_database_spec_is_reported_at_the_second_key(tmp_path: Path) -> None:
    project = small_project(tmp_path / "p")
    path = project / "specs/database/tables.yaml"
    replace_once(path, "    table: notes\n", "    table: notes\n    table: memos\n")
    diag = only_diagnostic(project)
    assert (diag["file"], diag["line"], diag["rule"]) == (
        "specs/database/tables.yaml",
        line_of(path, "table: memos"),
        "yaml-syntax",
    )


def test_empty_database_spec_is_reported_as_database_invalid(tmp_path: Path) -> None:
    project = small_project(tmp_path / "p")
    (project / "specs/database/tables.yaml").write_text("")
    diag = only_diagnostic(project)
    assert (diag["file"], diag["rule"]) == ("specs/database/tables.yaml", "database-invalid")


def test_very_deeply_nested_flow_structure_is_reported_at_its_line(tmp_path: Path) -> None:
    project = small_project(tmp_path / "p")
    path = project / API
    with path.open("a", encoding="utf-8") as out:
        out.write("x-deep: " + "[" * 5000 + "]" * 5000 + "\n")
    diag = only_diagnostic(project)
    assert (diag["file"], diag["line"], diag["rule"]) == (API, line_of(path, "x-deep:"), "yaml-syntax")


def deep_block_mapping(depth: int) -> str:
    return "x-deep:\n" + "".join(" " * (i + 1) + "k:\n" for i in range(depth - 1)) + " " * depth + "k: 1\n"


def test_deeply_nested_block_structure_exits_1_without_traceback(tmp_path: Path) -> None:
    project = small_project(tmp_path / "p")
    with (project / API).open("a", encoding="utf-8") as out:
        out.write(deep_block_mapping(500))
    diag = only_diagnostic(project)
    assert (diag["file"], diag["rule"]) == (API, "yaml-syntax")


def test_deeply_nested_block_structure_is_reported_at_its_line(tmp_path: Path) -> None:
    project = small_project(tmp_path / "p")
    path = project / API
    with path.open("a", encoding="utf-8") as out:
        out.write(deep_block_mapping(500))
    diag = only_diagnostic(project)
    assert diag["line"] >= line_of(path, "x-deep:")


def test_mapping_with_a_sequence_as_key_is_a_located_yaml_error(tmp_path: Path) -> None:
    project = small_project(tmp_path / "p")
    path = project / API
    with path.open("a", encoding="utf-8") as out:
        out.write("x-pairs:\n  ? [a, b]\n  : c\n")
    diag = only_diagnostic(project)
    assert (diag["file"], diag["line"], diag["rule"]) == (API, line_of(path, "? [a, b]"), "yaml-syntax")


def test_yaml_merge_keys_are_accepted(tmp_path: Path) -> None:
    project = small_project(tmp_path / "p")
    path = project / COMMON
    replace_once(path, "    Unauthorized:\n", "    Unauthorized: &response\n")
    replace_once(path, "    NotFound:\n", "    NotFound:\n      <<: *response\n")
    result, diags = validate_json(project)
    assert result.returncode == 0, diags
    assert diags == []


@pytest.mark.parametrize("merge", ["", "base: &b {a: 1}\nmerged: {<<: *b}\n"], ids=["fast path", "PyYAML path"])
def test_yaml_keys_are_strings_and_only_true_and_false_are_booleans(tmp_path: Path, merge: str) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(merge + "on: {enum: [NO, yes, off, true]}\n200: {description: ok}\n1.5: x\n", encoding="utf-8")
    source, diags = load_yaml(path, "c.yaml")
    assert source is not None and not diags
    data = {k: v for k, v in source.data.items() if k not in ("base", "merged")}
    assert data == {"on": {"enum": ["NO", "yes", "off", True]}, "200": {"description": "ok"}, "1.5": "x"}


def test_unquoted_status_codes_and_a_property_named_on_validate(tmp_path: Path) -> None:
    project = small_project(tmp_path / "p")
    path = project / API
    path.write_text(path.read_text(encoding="utf-8").replace('"200":', "200:").replace('"201":', "201:"))
    replace_once(path, "        text:\n", "        on:\n          type: boolean\n        text:\n")
    result, diags = validate_json(project)
    assert result.returncode == 0, diags
