"""Invalid contracts are refused cleanly: exit 1, every diagnostic at a file and line, no traceback.

Two sources: openapi-spec-validator's own invalid fixtures (its sdist, fetched once into .corpus-cache/),
and handwritten breakages of the small valid project (tests/rules/fixtures/_valid) that the rule
fixtures and tests/cli/test_yaml_input.py do not already cover. The handwritten rows include one
regression test for each crash the fuzz test (test_loader_fuzz.py) found.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from generator.pipeline import check_contracts
from tests.cli.helpers import API, COMMON, assert_no_traceback, line_of, replace_once, small_project, validate_json
from tests.corpus.located import location_problems
from tests.corpus.sdists import sdist_or_skip
from tests.corpus.spec_validator_cases import Case, data_file_cases, inline_cases
from tests.support import REPO, specgen

DATABASE = "specs/database/tables.yaml"
# Rules that say the contract itself is not a valid OpenAPI 3.0/3.1 document (as opposed to house rules
# such as security-bearer-required, which every foreign contract trips): the validator's own finding.
SPEC_RULES = {
    "yaml-syntax",
    "openapi-invalid",
    "openapi-version",
    "openapi-schema",
    "ref-unresolved",
    "ref-remote",
    "ref-cycle",
    "operation-id-duplicate",
    "path-param-undeclared",
    "path-param-unused",
}


# --- openapi-spec-validator's invalid fixtures ---------------------------------------------------


@pytest.fixture(scope="module")
def validator_cases() -> list[Case]:
    root = sdist_or_skip("openapi-spec-validator")
    return [*data_file_cases(root), *inline_cases(root)]


def refusal_problems(project: Path) -> list[str]:
    """Why specgen's refusal of this project is not clean (empty when it is)."""
    _, result = check_contracts(project)
    if result.ok:
        return ["accepted"]
    problems = location_problems(project, result.diagnostics)
    rules = {d.rule for d in result.diagnostics}
    if not rules & SPEC_RULES:
        problems.append(f"only house rules, none saying what is wrong with the document: {sorted(rules)}")
    return problems


def test_the_spec_validator_suite_yields_its_invalid_contracts(validator_cases: list[Case]) -> None:
    """The sdist's layout is what these tests expect: a change must fail here, not test nothing."""
    names = {c.name for c in validator_cases}
    assert {"data/v3.0/missing-description.yaml", "data/v3.0/property-missing-reference.yaml"} <= names
    assert sum(n.startswith("data/") for n in names) >= 8, sorted(names)
    assert sum(not n.startswith("data/") for n in names) >= 30, sorted(names)


def test_every_invalid_contract_of_the_spec_validator_suite_is_refused_with_located_diagnostics(
    validator_cases: list[Case], tmp_path: Path
) -> None:
    failures = {}
    for i, case in enumerate(validator_cases):
        project = tmp_path / f"case{i}"
        case.write(project)
        problems = refusal_problems(project)
        if problems:
            failures[case.name] = (case.why, problems)
    assert not failures, json.dumps(failures, indent=2, ensure_ascii=False)


CLI_SAMPLE = [
    "data/v3.0/missing-description.yaml",
    "data/v3.0/property-missing-reference.yaml",
    "data/v2.0/petstore.yaml",
    "test_exceptions::test_malformed_schema_examples[5]",  # a schema {$ref: 42}
]


@pytest.mark.parametrize("name", CLI_SAMPLE)
def test_the_cli_refuses_a_sample_of_them_with_exit_1_and_file_line_col(
    name: str, validator_cases: list[Case], tmp_path: Path
) -> None:
    case = next(c for c in validator_cases if c.name == name)
    case.write(tmp_path)
    result = specgen("validate", "--project", str(tmp_path), cwd=REPO)
    assert_no_traceback(result)
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert re.fullmatch(r"\d+ problem\(s\) found\.", lines[-1]), result.stderr
    for line in lines[:-1]:
        assert re.match(r"^specs/\S+:\d+:\d+: error\[[a-z0-9-]+\]: \S", line), line


# --- handwritten breakages ------------------------------------------------------------------------


@dataclass(frozen=True)
class Broken:
    """A breakage of the small valid project and the diagnostics it must produce, and only those."""

    edit: Callable[[Path], None]
    expect: list[tuple[str, str, str | int]]  # (file, rule, text on the reported line, or the line)
    message: str = ""  # what the (first) message must say
    also: list[str] = field(default_factory=list)


def replace(old: str, new: str, file: str = API) -> Callable[[Path], None]:
    return lambda project: replace_once(project / file, old, new)


