"""A contract is untrusted input: each finding of a contract written by an attacker, refused with a
location or compiled into a tree that boots and runs none of it (issue: hostile contracts)."""

from __future__ import annotations

import ast
import os
from pathlib import Path

import pytest

from generator.render.tree import header
from tests.cli.helpers import API, line_of, replace_once, small_project, validate_json
from tests.support import REPO, new_user, run_server, specgen

TABLES = "specs/database/tables.yaml"
LIST_RESPONSE = (
    '            type: integer\n      responses:\n        "200":\n          description: The caller\'s notes'
)
NOTE_TEXT = "        text:\n          type: string\n"


def errors(project: Path) -> list[tuple[str, int, str]]:
    result, diags = validate_json(project)
    assert result.returncode == 1, result.stdout + result.stderr
    return [(d["file"], d["line"], d["rule"]) for d in diags]


def generate_ok(project: Path) -> None:
    result = specgen("generate", "--project", str(project))
    assert result.returncode == 0, result.stdout + result.stderr


def edit(project: Path, old: str, new: str, file: str = API) -> None:
    replace_once(project / file, old, new)


# --- code execution through a file name ------------------------------------------------------


def test_spec_file_name_with_a_newline_is_refused_and_runs_nothing(tmp_path: Path) -> None:
    project = small_project(tmp_path / "p")
    evil = "t\nimport os;os.system('touch PWNED')#.yaml"
    (project / TABLES).rename(project / "specs" / "database" / evil)
    result = specgen("generate", "--project", str(project))
    assert result.returncode == 1
    assert "error[file-name-unprintable]" in result.stderr
    assert len([line for line in result.stderr.splitlines() if "file-name-unprintable" in line]) == 1
    assert not (project / "generated").exists() and not (project / "PWNED").exists()


def test_header_keeps_any_file_name_on_its_comment_line() -> None:
    name = "specs/database/t\nimport os;os.system('x')#\r\x00.yaml"
    text = header("specs/api/openapi.yaml", name) + "\n"
    tree = ast.parse(text)
    assert tree.body == [] and text.count("\n") == 1  # one comment line, no statement


# --- secrets through $ref ----------------------------------------------------------------------


def test_ref_to_a_file_outside_specs_is_refused_at_its_line(tmp_path: Path) -> None:
    project = small_project(tmp_path / "p")
    (project / ".env").write_text("JWT_SECRET: leaked-secret\n")
    old = '$ref: "./common.yaml#/components/responses/Unauthorized"'
    line = line_of(project / API, old)
    edit(project, old, '$ref: "../../.env"')
    assert (API, line, "ref-outside-specs") in errors(project)


def test_ref_through_a_symlink_out_of_specs_is_refused(tmp_path: Path) -> None:
    project = small_project(tmp_path / "p")
    secret = tmp_path / "secret.yaml"
    secret.write_text("components:\n  responses:\n    Unauthorized:\n      description: leaked-secret\n")
    (project / "specs" / "api" / "common.yaml").unlink()
    os.symlink(secret, project / "specs" / "api" / "common.yaml")
    rules = {rule for _, _, rule in errors(project)}
    assert "ref-outside-specs" in rules


def test_database_spec_linked_from_outside_specs_is_refused(tmp_path: Path) -> None:
    project = small_project(tmp_path / "p")
    outside = tmp_path / "tables.yaml"
    (project / TABLES).rename(outside)
    os.symlink(outside, project / TABLES)
    assert (TABLES, 1, "ref-outside-specs") in errors(project)


# --- denial of service through a pattern ---------------------------------------------------------


@pytest.mark.parametrize(
    "pattern", ["^(?=a)(a+)+$", "^(a)\\\\1$", "(?<!x)y"], ids=["lookahead", "backref", "lookbehind"]
)
def test_pattern_the_linear_engine_cannot_run_is_refused_in_a_body(tmp_path: Path, pattern: str) -> None:
    project = small_project(tmp_path / "p")
    edit(project, NOTE_TEXT, NOTE_TEXT + f'          pattern: "{pattern}"\n')
    line = line_of(project / API, "pattern:")
    assert errors(project) == [(API, line, "pattern-unsupported")]


