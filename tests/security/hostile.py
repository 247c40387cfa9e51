"""Contracts with drawn text in every string position, for the generative hostile-contract tests.

A case is the small valid project (tests/rules/fixtures/_valid, plus a query parameter with an enum,
a default and a pattern, a tag and an index) with hypothesis-drawn strings put into some of its
string positions. Each drawn value either makes specgen refuse the contract with located errors, or
compiles into a tree in which it reads back exactly as drawn and runs none of it.
"""

from __future__ import annotations

import ast
import copy
import io
import json
import keyword
import tokenize
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from hypothesis import strategies as st

from tests.cli.helpers import SMALL_PROJECT

# The marker a payload would create if any drawn text ever ran as code.
MARKER = "PWNED"
PAYLOADS = [
    f"\nimport os;os.system('touch {MARKER}')#",
    f"'''\nopen('{MARKER}','w')\n'''",
    f'"""\nopen("{MARKER}","w")\n"""',
    f"');open('{MARKER}','w');('",
    f'");open("{MARKER}","w");("',
    f"\\\";open('{MARKER}','w')#",
    f"{{{{ cycler.__init__.__globals__.os.system('touch {MARKER}') }}}}",
    "{% raw %}{{ x }}{% endraw %}",
    "{{ 7 * 7 }}",
    "{# x #}",
    "\\",
    "\\n",
    "\x00",
    "\r\n",
    "\u2028",
    "\u202e",
    "\ufeff",
    "ｏwner_id",
    "owner_id",
    "ＪＳＯＮ",
    "__import__",
    "__builtins__",
    "BeforeValidator",
    "JSON",
    "Field",
    "Response",
    "print",
    "self",
    *sorted(keyword.kwlist + keyword.softkwlist),
]
SYNTAX = st.sampled_from(list("'\"\\\n\r\t{}%#$;()[]:.,<>&`"))
ALPHABET = st.characters(codec="utf-8") | SYNTAX | st.sampled_from(["\x00", "\x1b", "\x7f"])
PRINTABLE = st.characters(codec="utf-8", exclude_categories=("Cc", "Cs")) | SYNTAX
TEXT = st.one_of(
    st.sampled_from(PAYLOADS),
    st.text(ALPHABET, max_size=24),
    st.text(PRINTABLE, max_size=24),
    st.lists(st.sampled_from(PAYLOADS) | st.text(ALPHABET, max_size=6), min_size=2, max_size=4).map("".join),
)
# File names: what a file system lets one be (no slash, no NUL, not too long).
FILE_NAME = TEXT.filter(lambda s: "/" not in s and "\x00" not in s and s not in ("", ".", "..")).filter(
    lambda s: len((s + ".yaml").encode("utf-8", "surrogatepass")) < 200
)


@dataclass(frozen=True)
class Position:
    """Where a drawn string goes: a path into the contract (or the database mapping), and how it reads
    back from the generated source (`constant`: a string literal equal to it; `docstring`: part of a
    docstring; `comment`: part of a comment; `json`: the served openapi.json; `none`: it is renamed)."""

    name: str
    file: str  # "api" | "database"
    path: tuple[str | int, ...]
    readback: str
    key: bool = False  # the drawn string replaces the key at the end of `path`


POSITIONS = [
    Position("title", "api", ("info", "title"), "constant"),
    Position("description", "api", ("info", "description"), "json"),
    Position("summary", "api", ("paths", "/notes", "get", "summary"), "docstring"),
    Position("operation-description", "api", ("paths", "/notes", "get", "description"), "json"),
    Position("operation-id", "api", ("paths", "/notes", "get", "operationId"), "constant"),
    Position("tag", "api", ("paths", "/notes", "get", "tags", 0), "none"),
    Position("parameter-name", "api", ("paths", "/notes", "get", "parameters", 1, "name"), "none"),
    Position("parameter-description", "api", ("paths", "/notes", "get", "parameters", 1, "description"), "json"),
    Position("enum-value", "api", ("paths", "/notes", "get", "parameters", 1, "schema", "enum", 1), "constant"),
    Position("default", "api", ("paths", "/notes", "get", "parameters", 3, "schema", "default"), "constant"),
    Position("pattern", "api", ("paths", "/notes", "get", "parameters", 2, "schema", "pattern"), "constant"),
    Position("example", "api", ("components", "schemas", "Note", "properties", "text", "example"), "json"),
    Position("property-name", "api", ("components", "schemas", "Note", "properties", "text"), "none", key=True),
    Position("schema-name", "api", ("components", "schemas", "Extra"), "none", key=True),
    # what only datamodel-code-generator writes (models.py): checked by booting the whole tree
    Position("schema-description", "api", ("components", "schemas", "Extra", "description"), "json"),
    Position("model-property-name", "api", ("components", "schemas", "Extra", "properties", "a"), "none", key=True),
    Position(
        "model-property-description",
        "api",
        ("components", "schemas", "Extra", "properties", "a", "description"),
        "json",
    ),
    Position("model-enum-value", "api", ("components", "schemas", "Extra", "properties", "b", "enum", 0), "json"),
    Position("model-default", "api", ("components", "schemas", "Extra", "properties", "a", "default"), "json"),
    Position("response-description", "api", ("paths", "/notes", "get", "responses", "200", "description"), "json"),
    Position("table-name", "database", ("tables", "Note", "table"), "constant"),
    Position("index-name", "database", ("tables", "Note", "indexes", 0, "name"), "constant"),
    Position("unique-name", "database", ("tables", "Note", "unique", 0, "name"), "constant"),
    Position("owner-claim", "api", ("components", "schemas", "Note", "x-owner-scoped", "claim"), "constant"),
]


