"""Inline enums become named model schemas before datamodel-code-generator sees them.

datamodel-code-generator merges identical inline enums into one class (`Level`, `Level1`, ...)
and then lets one property's default leak into another's: a resource's Update model would get
its Create default, so PATCH would not mean "leave it alone". Naming each enum after the model
family and property that declare it (`TaskPriority`) keeps defaults where the contract put them
and gives the classes names a reader can place.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from generator.base.names import pascal, unique

# Keys that describe the property rather than the enum's type: they stay beside the $ref.
_PROPERTY_KEYS = ("default", "description", "title", "readOnly", "writeOnly", "deprecated", "example", "examples")


def _inline_enum(schema: Any) -> bool:
    if not isinstance(schema, dict) or "$ref" in schema or not isinstance(schema.get("enum"), list):
        return False
    kind = schema.get("type")
    if isinstance(kind, list) or kind not in ("string", "integer"):
        return False  # nullable or untyped enums stay inline: their classes are unions, not enums
    return all(isinstance(v, str if kind == "string" else int) and not isinstance(v, bool) for v in schema["enum"])


def hoist_inline_enums(model_schemas: dict[str, Any], family_of: Mapping[str, str], taken: set[str]) -> set[str]:
    """Replace inline enums of model properties (and of array items of properties) with refs.

    `family_of` maps a derived model (TaskCreate) to its resource's base name (Task), so one
    resource's Create, Update and Public models share one enum class per property. New names are
    added to `taken` and returned.
    """
    taken |= set(model_schemas)
    made: dict[tuple[str, str, str], str] = {}  # (owner, property, body) -> name

    def named(owner: str, prop: str, schema: dict[str, Any]) -> dict[str, Any]:
        body = {k: v for k, v in schema.items() if k not in _PROPERTY_KEYS or k == "description"}
        key = (owner, prop, json.dumps(body, sort_keys=True))
        if key not in made:
            made[key] = unique(pascal(owner) + pascal(prop), taken)
            model_schemas[made[key]] = body
        ref: dict[str, Any] = {"$ref": f"#/components/schemas/{made[key]}"}
        ref.update({k: schema[k] for k in _PROPERTY_KEYS if k in schema and k != "description"})
        return ref

    for model in sorted(model_schemas):
        schema = model_schemas[model]
        props = schema.get("properties") if isinstance(schema, dict) else None
        if not isinstance(props, dict):
            continue
        owner = family_of.get(model, model)
        for prop, sub in list(props.items()):
            if _inline_enum(sub):
                props[prop] = named(owner, prop, sub)
            elif isinstance(sub, dict) and sub.get("type") == "array" and _inline_enum(sub.get("items")):
                props[prop] = {**sub, "items": named(owner, prop, sub["items"])}
    return set(made.values())