def append(text: str, file: str = API) -> Callable[[Path], None]:
    def edit(project: Path) -> None:
        with (project / file).open("a", encoding="utf-8") as out:
            out.write(text)

    return edit


def write(files: dict[str, bytes]) -> Callable[[Path], None]:
    def edit(project: Path) -> None:
        for rel, content in files.items():
            (project / rel).parent.mkdir(parents=True, exist_ok=True)
            (project / rel).write_bytes(content)

    return edit


def both(*edits: Callable[[Path], None]) -> Callable[[Path], None]:
    def edit(project: Path) -> None:
        for one in edits:
            one(project)

    return edit


def as_json_without_a_comma(project: Path) -> None:
    """The contract as JSON (YAML reads JSON), with the comma after the title missing."""
    import yaml

    doc = yaml.safe_load((project / API).read_text(encoding="utf-8"))
    text = json.dumps(doc, indent=2).replace('"title": "Notes API",', '"title": "Notes API"')
    (project / API).write_text(text, encoding="utf-8")


NOT_FOUND_REF = '$ref: "./common.yaml#/components/responses/NotFound"'
BODY_REF = '              $ref: "#/components/schemas/Note"\n      responses:\n        "201":'

BROKEN = {
    # malformed YAML
    "tab-indentation": Broken(
        replace("      operationId: getNote\n", "\toperationId: getNote\n"),
        [(API, "yaml-syntax", "\toperationId: getNote")],
    ),
    "unclosed-quote-swallowing-the-lines-after-it": Broken(
        replace("title: Notes API", 'title: "Notes API'),
        [(API, "yaml-syntax", 'title: "Notes API')],
        message="closing quote",
    ),
    "unclosed-quote-at-the-end-of-the-file": Broken(
        append('x-note: "never closed\n'), [(API, "yaml-syntax", "x-note:")], message="not closed"
    ),
    "unclosed-bracket-at-the-end-of-the-file": Broken(
        append("x-tags: [a, b\n"), [(API, "yaml-syntax", "x-tags:")], message="not closed"
    ),
    "bad-indentation": Broken(
        replace("  version: 1.0.0", " version: 1.0.0"), [(API, "yaml-syntax", " version: 1.0.0")]
    ),
    "control-character": Broken(
        replace("title: Notes API", "title: Notes\x01API"), [(API, "yaml-syntax", "title: Notes")], message="U+0001"
    ),
    "binary-garbage": Broken(
        write({API: b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00"}),
        [(API, "yaml-syntax", "PNG")],
        message="not UTF-8",
    ),
    "json-contract-with-a-missing-comma": Broken(
        as_json_without_a_comma, [(API, "yaml-syntax", '"version": "1.0.0"')], message="expected ','"
    ),
    "json-contract-without-its-closing-brace": Broken(
        write({API: b'{\n  "openapi": "3.1.0",\n  "info": {"title": "x", "version": "1"},\n  "paths": {}\n'}),
        [(API, "yaml-syntax", "")],  # line 1, where the brace opens
        message="not closed",
    ),
    "recursive-yaml-alias": Broken(append("x-loop: &loop [*loop]\n"), [(API, "yaml-syntax", "x-loop:")]),
    "yaml-alias-bomb": Broken(
        append(
            "x-bomb:\n  a: &a [x, x, x, x, x, x, x, x, x, x]\n"
            + "".join(f"  {c}: &{c} [{', '.join([f'*{p}'] * 10)}]\n" for p, c in zip("abcdefg", "bcdefgh", strict=True))
        ),
        [(API, "yaml-syntax", "  e: &e")],
        message="aliases expand",
    ),
    "duplicate-key-spelled-two-ways": Broken(
        replace('        "401":\n', '        401:\n          description: x\n        "401":\n'),
        [(API, "yaml-syntax", '"401":')],
        message="duplicate key",
    ),
    "scalar-root": Broken(write({API: b"just a sentence\n"}), [(API, "openapi-invalid", "just a sentence")]),
    # references
    "remote-ref-http": Broken(
        replace(NOT_FOUND_REF, '$ref: "http://example.com/common.yaml#/x"'), [(API, "ref-remote", "http://")]
    ),
    "remote-ref-network-path": Broken(
        replace(NOT_FOUND_REF, '$ref: "//example.com/common.yaml#/x"'), [(API, "ref-remote", "//example.com")]
    ),
    "remote-ref-file-url": Broken(replace(NOT_FOUND_REF, '$ref: "file:///etc/passwd"'), [(API, "ref-remote", "file:")]),
    "ref-outside-the-project": Broken(
        replace(NOT_FOUND_REF, '$ref: "../../../../../etc/passwd#/x"'), [(API, "ref-outside-specs", "etc/passwd")]
    ),
    "ref-fragment-that-is-not-a-pointer": Broken(
        replace(NOT_FOUND_REF, '$ref: "./common.yaml#components/responses/NotFound"'),
        [(API, "ref-unresolved", "#components")],
    ),
    "ref-to-a-directory": Broken(
        replace(NOT_FOUND_REF, '$ref: "./#/components/responses/NotFound"'), [(API, "ref-unresolved", '"./#/')]
    ),
    "ref-to-a-binary-file": Broken(
        both(
            replace(NOT_FOUND_REF, '$ref: "./blob.bin#/x"'),
            write({"specs/api/blob.bin": bytes(range(128, 256))}),
        ),
        [("specs/api/blob.bin", "yaml-syntax", ""), (API, "ref-unresolved", "blob.bin")],  # "": line 1
    ),
    "ref-that-is-not-a-string": Broken(
        replace(BODY_REF, BODY_REF.replace('$ref: "#/components/schemas/Note"', "$ref: true")),
        [(API, "ref-unresolved", "$ref: true")],
        message="must be a string",
    ),
    "ref-to-the-whole-contract": Broken(replace(NOT_FOUND_REF, '$ref: "#"'), [(API, "ref-cycle", '$ref: "#"')]),
    "ref-to-the-root-file-without-a-fragment": Broken(
        replace(NOT_FOUND_REF, '$ref: "./openapi.yaml"'), [(API, "ref-cycle", "./openapi.yaml")]
    ),
    "ref-cycle-through-two-files": Broken(
        both(
            replace(NOT_FOUND_REF, '$ref: "./a.yaml#/Loop"'),
            write(
                {
                    "specs/api/a.yaml": b"Loop:\n  $ref: './b.yaml#/Loop'\n",
                    "specs/api/b.yaml": b"Loop:\n  description: back again\n  headers:\n    X-Loop:\n      $ref: './a.yaml#/Loop'\n",
                }
            ),
        ),
        [("specs/api/b.yaml", "ref-cycle", "$ref: './a.yaml#/Loop'")],
    ),
    # versions
    "swagger-2": Broken(
        write({API: b"swagger: '2.0'\ninfo: {title: Notes, version: '1'}\npaths: {}\n"}),
        [(API, "openapi-version", "swagger:")],
        message="Swagger 2.0",
    ),
    "swagger-2-under-another-name": Broken(
        both(
            lambda project: (project / API).unlink(),
            write({"specs/api/swagger.yaml": b"# petstore\nswagger: '2.0'\ninfo: {title: Pets, version: '1'}\n"}),
        ),
        [("specs/api/swagger.yaml", "openapi-version", "swagger:")],
        message="Swagger",
    ),
    "openapi-4": Broken(replace("openapi: 3.1.0", "openapi: 4.0.0"), [(API, "openapi-version", "openapi: 4.0.0")]),
    "openapi-3.2": Broken(replace("openapi: 3.1.0", "openapi: 3.2.0"), [(API, "openapi-version", "openapi: 3.2.0")]),
    "openapi-3.10": Broken(replace("openapi: 3.1.0", "openapi: 3.10.0"), [(API, "openapi-version", "openapi: 3.10")]),
    "openapi-version-missing": Broken(
        replace("openapi: 3.1.0\n", ""), [(API, "openapi-version", "info:")], message="no `openapi:`"
    ),
    "openapi-version-empty": Broken(
        replace("openapi: 3.1.0", "openapi:"), [(API, "openapi-version", "openapi:")], message="empty"
    ),
    "openapi-version-as-a-number": Broken(
        replace("openapi: 3.1.0", "openapi: 3.1"), [(API, "openapi-version", "openapi: 3.1")], message="number"
    ),
    # shapes the fuzz test found crashing the validator or the house rules
    "operation-id-that-is-a-mapping": Broken(
        replace("operationId: listNotes", "operationId: {name: listNotes}"),
        [(API, "openapi-schema", "operationId: {name")],  # (a missing operationId is derived, not refused)
    ),
    "required-entry-that-is-a-mapping": Broken(
        replace("required: [id, text, owner_id]", "required: [id, {text: 1}, owner_id]"),
        [(API, "openapi-schema", "required: [id")],
        message="{'text': 1} is not of type 'string'",
    ),
    "primary-key-that-is-a-mapping": Broken(
        replace("primary_key: id", "primary_key: {column: id}", file=DATABASE),
        [(DATABASE, "database-unknown-field", "primary_key:")],
    ),
    "feature-step-actor-that-is-a-list": Broken(
        write(
            {
                "specs/feature/notes.yaml": b"feature: Notes\nactors: [alice]\nscenarios:\n  - name: Lists\n"
                b"    steps:\n      - actor: [alice]\n        operation: listNotes\n        expect: {status: 200}\n"
            }
        ),
        [("specs/feature/notes.yaml", "feature-unknown-actor", "actor: [alice]")],
    ),
    "all-of-that-is-not-a-list": Broken(
        replace("      x-owner-scoped: true\n", "      x-owner-scoped: true\n      allOf: true\n"),
        [(API, "openapi-schema", "allOf: true")],
    ),
    "all-of-that-includes-itself": Broken(
        replace(
            "      x-owner-scoped: true\n",
            '      x-owner-scoped: true\n      allOf:\n        - $ref: "#/components/schemas/Note"\n',
        ),
        [(API, "openapi-schema", '- $ref: "#/components/schemas/Note"')],
        message="openapi-spec-validator fails on this part",  # it recurses forever; we no longer do
    ),
    "response-schema-that-is-null": Broken(
        replace('                $ref: "#/components/schemas/Note"\n        "404":', '        "404":'),
        [(API, "openapi-schema", 59)],  # GET /notes/{note_id}'s `schema:`; its unlocated echo is dropped
    ),
    "parameter-that-is-a-string": Broken(
        replace(
            "        - name: note_id\n          in: path\n",
            "        - note_id\n        - name: note_id\n          in: path\n",
        ),
        [(API, "openapi-schema", "- note_id")],
        also=["no 'could not be validated' crash report"],
    ),
}


def _line(path: Path, where: str | int) -> int:
    if isinstance(where, int):
        return where
    return line_of(path, where) if where else 1


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_handwritten_invalid_contract_is_refused_with_one_located_diagnostic_each(name: str, tmp_path: Path) -> None:
    case = BROKEN[name]
    project = small_project(tmp_path / "p")
    case.edit(project)
    _, result = check_contracts(project)
    assert not result.ok, "the broken contract was accepted"
    assert location_problems(project, result.diagnostics) == []
    got = sorted((d.file, d.rule, d.line or 0) for d in result.diagnostics)
    want = sorted((file, rule, _line(project / file, where)) for file, rule, where in case.expect)
    assert got == want, "\n".join(d.as_text() for d in result.diagnostics)
    if case.message:
        assert case.message in result.diagnostics[0].message, result.diagnostics[0].message


@pytest.mark.parametrize("name", ["unclosed-quote-swallowing-the-lines-after-it", "yaml-alias-bomb", "swagger-2"])
def test_the_cli_refuses_handwritten_breakages_with_exit_1(name: str, tmp_path: Path) -> None:
    project = small_project(tmp_path / "p")
    BROKEN[name].edit(project)
    result, diags = validate_json(project)
    assert result.returncode == 1
    assert [d["rule"] for d in diags] == [rule for _, rule, _ in BROKEN[name].expect]


# --- what the fixes must not refuse ---------------------------------------------------------------


def test_unquoted_response_codes_validate(tmp_path: Path) -> None:
    """`200:` is an integer key in YAML; it used to crash the spec validator's backend."""
    project = small_project(tmp_path / "p")
    replace_once(project / API, '        "201":\n', "        201:\n")
    replace_once(project / API, '        "401":\n', "        401:\n")
    result, diags = validate_json(project)
    assert (result.returncode, diags) == (0, [])


def test_keys_are_kept_as_written(tmp_path: Path) -> None:
    """YAML 1.1 reads `on:` as true and `~:` as null; a contract means the names it spells."""
    from generator.load.loader import load_yaml

    path = tmp_path / "k.yaml"
    path.write_text("on: 1\nno: 2\n~: 3\n404: 4\n1.50: 5\n'quoted': 6\n", encoding="utf-8")
    source, diags = load_yaml(path, "k.yaml")
    assert diags == [] and source is not None
    assert source.data == {"on": 1, "no": 2, "~": 3, "404": 4, "1.50": 5, "quoted": 6}


def test_a_moderate_use_of_aliases_is_accepted(tmp_path: Path) -> None:
    project = small_project(tmp_path / "p")
    replace_once(project / COMMON, "    Unauthorized:\n", "    Unauthorized: &response\n")
    append("x-copies: [" + ", ".join(["*response"] * 50) + "]\n", file=COMMON)(project)
    result, diags = validate_json(project)
    assert (result.returncode, diags) == (0, [])
