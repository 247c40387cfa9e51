"""Reading JSON Schemas inside a bundled contract: refs, types, nullability."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from generator.base.pysource import Code, literal
from generator.load.bundle import MISSING, resolve_pointer

SCHEMA_PREFIX = "#/components/schemas/"
INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1
INT32_MIN = -(2**31)
INT32_MAX = 2**31 - 1


def is_read_only(document: dict[str, Any], schema: Any) -> bool:
    """`readOnly: true` on the schema (after its `$ref`s): the server sets it, a client never sends it."""
    resolved = deref(document, schema)
    return isinstance(resolved, dict) and resolved.get("readOnly") is True


def deref(document: dict[str, Any], node: Any, limit: int = 32) -> Any:
    """Follow local `$ref`s; siblings of a `$ref` override what it points at (3.1)."""
    seen = 0
    while isinstance(node, dict) and isinstance(node.get("$ref"), str) and node["$ref"].startswith("#"):
        target = resolve_pointer(document, node["$ref"][1:])
        if target is MISSING or seen >= limit:
            return {}
        siblings = {k: v for k, v in node.items() if k != "$ref"}
        node = {**target, **siblings} if siblings and isinstance(target, dict) else target
        seen += 1
    return node


def schema_ref_name(node: Any) -> str | None:
    """`Task` for `{"$ref": "#/components/schemas/Task"}`, else None."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith(SCHEMA_PREFIX):
            return ref[len(SCHEMA_PREFIX) :]
    return None


@dataclass(frozen=True)
class ScalarType:
    kind: str  # string | integer | number | boolean | object | array | any
    nullable: bool
    format: str | None
    enum: tuple[Any, ...] | None


def referenced_schemas(node: Any) -> set[str]:
    """The names of the component schemas a schema refers to, at any depth."""
    found: set[str] = set()
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            name = schema_ref_name(item)
            if name:
                found.add(name)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found


def renamed_refs(node: Any, class_of: Mapping[str, str]) -> Any:
    """A copy of a schema whose refs to the schemas in `class_of` name the new names instead
    (discriminator mappings are refs too)."""
    if isinstance(node, dict):
        out = {k: renamed_refs(v, class_of) for k, v in node.items()}
        if "$ref" in node:
            out["$ref"] = _renamed_ref(node["$ref"], class_of)
        mapping = node.get("mapping")
        if isinstance(mapping, dict) and "propertyName" in node:
            out["mapping"] = {k: _renamed_ref(v, class_of) for k, v in mapping.items()}
        return out
    if isinstance(node, list):
        return [renamed_refs(v, class_of) for v in node]
    return node


def _renamed_ref(ref: Any, class_of: Mapping[str, str]) -> Any:
    name = schema_ref_name({"$ref": ref})
    return SCHEMA_PREFIX + class_of[name] if name is not None and name in class_of else ref


def scalar_type(document: dict[str, Any], schema: Any) -> ScalarType:
    schema = deref(document, schema)
    if not isinstance(schema, dict):
        return ScalarType("any", True, None, None)
    raw = schema.get("type")
    nullable = bool(schema.get("nullable"))
    types: list[str] = []
    if isinstance(raw, list):
        types = [t for t in raw if t != "null"]
        nullable = nullable or "null" in raw
    elif isinstance(raw, str):
        types = [raw]
    for combinator in ("anyOf", "oneOf"):  # `anyOf: [{$ref: ...}, {type: "null"}]`, as hoist.py writes it too
        options = schema.get(combinator)
        if isinstance(options, list) and any(isinstance(o, dict) and o.get("type") == "null" for o in options):
            nullable = True
    enum = schema.get("enum")
    if "const" in schema and enum is None:
        enum = [schema["const"]]
    if isinstance(enum, list) and None in enum:
        nullable = True
        enum = [e for e in enum if e is not None]
    if not types and isinstance(enum, list) and enum:
        types = ["string" if all(isinstance(e, str) for e in enum) else "any"]
    kind = types[0] if len(types) == 1 else "any"
    return ScalarType(kind, nullable, schema.get("format"), tuple(enum) if isinstance(enum, list) else None)


def python_annotation(document: dict[str, Any], schema: Any) -> str:
    """A Python type for a parameter schema (parameters are scalars or arrays of them)."""
    t = scalar_type(document, schema)
    base: str
    if t.enum and all(isinstance(e, (str, int)) and not isinstance(e, bool) for e in t.enum):
        base = "Literal[" + ", ".join(literal(e) for e in t.enum) + "]"
    elif t.kind == "integer":
        base = "int"
    elif t.kind == "number":
        base = "float"
    elif t.kind == "boolean":
        base = "bool"
    elif t.kind == "string":
        base = {"date": "datetime.date", "date-time": "datetime.datetime", "uuid": "uuid.UUID"}.get(
            t.format or "", "str"
        )
    elif t.kind == "array":
        items = deref(document, schema).get("items", {})
        item_type = scalar_type(document, items)
        # items arrive as text, and a Literal of integers would never match them: plain int
        base = "list[int]" if _int_literal(item_type) else f"list[{python_annotation(document, items)}]"
    else:
        base = "str"
    return base


def _int_literal(t: ScalarType) -> bool:
    return bool(t.enum) and all(isinstance(e, int) and not isinstance(e, bool) for e in t.enum or ())


def text_coercion(document: dict[str, Any], schema: Any) -> Code | None:
    """What turns the text of a query, header, cookie, path or form value into its Literal's type.

    Pydantic compares a Literal's values with the input as is, so `?level=2` never equals
    `Literal[1, 2, 3]`; `int` first makes it.
    """
    return Code("int") if _int_literal(scalar_type(document, schema)) else None


def numeric_constraints(document: dict[str, Any], schema: Any) -> list[tuple[str, Code]]:
    """ge/le/min_length/... keywords for FastAPI's Path and Query."""
    schema = deref(document, schema)
    if not isinstance(schema, dict):
        return []
    t = scalar_type(document, schema)
    out: list[tuple[str, Code]] = []
    if t.enum:
        return out  # a Literal: the values are the bounds
    if t.kind in ("integer", "number"):
        low, high = schema.get("minimum"), schema.get("maximum")
        if isinstance(schema.get("exclusiveMinimum"), (int, float)) and not isinstance(
            schema.get("exclusiveMinimum"), bool
        ):
            out.append(("gt", literal(schema["exclusiveMinimum"])))
        elif isinstance(low, (int, float)):
            out.append(("ge", literal(low)))
        elif t.kind == "integer":
            out.append(("ge", literal(INT32_MIN if t.format == "int32" else INT64_MIN)))
        if isinstance(schema.get("exclusiveMaximum"), (int, float)) and not isinstance(
            schema.get("exclusiveMaximum"), bool
        ):
            out.append(("lt", literal(schema["exclusiveMaximum"])))
        elif isinstance(high, (int, float)):
            out.append(("le", literal(high)))
        elif t.kind == "integer":
            # Beyond 64 bits no database column can hold the value: refuse it at the edge.
            out.append(("le", literal(INT32_MAX if t.format == "int32" else INT64_MAX)))
    if t.kind == "string":
        if isinstance(schema.get("minLength"), int):
            out.append(("min_length", literal(schema["minLength"])))
        if isinstance(schema.get("maxLength"), int):
            out.append(("max_length", literal(schema["maxLength"])))
        if isinstance(schema.get("pattern"), str):
            out.append(("pattern", literal(schema["pattern"])))
    return out
