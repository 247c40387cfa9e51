"""Hoisted schemas that repeat another become names of its class."""

from __future__ import annotations

from typing import Any

from generator.ir.dedupe import merge_copies

ACCESS = {"type": "string", "enum": ["read", "write"]}
USER = {"type": "object", "properties": {"login": {"type": "string"}}}


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def obj(**props: Any) -> dict[str, Any]:
    return {"type": "object", "properties": props}


def test_a_repeated_hoisted_schema_becomes_an_alias_of_the_shortest_name() -> None:
    schemas = {
        "RepoPermissionsAdmin": dict(ACCESS),
        "RepoPermissionsPull": dict(ACCESS),
        "Repo": obj(admin=ref("RepoPermissionsAdmin"), pull=ref("RepoPermissionsPull")),
    }
    aliases = merge_copies(schemas, {"RepoPermissionsAdmin", "RepoPermissionsPull"})
    assert aliases == {"RepoPermissionsAdmin": "RepoPermissionsPull"}
    assert set(schemas) == {"RepoPermissionsPull", "Repo"}
    assert schemas["Repo"] == obj(admin=ref("RepoPermissionsPull"), pull=ref("RepoPermissionsPull"))


def test_the_contracts_own_schema_is_kept_and_never_merged_away() -> None:
    schemas = {
        "Account": dict(USER),
        "SimpleUser": dict(USER),  # the contract's own: both stay, though they are the same shape
        "EventSender": dict(USER),  # hoisted
        "Event": obj(sender=ref("EventSender")),
    }
    aliases = merge_copies(schemas, {"EventSender"})
    assert aliases == {"EventSender": "Account"}
    assert {"Account", "SimpleUser", "Event"} == set(schemas)
    assert schemas["Event"] == obj(sender=ref("Account"))


def test_objects_whose_parts_were_merged_are_merged_in_turn_and_aliases_name_the_final_class() -> None:
    schemas = {
        "PushSender": obj(kind=ref("PushSenderKind")),
        "PushSenderKind": dict(ACCESS),
        "ForkSenderLong": obj(kind=ref("ForkSenderLongKind")),
        "ForkSenderLongKind": dict(ACCESS),
        "Push": obj(sender=ref("PushSender")),
        "Fork": obj(sender=ref("ForkSenderLong")),
    }
    made = {"PushSender", "PushSenderKind", "ForkSenderLong", "ForkSenderLongKind"}
    aliases = merge_copies(schemas, made)
    assert aliases == {"ForkSenderLong": "PushSender", "ForkSenderLongKind": "PushSenderKind"}
    assert schemas["Fork"] == obj(sender=ref("PushSender"))
    assert set(schemas) == {"PushSender", "PushSenderKind", "Push", "Fork"}


def test_a_different_shape_description_or_constraint_keeps_its_own_class() -> None:
    schemas = {
        "AKind": dict(ACCESS),
        "BKind": {**ACCESS, "description": "Who may write"},
        "CKind": {"type": "string", "enum": ["read", "write", "admin"]},
    }
    assert merge_copies(schemas, set(schemas)) == {}
    assert len(schemas) == 3


def test_the_nodes_of_a_schema_that_points_at_a_merged_one_are_copied_not_edited() -> None:
    inner: dict[str, Any] = {"sender": ref("BSender")}
    event: dict[str, Any] = {"type": "object", "properties": inner}
    schemas = {"ASender": dict(USER), "BSender": dict(USER), "Event": event}
    merge_copies(schemas, {"ASender", "BSender"})
    assert schemas["Event"]["properties"]["sender"] == ref("ASender")
    assert inner == {"sender": ref("BSender")}  # the contract's node is left as it was
