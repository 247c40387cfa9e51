"""The invalid contracts in openapi-spec-validator's own test suite (from its sdist, see sdists.py).

Two kinds: the YAML files under tests/integration/data/, and the specs its tests write inline as dict
literals (read with `ast`, never imported or run). A case counts as invalid when the validator itself
rejects it, or when it is not OpenAPI 3.0/3.1, which specgen refuses by design; the valid ones are
left to the corpus of valid contracts.
"""

from __future__ import annotations

import ast
import copy
import itertools
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from generator.load.loader import load_yaml

ROOT = "specs/api/openapi.yaml"


@dataclass
class Case:
    name: str
    files: dict[str, bytes]  # project-relative path -> content; ROOT is the contract
    why: str  # what the validator says, so a failing test shows what the case is about
    extra: dict[str, Any] = field(default_factory=dict)

    def write(self, project: Path) -> None:
        for rel, content in self.files.items():
            path = project / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)


def rejection(doc: Any, base_uri: str = "") -> str | None:
    """Why the contract is not a valid OpenAPI 3.0/3.1 document, or None when it is."""
    from openapi_spec_validator import OpenAPIV30SpecValidator, OpenAPIV31SpecValidator

    if not isinstance(doc, dict):
        return "not a mapping"
    version = doc.get("openapi")
    if not isinstance(version, str) or not version.startswith(("3.0.", "3.1.")):
        return f"version {version if 'openapi' in doc else doc.get('swagger', '(none)')!r}"
    validator = OpenAPIV30SpecValidator if version.startswith("3.0.") else OpenAPIV31SpecValidator
    try:
        errors = list(validator(doc, base_uri=base_uri).iter_errors())
    except Exception as exc:  # noqa: BLE001 - an unresolvable ref, for one, is raised
        return f"{type(exc).__name__}: {exc}"[:200]
    return errors[0].message.splitlines()[0][:200] if errors else None


def data_file_cases(sdist: Path) -> Iterator[Case]:
    """Each invalid contract file of tests/integration/data, as the root of a project; the files next
    to it come along, so relative refs mean what they meant there. Fragments that other files
    reference (no `openapi`/`swagger` key, not empty) are not contracts and are left out."""
    data = sdist / "tests" / "integration" / "data"
    for path in sorted(data.rglob("*.yaml")):
        source, diags = load_yaml(path, path.name)
        doc = source.data if source else None
        if source is not None and doc and not ({"openapi", "swagger"} & set(doc if isinstance(doc, dict) else ())):
            continue
        why = rejection(doc, path.as_uri()) if source else diags[0].message
        if why is None:
            continue
        files = {
            f"specs/api/{p.relative_to(path.parent).as_posix()}": p.read_bytes()
            for p in path.parent.rglob("*")
            if p.is_file() and p.suffix in (".yaml", ".yml", ".json") and p != path
        }
        files[ROOT] = path.read_bytes()
        yield Case(f"data/{path.relative_to(data).as_posix()}", files, why)


def inline_cases(sdist: Path) -> Iterator[Case]:
    """Each invalid spec written inline in the test modules (`spec = {...}`, or a `spec` parameter)."""
    seen: set[str] = set()
    for module in sorted((sdist / "tests").rglob("test_*.py")):
        tree = ast.parse(module.read_text(encoding="utf-8"))
        for func in ast.walk(tree):
            if not isinstance(func, ast.FunctionDef):
                continue
            for i, doc in enumerate(_specs_of(func)):
                key = json.dumps(doc, sort_keys=True, default=str)
                why = rejection(doc)
                if key in seen or why is None:
                    continue
                seen.add(key)
                text = yaml.safe_dump(doc, sort_keys=False, allow_unicode=True).encode()
                yield Case(f"{module.stem}::{func.name}[{i}]", {ROOT: text}, why)


def _specs_of(func: ast.FunctionDef) -> Iterator[Any]:
    for binding in _parameter_bindings(func):
        nodes: list[ast.expr] = [
            stmt.value
            for stmt in ast.walk(func)
            if isinstance(stmt, ast.Assign)
            and [t.id for t in stmt.targets if isinstance(t, ast.Name)] == ["spec"]
            and isinstance(stmt.value, ast.Dict)
        ]
        if "spec" in binding:
            nodes.append(binding["spec"])
        for node in nodes:
            try:
                yield ast.literal_eval(_Bind(binding).visit(copy.deepcopy(node)))
            except ValueError:
                continue  # built from something other than literals and parameters


def _parameter_bindings(func: ast.FunctionDef) -> list[dict[str, ast.expr]]:
    """Every combination of @pytest.mark.parametrize values, as parameter name -> expression."""
    axes = []
    for deco in func.decorator_list:
        if not (isinstance(deco, ast.Call) and ast.unparse(deco.func).endswith("parametrize") and len(deco.args) >= 2):
            continue
        names_node, values = deco.args[0], deco.args[1]
        if not isinstance(names_node, ast.Constant) or not isinstance(values, (ast.List, ast.Tuple)):
            continue
        names = [n.strip() for n in str(names_node.value).split(",")]
        rows = []
        for value in values.elts:
            items = value.elts if len(names) > 1 and isinstance(value, ast.Tuple) else [value]
            rows.append(dict(zip(names, items, strict=False)))
        axes.append(rows)
    return [{k: v for row in combo for k, v in row.items()} for combo in itertools.product(*axes)]


class _Bind(ast.NodeTransformer):
    def __init__(self, binding: dict[str, ast.expr]) -> None:
        self.binding = binding

    def visit_Name(self, node: ast.Name) -> ast.expr:
        return copy.deepcopy(self.binding.get(node.id, node))
