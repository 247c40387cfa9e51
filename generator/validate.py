"""Contract validation: openapi-spec-validator first, then the house rules.

Every rule appends diagnostics and goes on, so one run reports every problem.
Rule ids are stable: tests, docs and editors refer to them.
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from .contract import Contract
from .diagnostics import Diagnostic, join_pointer
from .loader import SourceFile
from .names import snake
from .openapi import is_bearer, iter_operations, security_schemes
from .schemas import deref, scalar_type, schema_ref_name
from .spec_check import spec_diagnostics, version_problem_of

OWNER_NAMES = ("owner_id", "user_id")
DEFAULT_OWNER_FIELD = "owner_id"
DEFAULT_OWNER_CLAIM = "sub"
ON_DELETE = ("CASCADE", "SET NULL", "RESTRICT", "NO ACTION")
TABLE_KEYS = {"table", "primary_key", "timestamps", "indexes", "unique", "foreign_keys"}
IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
MOUNT_PATH = re.compile(r"^(/[A-Za-z0-9._~-]+)*/?$")  # a plain absolute path: no host, query, fragment or template


@dataclass(frozen=True)
class OwnerScope:
    field: str
    claim: str


class Reporter:
    def __init__(self, contract: Contract) -> None:
        self.contract = contract
        self.diags: list[Diagnostic] = []

    def api(self, pointer: str, rule: str, message: str) -> None:
        file, ptr = self.contract.api.source_of(pointer)
        self.diags.append(Diagnostic(file, ptr, rule, message))

    def at(self, file: str, pointer: str, rule: str, message: str) -> None:
        self.diags.append(Diagnostic(file, pointer, rule, message))


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
        if not isinstance(field, str) or not IDENTIFIER.match(field):
            return "x-owner-scoped.field must be the name of a property"
        if not isinstance(claim, str) or not claim:
            return "x-owner-scoped.claim must be a JWT claim name"
        return OwnerScope(field, claim)
    return "x-owner-scoped must be true or a mapping {field: ..., claim: ...}"


def string_set(value: Any) -> set[str]:
    """The strings of a list the contract says holds names (`required`, ...); anything else holds none."""
    return {v for v in value if isinstance(v, str)} if isinstance(value, list) else set()


def component_schemas(document: dict[str, Any]) -> dict[str, Any]:
    components = document.get("components")
    schemas = components.get("schemas") if isinstance(components, dict) else None
    return schemas if isinstance(schemas, dict) else {}


def owner_scopes(document: dict[str, Any]) -> dict[str, OwnerScope]:
    out = {}
    for name, schema in component_schemas(document).items():
        if isinstance(schema, dict) and "x-owner-scoped" in schema:
            scope = parse_owner_scope(schema["x-owner-scoped"])
            if isinstance(scope, OwnerScope):
                out[name] = scope
    return out


def database_tables(contract: Contract) -> Iterator[tuple[SourceFile, str, Any, str]]:
    for source in contract.database:
        tables = source.data.get("tables") if isinstance(source.data, dict) else None
        if isinstance(tables, dict):
            for name, spec in tables.items():
                yield source, str(name), spec, join_pointer("/tables", name)


def validate(contract: Contract, spec_validator: bool = True) -> list[Diagnostic]:
    """All rules. `spec_validator=False` when loading already failed: openapi-spec-validator cannot
    walk a document with broken references, and it is the slow part."""
    diags = spec_diagnostics(contract) if spec_validator else []
    return diags + house_rules(contract)


def house_rules(contract: Contract) -> list[Diagnostic]:
    """Every rule except openapi-spec-validator's (spec_check.py): fast, so the pipeline runs them first."""
    report = Reporter(contract)
    doc = contract.document
    version_problem = version_problem_of(doc)
    if version_problem is not None:
        # the house rules read OpenAPI 3 structures: on another version they would only add noise
        report.api(*version_problem)
        return report.diags
    _check_mount_path(report, doc)
    _check_operation_ids(report, doc)
    _check_links(report, doc)
    _check_security(report, doc)
    _check_path_parameters(report, doc)
    _check_parameter_styles(report, doc)
    _check_owner_scopes(report, doc)
    _check_owner_not_accepted(report, doc)
    _check_database(report, contract)
    return report.diags


