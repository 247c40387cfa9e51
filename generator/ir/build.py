"""Compile a validated contract into the IR (types.py): operations, groups and models; tables in resources.py."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from generator.base.diagnostics import Diagnostic, join_pointer
from generator.base.names import RESERVED_CLASS_NAMES, RESERVED_CONSTANT_NAMES, pascal, snake, unique
from generator.ir.bodies import form_fields, request_body, response_media
from generator.ir.dedupe import merge_copies
from generator.ir.enums import hoist_inline_enums
from generator.ir.hoist import hoist_inline_objects
from generator.ir.kinds import list_item_resource, operation_kind
from generator.ir.parameters import ROUTER_NAMES, func_name, new_taken, operation_parameters, route_path
from generator.ir.resources import build_resource
from generator.ir.served import served_contract
from generator.ir.types import Group, Operation, Project, Resource, Source, service_class_names
from generator.ir.views import READ, WRITE, Views
from generator.load.contract import Contract
from generator.model.openapi import RawOperation, iter_operations, success_response
from generator.model.owner import component_schemas, owner_scopes
from generator.model.schemas import (
    INT32_MAX,
    INT32_MIN,
    INT64_MAX,
    INT64_MIN,
    deref,
    is_read_only,
    referenced_schemas,
    renamed_refs,
    scalar_type,
    schema_ref_name,
)
from generator.model.tables import database_tables, table_specs


def build(contract: Contract) -> tuple[Project, list[Diagnostic]]:
    doc = contract.document
    diags: list[Diagnostic] = []
    schemas = component_schemas(doc)
    scopes = owner_scopes(doc)

    # Python class names for every schema, decided once (datamodel-code-generator gets them as is).
    # Names the generated modules import are never taken, nor the services' class names.
    taken: set[str] = set(RESERVED_CLASS_NAMES)
    for raw in iter_operations(doc):
        prefix = pascal(_group_name(raw))
        taken |= set(service_class_names(prefix))
    class_of: dict[str, str] = {}
    resource_names = [name for _, name, _, _ in database_tables(contract)]
    for name in schemas:
        if name not in resource_names:
            class_of[name] = unique(pascal(name), taken)
    family: dict[str, tuple[str, str, str]] = {}
    for name in resource_names:
        base = pascal(name)
        family[name] = (unique(f"{base}Create", taken), unique(f"{base}Update", taken), unique(f"{base}Public", taken))
        class_of[name] = family[name][2]

    tables = table_specs(contract)
    attr_taken = {n.lower() for n in RESERVED_CONSTANT_NAMES}  # each attribute's upper case is a constant
    resources = [
        build_resource(doc, name, spec, tables, scopes, family[name], attr_taken, contract)
        for name, spec in tables.items()
    ]
    by_name = {r.name: r for r in resources}

    model_schemas = _model_schemas(doc, schemas, class_of, by_name)
    families = {m: pascal(n) for n, r in by_name.items() for m in (r.create_model, r.update_model, r.public_model)}
    made = hoist_inline_enums(model_schemas, families, taken)
    models = _Models(class_of, taken, Views(model_schemas, set(families), taken))
    for r in resources:  # a resource's property may reference a schema with read/write-only parts
        for model, mode in ((r.create_model, WRITE), (r.update_model, WRITE), (r.public_model, READ)):
            model_schemas[model] = models.views.view(model_schemas[model], mode)
    operations = []
    fn_taken: set[str] = set(ROUTER_NAMES)
    for raw in iter_operations(doc):
        operations.append(_operation(doc, contract, raw, by_name, models, fn_taken))
    model_schemas.update(models.extra)
    users_of = hoist_inline_objects(model_schemas, families, taken)
    made |= set(users_of) | hoist_inline_enums(model_schemas, families, taken)  # bodies', responses' and parts'
    request_models = {m for r in resources for m in (r.create_model, r.update_model)}
    request_models |= {op.body_model for op in operations if op.body_model} | models.views.request_models()
    for part, users in users_of.items():  # in the order they were made: users are decided before their parts
        if all(user in request_models for user in users):  # a part some response uses obeys the response rules
            request_models.add(part)
    aliases = merge_copies(model_schemas, made)
    for alias, kept in aliases.items():  # a class any response uses obeys the response rules
        if alias not in request_models:
            request_models.discard(kept)
    omit_none, rebuild_order = _omit_when_none(model_schemas, request_models)
    diags += _ignored_parts(contract) + _derived_ids(contract, operations)

    groups: dict[str, list[Operation]] = {}
    for op in operations:
        groups.setdefault(op.group, []).append(op)
    group_nodes = tuple(
        Group(
            name=name,
            class_prefix=pascal(name),
            operations=tuple(ops),
            resources=tuple(sorted({op.resource for op in ops if op.resource})),
        )
        for name, ops in sorted(groups.items())
    )

    servers = doc.get("servers")
    mount = "/"
    if isinstance(servers, list) and servers and isinstance(servers[0], dict):
        mount = str(servers[0].get("url") or "/")
    raw_info = doc.get("info")
    info: dict[str, Any] = raw_info if isinstance(raw_info, dict) else {}
    project = Project(
        title=str(info.get("title") or "API"),
        spec_file=contract.api.root,
        database_file=contract.database[0].display if contract.database else None,
        mount_path=mount.rstrip("/"),
        resources=tuple(resources),
        groups=group_nodes,
        model_schemas=model_schemas,
        model_aliases=tuple(aliases.items()),
        omit_none=omit_none,
        rebuild_order=rebuild_order,
        served_contract=served_contract(doc, operations, by_name),
        owner_fields=tuple(sorted({r.owner_field for r in resources if r.owner_field})),
        read_only_fields=tuple(sorted({f for r in resources for f in r.read_only})),
    )
    return project, diags


def _bounded(prop: Any, doc: dict[str, Any]) -> Any:
    """Integers that reach a 64-bit column get its bounds, so overflow is a 422 and not a driver error."""
    t = scalar_type(doc, prop)
    if t.kind != "integer" or not isinstance(prop, dict) or t.enum:
        return prop  # an enum is bounded by its values
    prop = dict(prop)
    small = t.format == "int32"
    prop.setdefault("minimum", INT32_MIN if small else INT64_MIN)
    prop.setdefault("maximum", INT32_MAX if small else INT64_MAX)
    return prop


def _model_schemas(
    doc: dict[str, Any], schemas: dict[str, Any], class_of: dict[str, str], resources: dict[str, Resource]
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, schema in schemas.items():
        if name in resources:
            continue
        out[class_of[name]] = renamed_refs(schema, class_of)
    for name, res in resources.items():
        schema = deref(doc, schemas[name])
        props = schema.get("properties") or {}
        required = list(schema.get("required") or [])
        writable = {k: _bounded(renamed_refs(v, class_of), doc) for k, v in props.items() if not is_read_only(doc, v)}
        public = {
            k: renamed_refs(v, class_of)
            for k, v in props.items()
            if not (isinstance(deref(doc, v), dict) and deref(doc, v).get("writeOnly") is True)
        }
        keep = {k: v for k, v in schema.items() if k in ("description", "title")}
        out[res.create_model] = {
            **keep,
            "type": "object",
            "additionalProperties": False,
            "properties": writable,
            "required": [r for r in required if r in writable and "default" not in (deref(doc, props[r]) or {})],
        }
        # PATCH semantics: a field not sent is left alone, so no field has a default
        partial = {
            k: {kk: vv for kk, vv in v.items() if kk != "default"} if isinstance(v, dict) else v
            for k, v in writable.items()
        }
        out[res.update_model] = {**keep, "type": "object", "additionalProperties": False, "properties": partial}
        out[res.public_model] = {
            **keep,
            "type": "object",
            "properties": public,
            "required": [r for r in required if r in public],
        }
    for schema in out.values():
        if isinstance(schema, dict) and not schema.get("required"):
            schema.pop("required", None)
    return out


def _omit_when_none(
    model_schemas: dict[str, Any], request_models: set[str]
) -> tuple[tuple[tuple[str, tuple[str, ...]], ...], tuple[str, ...]]:
    """Response models' optional, non-nullable properties, and the models to rebuild (contained first)."""
    doc = {"components": {"schemas": model_schemas}}
    omit: dict[str, tuple[str, ...]] = {}
    for name, schema in model_schemas.items():
        if name in request_models or not isinstance(schema, dict) or not isinstance(schema.get("properties"), dict):
            continue
        required = set(schema.get("required") or [])
        fields = tuple(
            p
            for p, sub in schema["properties"].items()
            if p not in required
            and not scalar_type(doc, sub).nullable
            and not (isinstance(deref(doc, sub), dict) and "default" in deref(doc, sub))
        )
        if fields:
            omit[name] = fields
    names = model_schemas.keys()
    refs = {name: referenced_schemas(schema) & names for name, schema in model_schemas.items()}
    affected = set(omit)
    changed = True
    while changed:  # every model that contains an affected one is affected
        grown = {n for n, r in refs.items() if r & affected} - affected
        affected |= grown
        changed = bool(grown)
    order: list[str] = []
    visiting: set[str] = set()

    def visit(name: str) -> None:
        if name in order or name in visiting or name not in affected:
            return
        visiting.add(name)
        for dep in sorted(refs[name]):
            visit(dep)
        visiting.discard(name)
        order.append(name)

    for name in sorted(affected):
        visit(name)
    return tuple(sorted(omit.items())), tuple(order)


