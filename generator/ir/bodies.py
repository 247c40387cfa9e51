"""Request bodies and success responses: which media type a route speaks, and in what Python types.

JSON is preferred whenever it is offered. Otherwise a form (multipart or urlencoded) whose schema
is an object becomes one keyword parameter per field, files as `UploadFile`; anything else is
passed on as the raw `bytes`. A success response without JSON content is `bytes` the service
returns, sent with the response's first media type.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from generator.base.pysource import NONE, Code, literal
from generator.ir.parameters import deep_object_parameter, py_name
from generator.ir.types import Parameter
from generator.model.openapi import RawOperation, media_essence, pick_json, success_content
from generator.model.schemas import deref, is_read_only, numeric_constraints, python_annotation, text_coercion

MULTIPART = "multipart/form-data"
URLENCODED = "application/x-www-form-urlencoded"


@dataclass(frozen=True)
class RequestBody:
    kind: str  # json | form | raw
    media: str
    schema: Any  # None when the media type declares none
    required: bool
    encoding: dict[str, Any]  # a form's per-field encoding (style, explode, contentType)


def request_body(doc: dict[str, Any], raw: RawOperation) -> RequestBody | None:
    body = deref(doc, raw.node.get("requestBody"))
    content = body.get("content") if isinstance(body, dict) else None
    if not isinstance(content, dict) or not content:
        return None
    required = bool(body.get("required")) if isinstance(body, dict) else False

    def schema_of(media: str) -> Any:
        entry = content[media]
        return entry.get("schema") if isinstance(entry, dict) else None

    def encoding_of(media: str) -> dict[str, Any]:
        entry = content[media]
        encoding = entry.get("encoding") if isinstance(entry, dict) else None
        return encoding if isinstance(encoding, dict) else {}

    media = pick_json(content)
    if media is not None:
        return RequestBody("json", media, schema_of(media), required, {})
    for wanted in (MULTIPART, URLENCODED):  # multipart first: only it can carry files
        media = next((m for m in content if media_essence(m) == wanted), None)
        if media is not None and object_properties(doc, schema_of(media)):
            return RequestBody("form", media, schema_of(media), required, encoding_of(media))
    media = next(iter(content))
    return RequestBody("raw", str(media), schema_of(media), required, {})


def object_properties(doc: dict[str, Any], schema: Any) -> tuple[dict[str, Any], set[str]] | None:
    """The properties (and required names) of an object schema, `allOf` parts merged; None otherwise."""
    resolved = deref(doc, schema)
    if not isinstance(resolved, dict):
        return None
    props: dict[str, Any] = {}
    required: set[str] = set()
    if isinstance(resolved.get("properties"), dict):
        props.update(resolved["properties"])
    if isinstance(resolved.get("required"), list):
        required.update(str(r) for r in resolved["required"])
    for part in resolved.get("allOf") or []:
        merged = object_properties(doc, part)
        if merged:
            props.update(merged[0])
            required |= merged[1]
    return (props, required) if props else None


def _is_file(doc: dict[str, Any], schema: Any) -> bool:
    """A binary part: `format: binary` (3.0) or `contentMediaType` (3.1)."""
    resolved = deref(doc, schema)
    return isinstance(resolved, dict) and (resolved.get("format") == "binary" or "contentMediaType" in resolved)


def form_fields(
    doc: dict[str, Any], body: RequestBody, taken: set[str], model_for: Callable[[str, Any], str]
) -> list[Parameter]:
    """One parameter per field of a form body; files (multipart only) as UploadFile, fields encoded as
    deepObject (`features[0]=a`, `address[city]=b`) read like deepObject query parameters."""
    found = object_properties(doc, body.schema)
    if found is None:
        return []
    props, required_names = found
    multipart = media_essence(body.media) == MULTIPART
    fields = []
    for name, sub in props.items():
        resolved = deref(doc, sub)
        if is_read_only(doc, resolved):
            continue  # never sent by a client
        items = resolved.get("items") if isinstance(resolved, dict) and resolved.get("type") == "array" else None
        encoding = body.encoding.get(name)
        if isinstance(encoding, dict) and encoding.get("style") == "deepObject":
            python = py_name(name, taken)
            required = name in required_names
            fields.append(deep_object_parameter(doc, name, sub, python, required, model_for, "form"))
            continue
        constraints: tuple[tuple[str, Code], ...] = ()
        if multipart and _is_file(doc, sub):
            location, annotation = "file", "UploadFile"
        elif multipart and items is not None and _is_file(doc, items):
            location, annotation = "file", "list[UploadFile]"
        else:
            location, annotation = "form", python_annotation(doc, sub)
            constraints = tuple(numeric_constraints(doc, sub))
        required = name in required_names
        default = None
        if not required:
            has_default = isinstance(resolved, dict) and "default" in resolved and location == "form"
            default = literal(resolved["default"]) if has_default else NONE
        python = py_name(name, taken)
        fields.append(
            Parameter(
                name=name,
                py_name=python,
                location=location,
                annotation=annotation,
                constraints=constraints,
                required=required,
                default=default,
                alias=None if python == name else name,
                coerce=text_coercion(doc, sub) if location == "form" else None,
            )
        )
    return fields


def response_media(doc: dict[str, Any], op: dict[str, Any]) -> str | None:
    """The media type of a success response that has content but no JSON."""
    _, content = success_content(doc, op)
    if not content or pick_json(content) is not None:
        return None
    media = media_essence(next(iter(content)))
    return media if "*" not in media else "application/octet-stream"