def _check_mount_path(report: Reporter, doc: dict[str, Any]) -> None:
    servers = doc.get("servers")
    if not isinstance(servers, list) or not servers:
        return  # mounted at the root
    url = servers[0].get("url") if isinstance(servers[0], dict) else None
    if not isinstance(url, str) or not MOUNT_PATH.match(url):
        report.api(
            "/servers/0/url", "mount-path", "servers[0].url is the mount path: a plain absolute path such as /backend"
        )


def _check_operation_ids(report: Reporter, doc: dict[str, Any]) -> None:
    seen: dict[str, str] = {}
    for op in iter_operations(doc):
        op_id = op.declared_id
        if op_id is None:
            continue  # build derives one (note operation-id-derived)
        if op_id in seen:
            report.api(
                join_pointer(op.pointer, "operationId"),
                "operation-id-duplicate",
                f"operationId {op_id!r} is also used by {seen[op_id]}",
            )
        else:
            seen[op_id] = f"{op.method.upper()} {op.path}"


def _check_links(report: Reporter, doc: dict[str, Any]) -> None:
    """A link must name an operation that exists, or stateful tools follow it into nothing."""
    known = {op.node.get("operationId") for op in iter_operations(doc) if isinstance(op.node.get("operationId"), str)}
    for op in iter_operations(doc):
        responses = op.node.get("responses")
        for code, response in responses.items() if isinstance(responses, dict) else []:
            links = response.get("links") if isinstance(response, dict) else None
            for name, link in links.items() if isinstance(links, dict) else []:
                target = link.get("operationId") if isinstance(link, dict) else None
                if isinstance(target, str) and target not in known:
                    pointer = join_pointer(op.pointer, "responses", code, "links", name, "operationId")
                    report.api(
                        pointer,
                        "link-unknown-operation",
                        f"link {name} names operationId {target!r}, which no operation has",
                    )


def _check_security(report: Reporter, doc: dict[str, Any]) -> None:
    schemes = security_schemes(doc)
    bearer = {name for name, s in schemes.items() if is_bearer(s)}
    if not bearer:
        report.api(
            "/components/securitySchemes" if schemes else "/components",
            "security-bearer-required",
            "the contract declares no bearer JWT scheme (type: http, scheme: bearer)",
        )
        return
    root_security = doc.get("security")
    for op in iter_operations(doc):
        security = op.node.get("security", root_security)
        where = join_pointer(op.pointer, "security") if "security" in op.node else op.pointer
        if not isinstance(security, list) or not security:
            report.api(
                where,
                "security-bearer-required",
                f"{op.method.upper()} {op.path} must require the bearer JWT ({', '.join(sorted(bearer))})",
            )
            continue
        # every alternative must include the bearer scheme: an `{}` alternative means anonymous access
        for requirement in security:
            if not isinstance(requirement, dict) or not (set(requirement) & bearer):
                report.api(
                    where,
                    "security-bearer-required",
                    f"{op.method.upper()} {op.path} allows a security alternative without the bearer JWT",
                )
                break


_TEMPLATE_PARAM = re.compile(r"{([^}/]+)}")


def _check_path_parameters(report: Reporter, doc: dict[str, Any]) -> None:
    for op in iter_operations(doc):
        in_template = _TEMPLATE_PARAM.findall(op.path)
        declared = {p["name"]: ptr for p, ptr in op.parameters(doc) if p.get("in") == "path"}
        for name in in_template:
            if name not in declared:
                report.api(
                    op.pointer,
                    "path-param-undeclared",
                    f"{op.method.upper()} {op.path}: path parameter {{{name}}} is not declared in parameters",
                )
        for name, ptr in declared.items():
            if name not in in_template:
                report.api(
                    ptr,
                    "path-param-unused",
                    f"{op.method.upper()} {op.path}: path parameter {name!r} does not appear in the path",
                )