def test_lookahead_pattern_on_a_query_parameter_is_refused(tmp_path: Path) -> None:
    project = small_project(tmp_path / "p")
    query = "        - name: q\n          in: query\n          schema:\n            type: string\n            pattern: '^(?=a)a+$'\n"
    edit(project, LIST_RESPONSE, "            type: integer\n" + query + LIST_RESPONSE.split("\n", 1)[1])
    assert errors(project) == [(API, line_of(project / API, "pattern:"), "pattern-unsupported")]


def test_pattern_inside_an_example_is_data_not_a_regex(tmp_path: Path) -> None:
    project = small_project(tmp_path / "p")
    edit(project, NOTE_TEXT, NOTE_TEXT + "          example: {pattern: '(?=a)'}\n")
    result, diags = validate_json(project)
    assert result.returncode == 0, diags


# --- the owner rule after NFKC -------------------------------------------------------------------


def test_fullwidth_owner_field_in_a_body_is_the_owner_field(tmp_path: Path) -> None:
    project = small_project(tmp_path / "p")
    # a body schema of its own (not a table), so only the name rules can see it
    edit(
        project,
        '              $ref: "#/components/schemas/Note"\n      responses:\n        "201":',
        '              $ref: "#/components/schemas/NoteIn"\n      responses:\n        "201":',
    )
    edit(
        project,
        "  schemas:\n",
        "  schemas:\n    NoteIn:\n      type: object\n      properties:\n        text: {type: string}\n        \uff4fwner_id: {type: string}\n",
    )
    line = line_of(project / API, "\uff4fwner_id")
    found = errors(project)
    assert (API, line, "owner-field-exposed") in found
    assert (API, line, "name-not-normalized") in found


def test_fullwidth_owner_query_parameter_is_the_owner_field(tmp_path: Path) -> None:
    project = small_project(tmp_path / "p")
    param = "        - name: \uff4fwner_id\n          in: query\n          schema:\n            type: string\n"
    edit(project, LIST_RESPONSE, "            type: integer\n" + param + LIST_RESPONSE.split("\n", 1)[1])
    assert (API, line_of(project / API, "\uff4fwner_id"), "owner-field-exposed") in errors(project)


# --- contracts that generated and then could not start ----------------------------------------


@pytest.mark.parametrize("value", [".inf", "-.inf", ".nan"])
def test_non_finite_number_is_refused_where_it_is_written(tmp_path: Path, value: str) -> None:
    project = small_project(tmp_path / "p")
    edit(project, NOTE_TEXT, NOTE_TEXT + "        score:\n          type: number\n" + f"          maximum: {value}\n")
    assert errors(project) == [(API, line_of(project / API, "maximum:"), "number-not-finite")]


@pytest.mark.parametrize("text", ["a\\0b", "esc\\e[31m", "del \\x7f"], ids=["nul", "escape", "delete"])
def test_unprintable_character_in_a_summary_is_refused(tmp_path: Path, text: str) -> None:
    project = small_project(tmp_path / "p")
    edit(project, "      operationId: listNotes\n", f'      operationId: listNotes\n      summary: "{text}"\n')
    assert errors(project) == [(API, line_of(project / API, "summary:"), "text-unprintable")]


def test_unprintable_character_in_a_table_name_is_refused(tmp_path: Path) -> None:
    project = small_project(tmp_path / "p")
    edit(project, "table: notes", 'table: "notes\\0"', TABLES)
    rules = {rule for _, _, rule in errors(project)}
    assert rules == {"text-unprintable", "database-invalid"}


def test_repeated_path_parameter_is_refused(tmp_path: Path) -> None:
    project = small_project(tmp_path / "p")
    edit(project, "  /notes/{note_id}:\n", "  /notes/{note_id}/{note_id}:\n")
    line = line_of(project / API, "/notes/{note_id}/{note_id}:")
    assert (API, line + 1, "path-param-repeated") in errors(project)


