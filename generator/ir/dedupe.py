"""Hoisted schemas of the same shape become one class; their other names stay, as aliases.

A large contract repeats itself: GitHub's declares the same `read`/`write` permission enum 846
times and the same user object in every webhook. Hoisting names each occurrence after where it
is declared, so 4,000 of GitHub's 6,800 model schemas are copies, and datamodel-code-generator
would render each one (most of its time). Here a schema that hoisting made and that has the shape
of another is dropped for that one: the contract's own schema when there is one, else the
shortest name. models.py binds the dropped name to the class kept (`WebhookForkForkeeOwner =
SimpleUser`), so every name still imports, and a class is a class wherever the contract repeats it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from generator.model.schemas import referenced_schemas, renamed_refs


def merge_copies(model_schemas: dict[str, Any], made: Iterable[str]) -> dict[str, str]:
    """Drop the schemas in `made` that repeat another; the result maps each dropped name to the class kept.

    Refs to a dropped schema are pointed at the one kept, which can make more schemas equal (two
    objects whose parts were merged), so it repeats until nothing changes.
    """
    hoisted = set(made)
    order = {name: i for i, name in enumerate(model_schemas)}
    users: dict[str, set[str]] = {}
    for name, schema in model_schemas.items():
        for target in referenced_schemas(schema):
            users.setdefault(target, set()).add(name)

    def rank(name: str) -> tuple[bool, int, int]:  # the contract's own first, then the shortest name
        return (name in hoisted, len(name) if name in hoisted else 0, order[name])

    shape_of: dict[str, str] = {}
    holder: dict[str, str] = {}  # shape -> the schema kept for it
    aliases: dict[str, str] = {}
    pending = sorted(model_schemas, key=rank)
    while pending:
        merged: dict[str, str] = {}
        for name in pending:
            old = shape_of.get(name)
            if old is not None and holder.get(old) == name:
                del holder[old]
            shape = shape_of[name] = json.dumps(model_schemas[name], sort_keys=True, default=str)
            kept = holder.setdefault(shape, name)
            if kept != name and name in hoisted:
                merged[name] = kept
        for name in merged:
            del model_schemas[name]
            del shape_of[name]
        aliases.update(merged)
        touched = {user for name in merged for user in users.get(name, ()) if user in model_schemas}
        for name in touched:
            model_schemas[name] = renamed_refs(model_schemas[name], merged)
            for target in referenced_schemas(model_schemas[name]):
                users.setdefault(target, set()).add(name)
        pending = sorted(touched, key=rank)
    return {alias: _final(alias, aliases) for alias in sorted(aliases)}


def _final(name: str, aliases: dict[str, str]) -> str:
    while name in aliases:  # a schema kept in one round may be merged in a later one
        name = aliases[name]
    return name
