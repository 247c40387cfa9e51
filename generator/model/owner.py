"""x-owner-scoped, read once: which schemas are owned, by which field, matched to which claim."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from generator.base.names import IDENTIFIER

OWNER_SCOPED = "x-owner-scoped"  # the contract key, on a component schema
DEFAULT_OWNER_FIELD = "owner_id"
DEFAULT_OWNER_CLAIM = "sub"


@dataclass(frozen=True)
class OwnerScope:
    field: str
    claim: str


def parse_owner_scope(value: Any) -> OwnerScope | str:
    """The x-owner-scoped value, or a message saying what is wrong with it."""
    if value is True:
        return OwnerScope(DEFAULT_OWNER_FIELD, DEFAULT_OWNER_CLAIM)
    if isinstance(value, dict):
        unknown = sorted(set(map(str, value)) - {"field", "claim"})
        if unknown:
            return f"x-owner-scoped: unknown key(s) {', '.join(unknown)} (allowed: field, claim)"
        field = value.get("field", DEFAULT_OWNER_FIELD)
        claim = value.get("claim", DEFAULT_OWNER_CLAIM)
        if not isinstance(field, str) or not IDENTIFIER.fullmatch(field):
            return "x-owner-scoped.field must be the name of a property"
        if not isinstance(claim, str) or not claim:
            return "x-owner-scoped.claim must be a JWT claim name"
        return OwnerScope(field, claim)
    return "x-owner-scoped must be true or a mapping {field: ..., claim: ...}"


def component_schemas(document: dict[str, Any]) -> dict[str, Any]:
    components = document.get("components")
    schemas = components.get("schemas") if isinstance(components, dict) else None
    return schemas if isinstance(schemas, dict) else {}


def owner_scopes(document: dict[str, Any]) -> dict[str, OwnerScope]:
    out = {}
    for name, schema in component_schemas(document).items():
        if isinstance(schema, dict) and OWNER_SCOPED in schema:
            scope = parse_owner_scope(schema[OWNER_SCOPED])
            if isinstance(scope, OwnerScope):
                out[name] = scope
    return out
