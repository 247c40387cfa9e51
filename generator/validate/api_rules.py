"""Contract validation: the house rules (openapi-spec-validator's checks are spec_check.py, which the
pipeline runs after these pass, in the background while it builds the IR).

Every rule appends diagnostics and goes on, so one run reports every problem.
Rule ids are stable: tests, docs and editors refer to them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from typing import Any

from generator.base.diagnostics import Diagnostic, join_pointer
from generator.load.contract import Contract
from generator.model.openapi import PATH_PARAMETER, is_bearer, iter_operations, security_schemes
from generator.model.owner import OWNER_SCOPED, component_schemas, owner_scopes, parse_owner_scope
from generator.model.schemas import deref, is_read_only, scalar_type, schema_ref_name
from generator.validate.database_rules import check_database
from generator.validate.report import Reporter
from generator.validate.spec_check import version_problem_of
from generator.validate.text_rules import check_text

OWNER_NAMES = ("owner_id", "user_id")
MOUNT_PATH = re.compile(r"(/[A-Za-z0-9._~-]+)*/?")  # fullmatch: a plain absolute path, no host, query or template


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
    check_database(report, contract, component_schemas(doc), owner_scopes(doc))
    check_text(report, contract)
    return report.diags


def _check_mount_path(report: Reporter, doc: dict[str, Any]) -> None:
    servers = doc.get("servers")
    if not isinstance(servers, list) or not servers:
        return  # mounted at the root
    url = servers[0].get("url") if isinstance(servers[0], dict) else None
    if not isinstance(url, str) or not MOUNT_PATH.fullmatch(url):
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


def _check_path_parameters(report: Reporter, doc: dict[str, Any]) -> None:
    for op in iter_operations(doc):
        in_template = PATH_PARAMETER.findall(op.path)
        declared = {p["name"]: ptr for p, ptr in op.parameters(doc) if p.get("in") == "path"}
        for name in sorted({n for n in in_template if in_template.count(n) > 1}):
            report.api(
                op.pointer,
                "path-param-repeated",
                f"{op.method.upper()} {op.path}: path parameter {{{name}}} appears more than once; a route can bind it once",
            )
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
        if not isinstance(schema, dict) or OWNER_SCOPED not in schema:
            continue
        pointer = join_pointer("/components/schemas", name, OWNER_SCOPED)
        scope = parse_owner_scope(schema[OWNER_SCOPED])
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
    # compared as Python reads names (NFKC): a body field `ｏwner_id` becomes the model field `owner_id`
    owner_names = {_nfkc(n) for n in (set(OWNER_NAMES) if scopes else set()) | {s.field for s in scopes.values()}}
    for op in iter_operations(doc):
        for param, ptr in op.parameters(doc):
            if _nfkc(param.get("name")) in owner_names:
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
            if _nfkc(prop) in owner_names:
                report.api(
                    prop_ptr,
                    "owner-field-exposed",
                    f"{op.method.upper()} {op.path} accepts body field {prop!r}: mark it readOnly, the owner comes from the token",
                )


def _nfkc(name: Any) -> str:
    return unicodedata.normalize("NFKC", name) if isinstance(name, str) else ""


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
            if not is_read_only(doc, sub):
                yield str(prop), join_pointer(pointer, "properties", prop)
    all_of = resolved.get("allOf")
    for i, part in enumerate(all_of if isinstance(all_of, list) else []):
        yield from _writable_properties(doc, part, join_pointer(pointer, "allOf", i), seen)