def _check_parameter_styles(report: Reporter, doc: dict[str, Any]) -> None:
    """Parameters FastAPI cannot parse into a value. Routes read path, query, header and cookie
    values with FastAPI, which knows scalars and arrays of them, not objects or path styles."""
    for op in iter_operations(doc):
        for param, ptr in op.parameters(doc):
            unsupported = _unsupported_parameter(doc, param)
            if unsupported:
                where = f"{op.method.upper()} {op.path}: {param.get('in')} parameter {param['name']!r}"
                report.api(ptr, "parameter-unsupported", f"{where} {unsupported}")


def _unsupported_parameter(doc: dict[str, Any], param: dict[str, Any]) -> str | None:
    if "schema" not in param:
        return None  # `content`: the value is passed on as text
    location, style = param.get("in"), param.get("style")
    schema = deref(doc, param.get("schema"))
    t = scalar_type(doc, schema)
    is_object = t.kind == "object" or (isinstance(schema, dict) and "properties" in schema)
    if location == "path" and style in ("matrix", "label"):
        return f"uses style {style}; specgen routes only plain {{name}} segments (style simple)"
    if location == "path" and (t.kind == "array" or is_object):
        return "is an array or object; a path parameter must be a single value"
    if style == "deepObject":
        if location == "query":
            return None  # name[key]=value: read by runtime.params.deep_object
        return "uses style deepObject, which only a query parameter can have"
    if is_object:
        return (
            "is an object, which specgen can read from a query only as style deepObject (name[key]=value); "
            "declare one parameter per property, or style: deepObject"
        )
    return None


def _check_owner_scopes(report: Reporter, doc: dict[str, Any]) -> None:
    for name, schema in component_schemas(doc).items():
        if not isinstance(schema, dict) or "x-owner-scoped" not in schema:
            continue
        pointer = join_pointer("/components/schemas", name, "x-owner-scoped")
        scope = parse_owner_scope(schema["x-owner-scoped"])
        if isinstance(scope, str):
            report.api(pointer, "owner-scope-invalid", scope)
            continue
        props = schema.get("properties")
        if not isinstance(props, dict) or scope.field not in props:
            report.api(
                pointer, "owner-scope-field", f"x-owner-scoped names field {scope.field!r}, which {name} does not have"
            )
            continue
        owner = deref(doc, props[scope.field])
        if not isinstance(owner, dict) or owner.get("readOnly") is not True:
            report.api(
                join_pointer("/components/schemas", name, "properties", scope.field),
                "owner-scope-field",
                f"owner field {name}.{scope.field} must be readOnly: the server sets it from the token",
            )


def _check_owner_not_accepted(report: Reporter, doc: dict[str, Any]) -> None:
    scopes = owner_scopes(doc)
    # The usual owner names count only where the contract has owners at all: in a contract without
    # x-owner-scoped resources (GitHub's /users/{user_id}) such a parameter names a user, not the caller.
    owner_names = (set(OWNER_NAMES) if scopes else set()) | {s.field for s in scopes.values()}
    for op in iter_operations(doc):
        for param, ptr in op.parameters(doc):
            if param.get("name") in owner_names:
                report.api(
                    join_pointer(ptr, "name"),
                    "owner-field-exposed",
                    f"{op.method.upper()} {op.path} takes parameter {param['name']!r}: the caller's identity comes only from the token",
                )
        body = op.json_body(doc)
        if body is None:
            continue
        schema, _, ptr = body
        for prop, prop_ptr in _writable_properties(doc, schema, ptr):
            if prop in owner_names:
                report.api(
                    prop_ptr,
                    "owner-field-exposed",
                    f"{op.method.upper()} {op.path} accepts body field {prop!r}: mark it readOnly, the owner comes from the token",
                )


