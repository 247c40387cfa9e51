"""Which CRUD shape an operation has, and on which resource (docs/contract.md, "How an operation is
recognized"). Anything that matches no shape is `custom`: 501 until custom/ implements it."""

from __future__ import annotations

from typing import Any

from generator.ir.types import Resource
from generator.model.openapi import PATH_PARAMETER, RawOperation, success_response
from generator.model.schemas import deref, schema_ref_name


def list_item_resource(
    doc: dict[str, Any], schema: Any, resources: dict[str, Resource]
) -> tuple[str | None, tuple[str, ...]]:
    """(resource, envelope fields) when a response is a page of a resource."""
    resolved = deref(doc, schema)
    if not isinstance(resolved, dict):
        return None, ()
    if resolved.get("type") == "array":
        name = schema_ref_name(resolved.get("items"))
        return (name, ()) if name in resources else (None, ())
    props = resolved.get("properties")
    required = set(resolved.get("required") or [])
    if (
        isinstance(props, dict)
        and isinstance(props.get("items"), dict)
        and required <= {"items", "total", "limit", "offset"}
    ):
        # an envelope with other required fields is not a page we know how to fill: left to custom/
        items = deref(doc, props["items"])
        name = schema_ref_name(items.get("items")) if isinstance(items, dict) and items.get("type") == "array" else None
        if name in resources:
            return name, tuple(k for k in ("items", "total", "limit", "offset") if k in props)
    return None, ()


def operation_kind(
    doc: dict[str, Any],
    raw: RawOperation,
    resources: dict[str, Resource],
    body_res: str | None,
    resp_res: str | None,
    list_res: str | None,
) -> tuple[str, str | None]:
    """(kind, resource): which CRUD shape the operation has, on which resource (see contract.md)."""
    resource: str | None
    if body_res in resources:
        resource = body_res
    elif resp_res in resources:
        resource = resp_res
    elif list_res:
        resource = list_res
    else:
        resource = _path_item_resource(doc, raw, resources)
    res = resources.get(resource) if resource else None
    method = raw.method
    kind = "custom"
    if res is not None:
        n = len(PATH_PARAMETER.findall(raw.path))
        if res.singleton and n == 0:
            kind = {"get": "get_own", "put": "put_own", "delete": "delete_own"}.get(method, "custom")
        elif n == 0 and method == "get" and list_res == resource:
            kind = "list"
        elif n == 0 and method == "post" and body_res == resource:
            kind = "create"
        elif n == 1 and not res.singleton and _is_item_path(raw.path):
            if method == "get" and resp_res == resource:
                kind = "get"
            elif method == "patch" and body_res == resource:
                kind = "update"
            elif method == "put" and body_res == resource:
                kind = "replace"
            elif method == "delete":
                kind = "delete"
    if kind in ("get_own", "put_own") and method == "put" and body_res != resource:
        kind = "custom"
    return kind, resource


def _is_item_path(path: str) -> bool:
    return path.rstrip("/").endswith("}")


def _path_item_resource(doc: dict[str, Any], raw: RawOperation, resources: dict[str, Resource]) -> str | None:
    """The resource of a path without its own body or response (DELETE): its siblings name it."""
    for method, other in raw.path_item.items():
        if not isinstance(other, dict) or method == raw.method:
            continue
        _, schema = success_response(doc, other)
        name = schema_ref_name(schema)
        if name in resources:
            return name
    return None