def _group_name(raw: RawOperation) -> str:
    tags = raw.node.get("tags")
    if isinstance(tags, list) and tags and isinstance(tags[0], str):
        return snake(tags[0], "default")
    first = next((seg for seg in raw.path.split("/") if seg and not seg.startswith("{")), "default")
    return snake(first, "default")


@dataclass
class _Models:
    """Naming state for the models operations add: contract names to classes, names taken, views."""

    class_of: dict[str, str]
    taken: set[str]
    views: Views
    extra: dict[str, Any] = field(default_factory=dict)  # inline body and response schemas

    def inline(self, name: str, schema: Any, mode: str) -> str:
        final = unique(name, self.taken)
        self.extra[final] = self.views.view(renamed_refs(schema, self.class_of), mode)
        return final


def _operation(
    doc: dict[str, Any],
    contract: Contract,
    raw: RawOperation,
    resources: dict[str, Resource],
    models: _Models,
    fn_taken: set[str],
) -> Operation:
    op_id = raw.operation_id
    status, response_schema = success_response(doc, raw.node)
    body = request_body(doc, raw)
    body_schema = body.schema if body is not None and body.kind == "json" else None
    body_res = schema_ref_name(body_schema)
    resp_res = schema_ref_name(response_schema)
    list_res, envelope = list_item_resource(doc, response_schema, resources)
    kind, resource = operation_kind(doc, raw, resources, body_res, resp_res, list_res)
    res = resources.get(resource) if resource else None
    method = raw.method

    fn = func_name(op_id, fn_taken)
    body_model = None
    if body is not None and body.kind == "json":
        class_of = models.class_of
        if body_res in resources:
            r = resources[body_res]
            body_model = (
                r.update_model if kind == "update" or (method == "patch" and kind == "custom") else r.create_model
            )
        elif body_res is not None and body_res in class_of and not _is_enum(doc, body_schema):
            body_model = models.views.class_for(class_of[body_res], WRITE)
        else:  # inline, or an enum (bodies are validated as models)
            body_model = models.inline(pascal(op_id) + "Body", {} if body_schema is None else body_schema, WRITE)
    response_model = None
    if response_schema is not None:
        class_of = models.class_of
        resolved_response = deref(doc, response_schema)
        item_name = (
            schema_ref_name(resolved_response.get("items"))
            if isinstance(resolved_response, dict) and resolved_response.get("type") == "array"
            else None
        )
        if resp_res is not None and resp_res in class_of:
            response_model = models.views.class_for(class_of[resp_res], READ)
        elif resp_res is None and item_name is not None and item_name in class_of:
            response_model = f"list[{models.views.class_for(class_of[item_name], READ)}]"
        else:
            response_model = models.inline(pascal(op_id) + "Response", response_schema, READ)

    taken = new_taken()

    def parameter_model(name: str, schema: Any) -> str:
        ref = schema_ref_name(schema)
        if ref is not None and ref in models.class_of:
            return models.views.class_for(models.class_of[ref], WRITE)
        return models.inline(pascal(op_id) + pascal(name), schema, WRITE)

    params = operation_parameters(doc, raw, taken, parameter_model)
    if body is not None and body.kind == "form":
        params += form_fields(doc, body, taken, parameter_model)
    filters: tuple[str, ...] = ()
    if kind == "list" and res is not None:
        columns = {c.name for c in res.columns}
        filters = tuple(p.name for p in params if p.location == "query" and p.name in columns)
    summary = raw.node.get("summary")
    return Operation(
        operation_id=op_id,
        func_name=fn,
        method=method,
        path=raw.path,
        route_path=route_path(raw.path, params),
        kind=kind,
        group=_group_name(raw),
        resource=resource if res is not None else None,
        parameters=tuple(params),
        body_model=body_model,
        body_required=body.required if body is not None else False,
        response_model=response_model,
        status_code=status,
        filters=filters,
        envelope_fields=envelope,
        summary=summary if isinstance(summary, str) else None,
        source=Source(*contract.api.source_of(raw.pointer)),
        body_kind=body.kind if body is not None else None,
        response_media=response_media(doc, raw.node) if response_model is None else None,
        derived_id=raw.declared_id is None,
    )


