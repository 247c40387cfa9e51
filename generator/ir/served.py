"""The contract the app serves at /openapi.json: the designer's, bundled, made precise.

Two additions, both describing behaviour the generated code has:
- a request body that is a resource schema is served as the model the server
  validates it with: `<Name>Create` for create and replace (writable fields;
  required minus those with a default), `<Name>Update` for PATCH (any subset of
  the writable fields); both refuse unknown fields;
- a create that declares no `links` gets links to the operations that take the
  new row's key (get, update, delete, custom item operations), so stateful
  tools can chain them.
Everything else is served exactly as written.
"""

from __future__ import annotations

import copy
from typing import Any

from generator.base.diagnostics import join_pointer
from generator.base.names import pascal, unique
from generator.ir.types import Operation, Resource
from generator.load.bundle import MISSING, resolve_pointer
from generator.model.openapi import pick_json
from generator.model.owner import component_schemas
from generator.model.schemas import SCHEMA_PREFIX, deref, is_read_only, schema_ref_name

ITEM_KINDS = ("get", "update", "replace", "delete", "custom")
BODY_KINDS = ("create", "update", "replace", "put_own")


def served_contract(doc: dict[str, Any], operations: list[Operation], resources: dict[str, Resource]) -> dict[str, Any]:
    served = copy.deepcopy(doc)
    _request_bodies(served, operations)
    _links(served, operations, resources)
    return served


def _operation_node(served: dict[str, Any], op: Operation) -> dict[str, Any] | None:
    node = resolve_pointer(served, join_pointer("/paths", op.path, op.method))
    return node if node is not MISSING and isinstance(node, dict) else None


def _request_bodies(served: dict[str, Any], operations: list[Operation]) -> None:
    schemas = component_schemas(served)
    derived: dict[tuple[str, str], str] = {}
    for op in operations:
        if op.resource is None or op.kind not in BODY_KINDS:
            continue
        node = _operation_node(served, op)
        body = node.get("requestBody") if node else None
        content = body.get("content") if isinstance(body, dict) else None
        if not isinstance(content, dict):
            continue
        media = pick_json(content)
        if media is None or not isinstance(content[media], dict):
            continue
        if schema_ref_name(content[media].get("schema")) != op.resource:
            continue  # the designer wrote a body schema of their own: served as written
        partial = op.kind == "update"
        key = (op.resource, "Update" if partial else "Create")
        name = derived.get(key)
        if name is None:
            name = unique(f"{pascal(op.resource)}{key[1]}", set(schemas))
            derived[key] = name
            schemas[name] = _request_schema(served, schemas[op.resource], op.resource, partial)
        content[media]["schema"] = {"$ref": SCHEMA_PREFIX + name}


def _request_schema(doc: dict[str, Any], schema: Any, resource: str, partial: bool) -> dict[str, Any]:
    resolved = deref(doc, schema)
    raw_props = resolved.get("properties") if isinstance(resolved, dict) else None
    props: dict[str, Any] = raw_props if isinstance(raw_props, dict) else {}
    writable = {k: copy.deepcopy(v) for k, v in props.items() if not is_read_only(doc, v)}
    out: dict[str, Any] = {"type": "object", "additionalProperties": False, "properties": writable}
    if partial:
        out["description"] = f"Any subset of the writable fields of {resource}; fields not sent are left unchanged."
        for value in writable.values():
            if isinstance(value, dict):
                value.pop("default", None)
    else:
        out["description"] = f"The writable fields of {resource}; those with a default may be left out."
        required = [
            r for r in resolved.get("required") or [] if r in writable and "default" not in (deref(doc, props[r]) or {})
        ]
        if required:
            out["required"] = required
    return out


def _links(served: dict[str, Any], operations: list[Operation], resources: dict[str, Resource]) -> None:
    for create in operations:
        if create.kind not in ("create", "put_own") or create.resource is None:
            continue
        node = _operation_node(served, create)
        responses = node.get("responses") if node else None
        response = responses.get(str(create.status_code)) if isinstance(responses, dict) else None
        if not isinstance(response, dict) or "$ref" in response or "links" in response:
            continue
        resource = resources[create.resource]
        links: dict[str, Any] = {}
        for target in operations:
            if target is create or target.resource != create.resource:
                continue
            path_params = [p for p in target.parameters if p.location == "path"]
            if create.kind == "create" and target.kind in ITEM_KINDS and len(path_params) == 1:
                parameters = {path_params[0].name: f"$response.body#/{resource.primary_key}"}
            elif create.kind == "put_own" and target.kind in ("get_own", "delete_own", "custom") and not path_params:
                parameters = {}
            else:
                continue
            link: dict[str, Any] = (
                {"operationRef": "#" + join_pointer("/paths", target.path, target.method)}
                if target.derived_id  # not an operationId the served contract knows
                else {"operationId": target.operation_id}
            )
            if parameters:
                link["parameters"] = parameters
            links[pascal(target.operation_id)] = link
        if links:
            response["links"] = links