def test_schemas_that_become_one_table_class_are_a_located_error(tmp_path: Path) -> None:
    project = small_project(tmp_path / "p")
    scoped = "      type: object\n      x-owner-scoped: true\n      required: [id, owner_id]\n      properties:\n        id: {type: integer, readOnly: true}\n        owner_id: {type: string, readOnly: true}\n"
    edit(project, "  schemas:\n", "  schemas:\n    project:\n" + scoped + "    Project:\n" + scoped)
    (project / TABLES).write_text(
        (project / TABLES).read_text() + "  project:\n    table: project_a\n  Project:\n    table: project_b\n"
    )
    assert errors(project) == [(TABLES, line_of(project / TABLES, "  Project:"), "name-clash")]


def test_tables_whose_names_differ_only_in_case_are_one_table(tmp_path: Path) -> None:
    project = small_project(tmp_path / "p")
    scoped = "      type: object\n      x-owner-scoped: true\n      required: [id, owner_id]\n      properties:\n        id: {type: integer, readOnly: true}\n        owner_id: {type: string, readOnly: true}\n"
    edit(project, "  schemas:\n", "  schemas:\n    Folder:\n" + scoped)
    (project / TABLES).write_text((project / TABLES).read_text() + "  Folder:\n    table: Notes\n")
    assert errors(project) == [(TABLES, line_of(project / TABLES, "table: Notes"), "database-invalid")]


@pytest.mark.parametrize(
    ("file", "old", "new", "rule"),
    [
        (API, "  - url: /api", '  - url: "/api\\n"', "mount-path"),
        (TABLES, "table: notes", 'table: "notes\\n"', "database-invalid"),
        (API, "      x-owner-scoped: true", '      x-owner-scoped: {field: "owner_id\\n"}', "owner-scope-invalid"),
    ],
    ids=["mount-path", "table", "owner-field"],
)
def test_a_name_with_a_trailing_newline_is_not_an_identifier(
    tmp_path: Path, file: str, old: str, new: str, rule: str
) -> None:
    project = small_project(tmp_path / "p")
    edit(project, old, new, file)
    assert rule in {r for _, _, r in errors(project)}


# Schemas and tables named like what the generated modules import: they used to generate and then
# fail at import, or quietly shadow SQLAlchemy's JSON type.
SHADOWING_CONTRACT = """
    BeforeValidator:
      type: object
      x-owner-scoped: true
      required: [id, owner_id]
      properties:
        id: {type: integer, readOnly: true}
        owner_id: {type: string, readOnly: true}
        data: {type: object, additionalProperties: true}
"""
SHADOWING_PATHS = """  /things:
    post:
      operationId: createThing
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: "#/components/schemas/BeforeValidator"}
      responses:
        "201":
          description: created
          content:
            application/json:
              schema: {$ref: "#/components/schemas/BeforeValidator"}
"""


@pytest.mark.slow
def test_schema_named_before_validator_in_a_table_named_json_boots_and_works(tmp_path: Path) -> None:
    project = small_project(tmp_path / "p")
    edit(project, "  schemas:\n", "  schemas:" + SHADOWING_CONTRACT)
    edit(project, "paths:\n", "paths:\n" + SHADOWING_PATHS)
    # `json` first: its constant JSON is bound before Note's JSON column is declared
    (project / TABLES).write_text("tables:\n  BeforeValidator:\n    table: json\n  Note:\n    table: notes\n")
    edit(project, NOTE_TEXT, NOTE_TEXT + "        meta: {type: object, additionalProperties: true}\n")
    generate_ok(project)
    tables = (project / "generated" / "tables.py").read_text()
    assert "\nJSON:" not in tables and "\nJSON2: TableMeta" in tables
    with run_server(project) as server, server.client(new_user()) as client:
        created = client.post("/api/things", json={"data": {"k": [1, "two"]}})
        assert created.status_code == 201, created.text
        assert created.json()["data"] == {"k": [1, "two"]}
        note = client.post("/api/notes", json={"text": "t", "meta": {"a": 1}})
        assert note.status_code == 201 and note.json()["meta"] == {"a": 1}, note.text
        # found by the generative test: an optional `limit` without a default pages by 50, not None
        listed = client.get("/api/notes")
        assert listed.status_code == 200 and len(listed.json()) == 1, listed.text


def test_committed_example_still_generates_unchanged() -> None:
    assert specgen("generate", "--check", cwd=REPO).returncode == 0