def base_contract() -> tuple[dict[str, Any], dict[str, Any]]:
    api = yaml.safe_load((SMALL_PROJECT / "specs/api/openapi.yaml").read_text())
    database = yaml.safe_load((SMALL_PROJECT / "specs/database/tables.yaml").read_text())
    get = api["paths"]["/notes"]["get"]
    get["tags"] = ["notes"]
    get["parameters"] += [
        {"name": "level", "in": "query", "schema": {"type": "string", "enum": ["low", "high"], "default": "low"}},
        {"name": "q", "in": "query", "schema": {"type": "string", "pattern": "^[a-z]+$"}},
        {"name": "sort", "in": "query", "schema": {"type": "string", "default": "text"}},
    ]
    api["components"]["schemas"]["Extra"] = {
        "type": "object",
        "properties": {"a": {"type": "string"}, "b": {"type": "string", "enum": ["x", "y"]}},
    }
    api["components"]["schemas"]["Note"]["x-owner-scoped"] = {"claim": "sub"}
    database["tables"]["Note"]["indexes"] = [{"name": "ix_notes_text", "columns": ["text"]}]
    database["tables"]["Note"]["unique"] = [{"name": "uq_notes_text", "columns": ["text"]}]
    return api, database


@dataclass
class Case:
    api: dict[str, Any]
    database: dict[str, Any]
    database_file: str = "tables.yaml"
    drawn: dict[str, str] = field(default_factory=dict)  # position name -> value

    def write(self, project: Path) -> None:
        (project / "specs" / "api").mkdir(parents=True)
        (project / "specs" / "database").mkdir(parents=True)
        common = SMALL_PROJECT / "specs/api/common.yaml"
        (project / "specs/api/common.yaml").write_bytes(common.read_bytes())
        (project / "specs/api/openapi.yaml").write_text(_dump(self.api), encoding="utf-8")
        db = project / "specs" / "database" / self.database_file
        db.write_text(_dump(self.database), encoding="utf-8")


def _dump(data: Any) -> str:
    # PyYAML's emitter escapes what YAML cannot hold raw (\0, \x85, \U0010ffff), so each string reads back exactly
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1 << 30, default_style='"')


def _put(document: dict[str, Any], position: Position, value: str) -> None:
    *parents, last = position.path
    node: Any = document
    for part in parents:
        node = node[part]
    if position.key:
        node[value] = node.pop(last)
    else:
        node[last] = value


@st.composite
def cases(draw: st.DrawFn) -> Case:
    api, database = base_contract()
    case = Case(copy.deepcopy(api), copy.deepcopy(database))
    chosen = draw(st.lists(st.sampled_from(POSITIONS), min_size=1, max_size=4, unique_by=lambda p: p.name))
    # renamed keys last, the deepest first: other paths go through them
    for position in sorted(chosen, key=lambda p: (p.key, -len(p.path))):
        value = draw(TEXT)
        _put(case.api if position.file == "api" else case.database, position, value)
        case.drawn[position.name] = value
    if draw(st.integers(0, 3)) == 0:
        case.database_file = draw(FILE_NAME) + ".yaml"
        case.drawn["file-name"] = case.database_file
    return case


def source_texts(files: dict[str, str]) -> tuple[set[str], str, str]:
    """Every string constant (docstrings included) and every comment of the generated Python modules,
    each module parsed with `ast` (which raises on anything that is not Python)."""
    constants: set[str] = set()
    comments: list[str] = []
    for rel, text in files.items():
        if not rel.endswith(".py"):
            continue
        tree = ast.parse(text, filename=rel)
        constants |= {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)}
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type == tokenize.COMMENT:
                comments.append(ast.literal_eval('"' + token.string[1:].replace('"', '\\"') + '"'))
    return constants, "\n".join(constants), "\n".join(comments)


def assert_reads_back(case: Case, files: dict[str, str]) -> None:
    constants, joined, comments = source_texts(files)
    served = json.dumps(json.loads(files["openapi.json"]), ensure_ascii=False)
    by_name = {p.name: p for p in POSITIONS}
    for name, value in case.drawn.items():
        how = "comment" if name == "file-name" else by_name[name].readback
        if not value:
            continue  # an empty title is "API", an empty summary none: nothing of it to read back
        if name == "operation-id" and not value.strip():
            continue  # a blank operationId is no operationId: the id is derived from method and path
        if how == "constant":
            assert value in constants, f"{name}: {value!r} is not a string literal of the generated code"
        elif how == "docstring":
            assert value in joined, f"{name}: {value!r} is not in a docstring"
        elif how == "comment":
            assert value in comments, f"{name}: {value!r} is not in a header comment"
        elif how == "json":
            assert json.dumps(value, ensure_ascii=False)[1:-1] in served, f"{name}: {value!r} is not served"