def _writable_properties(
    doc: dict[str, Any], schema: Any, pointer: str, seen: frozenset[str] = frozenset()
) -> Iterator[tuple[str, str]]:
    """Top-level writable properties of a body schema (through $ref and allOf)."""
    name = schema_ref_name(schema)
    if name is not None:
        if name in seen:
            return  # an allOf that includes itself adds nothing new
        seen |= {name}
        pointer = join_pointer("/components/schemas", name)
    resolved = deref(doc, schema)
    if not isinstance(resolved, dict):
        return
    props = resolved.get("properties")
    if isinstance(props, dict):
        for prop, sub in props.items():
            sub_r = deref(doc, sub)
            if not (isinstance(sub_r, dict) and sub_r.get("readOnly") is True):
                yield str(prop), join_pointer(pointer, "properties", prop)
    all_of = resolved.get("allOf")
    for i, part in enumerate(all_of if isinstance(all_of, list) else []):
        yield from _writable_properties(doc, part, join_pointer(pointer, "allOf", i), seen)


def _check_database(report: Reporter, contract: Contract) -> None:
    doc = contract.document
    schemas = component_schemas(doc)
    table_names: dict[str, str] = {}
    for source in contract.database:
        if not isinstance(source.data, dict) or not isinstance(source.data.get("tables"), dict):
            report.at(
                source.display,
                "",
                "database-invalid",
                "a database spec is a mapping with a `tables` mapping of schema name to table",
            )
    mapped = {n for _, n, _, _ in database_tables(contract)}
    first_mapping: dict[str, str] = {}
    scopes = owner_scopes(doc)
    for source, name, spec, ptr in database_tables(contract):
        if name in first_mapping:
            report.at(
                source.display, ptr, "database-invalid", f"{name} is already mapped to a table in {first_mapping[name]}"
            )
            continue
        first_mapping[name] = source.display
        _check_table(report, source.display, name, spec, ptr, schemas.get(name), mapped, table_names)
        if isinstance(schemas.get(name), dict) and isinstance(spec, dict):
            _check_columns(report, doc, name, schemas[name], spec, scopes.get(name))