def _is_enum(doc: dict[str, Any], schema: Any) -> bool:
    """Enums become Enum classes, not models: a body of one is wrapped in a model of its own."""
    resolved = deref(doc, schema)
    return isinstance(resolved, dict) and isinstance(resolved.get("enum"), list) and "properties" not in resolved


def _derived_ids(contract: Contract, operations: list[Operation]) -> list[Diagnostic]:
    """Notes for operations without an operationId: which method custom/ overrides."""
    return [
        Diagnostic(
            *contract.api.source_of(join_pointer("/paths", op.path, op.method)),
            "operation-id-derived",
            f"{op.operation_id} has no operationId; it is {op.group}.{op.func_name} in the services",
        )
        for op in operations
        if op.derived_id
    ]


def _ignored_parts(contract: Contract) -> list[Diagnostic]:
    """Notes (not errors) for the parts of a contract that are valid but not served."""
    webhooks = contract.document.get("webhooks")
    if not isinstance(webhooks, dict) or not webhooks:
        return []
    file, pointer = contract.api.source_of("/webhooks")
    names = ", ".join(sorted(map(str, webhooks)))
    return [
        Diagnostic(
            file,
            pointer,
            "webhooks-ignored",
            f"webhooks are requests this API sends, not routes it serves; specgen generates nothing for {names}",
        )
    ]
