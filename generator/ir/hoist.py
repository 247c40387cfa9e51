"""Inline object schemas become named model schemas before datamodel-code-generator sees them.

Left inline, datamodel-code-generator names a nested object after its property alone and numbers
the clashes (`Permissions`, `Permissions1`, ... `Actions25` on GitHub's contract), so a name says
nothing of where the class belongs and changes when an unrelated schema is added. Named here after
the model and the property that declare it (`RepositoryPermissions`), every class is a model schema:
the response rules (omit_unset_optionals) reach nested objects too, and the models can be rendered
in independent parts (model_parts.py) because no class name depends on the rest of the document.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Mapping
from typing import Any

from generator.base.names import pascal, unique
from generator.model.schemas import SCHEMA_PREFIX

# Keys that describe the use of a schema rather than its shape: they stay beside the $ref.
_USE_KEYS = ("default", "readOnly", "writeOnly", "deprecated", "example", "examples")


def _makes_class(schema: Any) -> bool:
    """An inline schema datamodel-code-generator would turn into a class of its own."""
    if not isinstance(schema, dict) or "$ref" in schema:
        return False
    kind = schema.get("type")
    kinds = set(kind) if isinstance(kind, list) else {kind}
    if isinstance(schema.get("properties"), dict) and schema["properties"] and kinds <= {"object", "null", None}:
        return True
    parts = schema.get("allOf")
    return isinstance(parts, list) and len(parts) > 1 and any(_makes_class(p) for p in parts)


def _nullable(schema: dict[str, Any]) -> bool:
    kind = schema.get("type")
    return schema.get("nullable") is True or (isinstance(kind, list) and "null" in kind)


def _body(schema: dict[str, Any]) -> dict[str, Any]:
    """The shape alone: what the class is made of, without how this property uses it."""
    body = {k: v for k, v in schema.items() if k not in _USE_KEYS and k != "nullable"}
    kind = body.get("type")
    if isinstance(kind, list):
        rest = [t for t in kind if t != "null"]
        body["type"] = rest[0] if len(rest) == 1 else rest
    return body


def hoist_inline_objects(
    model_schemas: dict[str, Any], family_of: Mapping[str, str], taken: set[str]
) -> dict[str, list[str]]:
    """Give every inline object schema nested in a model schema a name of its own.

    `family_of` maps a resource's Create, Update and Public models to the resource's name, so
    they share one class for a property whose shape they agree on (`TaskPlace`). The model
    schemas are replaced, never changed in place (they may share nodes with the contract). New
    names are added to `taken`; the result maps each new model to the models that use it, so a
    part only requests use stays a request model.
    """
    taken |= set(model_schemas)
    owners: dict[str, list[str]] = {}
    shared: dict[tuple[str, str], str] = {}  # (name wanted, shape) -> the model made, within a family
    queue = deque(model_schemas)

    def hoisted(owner: str, wanted: str, schema: dict[str, Any]) -> dict[str, Any]:
        body = _body(schema)
        key = (wanted, json.dumps(body, sort_keys=True, default=str)) if owner in family_of else None
        name = shared.get(key) if key else None
        if name is None:
            name = unique(wanted, taken)
            model_schemas[name] = body
            queue.append(name)
            if key:
                shared[key] = name
        owners.setdefault(name, []).append(owner)
        ref: dict[str, Any] = {"$ref": SCHEMA_PREFIX + name}
        if _nullable(schema):
            ref = {"anyOf": [ref, {"type": "null"}]}
        ref.update({k: schema[k] for k in _USE_KEYS if k in schema})
        if "description" in schema:
            ref["description"] = schema["description"]
        return ref

    def visit(owner: str, wanted: str, node: Any, top: bool = False) -> Any:
        """`node` with its class-making parts replaced by refs; `wanted` names what is made here."""
        if not isinstance(node, dict) or "$ref" in node:
            return node
        if not top and _makes_class(node):
            return hoisted(owner, wanted, node)
        out = dict(node)
        props = node.get("properties")
        if isinstance(props, dict):
            out["properties"] = {p: visit(owner, wanted + pascal(p), sub) for p, sub in props.items()}
        items = node.get("items")
        if isinstance(items, dict):
            out["items"] = visit(owner, wanted + "Item", items)
        extra = node.get("additionalProperties")
        if isinstance(extra, dict):
            out["additionalProperties"] = visit(owner, wanted + "Value", extra)
        for combinator in ("anyOf", "oneOf"):
            options = node.get(combinator)
            if isinstance(options, list):
                classes = sum(1 for o in options if _makes_class(o))
                out[combinator] = [
                    visit(owner, wanted if classes == 1 else f"{wanted}Option{i}", o) for i, o in enumerate(options, 1)
                ]
        parts = node.get("allOf")
        if isinstance(parts, list):  # the parts of a class's allOf are merged into it: only their insides move
            out["allOf"] = [visit(owner, wanted, p, top=True) if isinstance(p, dict) else p for p in parts]
        return out

    while queue:
        name = queue.popleft()
        model_schemas[name] = visit(name, family_of.get(name, name), model_schemas[name], top=True)
    return owners