def _check_table(
    report: Reporter,
    file: str,
    name: str,
    spec: Any,
    ptr: str,
    schema: Any,
    mapped: set[str],
    table_names: dict[str, str],
) -> None:
    if not isinstance(schema, dict):
        report.at(file, ptr, "database-unknown-resource", f"no schema {name!r} in the contract's components.schemas")
        return
    if not isinstance(spec, dict):
        report.at(file, ptr, "database-invalid", f"table spec for {name} must be a mapping")
        return
    raw_props = schema.get("properties")
    props: dict[str, Any] = raw_props if isinstance(raw_props, dict) else {}
    for key in sorted(set(map(str, spec)) - TABLE_KEYS):
        report.at(
            file,
            join_pointer(ptr, key),
            "database-invalid",
            f"unknown key {key!r} (allowed: {', '.join(sorted(TABLE_KEYS))})",
        )
    table = spec.get("table", snake(name))
    if not isinstance(table, str) or not IDENTIFIER.match(table):
        report.at(file, join_pointer(ptr, "table"), "database-invalid", "table must be an SQL identifier")
    elif table in table_names:
        report.at(
            file,
            join_pointer(ptr, "table"),
            "database-invalid",
            f"table {table!r} is also used by {table_names[table]}",
        )
    else:
        table_names[table] = name

    def field_ref(value: Any, where: str) -> None:
        if not isinstance(value, str) or value not in props:
            report.at(file, where, "database-unknown-field", f"{name} has no field {value!r}")

    field_ref(spec.get("primary_key", "id"), join_pointer(ptr, "primary_key"))
    timestamps = spec.get("timestamps", {})
    if not isinstance(timestamps, dict) or set(map(str, timestamps)) - {"created", "updated"}:
        report.at(
            file,
            join_pointer(ptr, "timestamps"),
            "database-invalid",
            "timestamps is a mapping with keys created and/or updated",
        )
    else:
        for key, value in timestamps.items():
            field_ref(value, join_pointer(ptr, "timestamps", key))
    for key in ("indexes", "unique"):
        entries = spec.get(key, [])
        if not isinstance(entries, list):
            report.at(file, join_pointer(ptr, key), "database-invalid", f"{key} is a list of {{name, columns}}")
            continue
        for i, entry in enumerate(entries):
            where = join_pointer(ptr, key, i)
            cols = entry.get("columns") if isinstance(entry, dict) else None
            if not isinstance(cols, list) or not cols or not isinstance(entry.get("name"), str):
                report.at(file, where, "database-invalid", f"each of {key} needs a name and a non-empty columns list")
                continue
            for j, col in enumerate(cols):
                field_ref(col, join_pointer(where, "columns", j))
    fks = spec.get("foreign_keys", [])
    if not isinstance(fks, list):
        report.at(
            file,
            join_pointer(ptr, "foreign_keys"),
            "database-invalid",
            "foreign_keys is a list of {column, references, on_delete}",
        )
        return
    for i, fk in enumerate(fks):
        where = join_pointer(ptr, "foreign_keys", i)
        if not isinstance(fk, dict):
            report.at(file, where, "database-invalid", "a foreign key is a mapping {column, references, on_delete}")
            continue
        field_ref(fk.get("column"), join_pointer(where, "column"))
        target = fk.get("references")
        if not isinstance(target, str) or target not in mapped:
            report.at(
                file,
                join_pointer(where, "references"),
                "database-unknown-resource",
                f"foreign key references {target!r}, which is not a table in specs/database",
            )
        on_delete = fk.get("on_delete", "NO ACTION")
        if not isinstance(on_delete, str) or on_delete.upper() not in ON_DELETE:
            report.at(
                file,
                join_pointer(where, "on_delete"),
                "database-invalid",
                f"on_delete must be one of {', '.join(ON_DELETE)}",
            )


def _check_columns(
    report: Reporter,
    doc: dict[str, Any],
    name: str,
    schema: dict[str, Any],
    spec: dict[str, Any],
    scope: OwnerScope | None,
) -> None:
    """Every property becomes a column: it needs a usable name, and a read-only one a value the server sets."""
    props = schema.get("properties") if isinstance(schema.get("properties"), dict) else {}
    pk = spec.get("primary_key", "id")
    raw_timestamps = spec.get("timestamps")
    timestamps: dict[str, Any] = raw_timestamps if isinstance(raw_timestamps, dict) else {}
    owner = scope.field if scope else None
    server_set = {v for v in (pk, owner, *timestamps.values()) if isinstance(v, str)}
    required = string_set(schema.get("required"))
    # when the key or the owner declaration is itself broken, its own rule has spoken: no echoes here
    key_broken = not isinstance(pk, str) or pk not in (props or {})
    owner_broken = "x-owner-scoped" in schema and (scope is None or scope.field not in (props or {}))
    for prop, sub in (props or {}).items():
        where = join_pointer("/components/schemas", name, "properties", prop)
        if not isinstance(prop, str) or not IDENTIFIER.match(prop) or keyword.iskeyword(prop) or prop.startswith("_"):
            report.api(
                where,
                "database-field-name",
                f"{name}.{prop!s} cannot be a column name: table-backed fields must be identifiers like due_date",
            )
            continue
        resolved = deref(doc, sub)
        if not isinstance(resolved, dict) or resolved.get("readOnly") is not True or key_broken or owner_broken:
            continue
        if prop == pk and prop != owner:
            if scalar_type(doc, sub).kind != "integer":
                report.api(
                    where,
                    "read-only-unset",
                    f"{name}.{prop} is a read-only primary key, so the server must generate it: make it an integer, or writable",
                )
        elif prop not in server_set and prop in required and "default" not in resolved:
            report.api(
                where,
                "read-only-unset",
                f"{name}.{prop} is read-only and required, but nothing sets it: give it a default, or name it in timestamps",
            )
