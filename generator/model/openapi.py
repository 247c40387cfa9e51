"""Walking a bundled OpenAPI document: operations, parameters, bodies."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from generator.base.diagnostics import join_pointer
from generator.model.schemas import deref

PATH_PARAMETER = re.compile(r"{([^}/]+)}")  # `{name}` in a path template
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
JSON_MEDIA = ("application/json",)


@dataclass(frozen=True)
class RawOperation:
    path: str
    method: str
    node: dict[str, Any]
    pointer: str
    path_item: dict[str, Any]

    @property
    def declared_id(self) -> str | None:
        op_id = self.node.get("operationId")
        return op_id if isinstance(op_id, str) and op_id.strip() else None

    @property
    def operation_id(self) -> str:
        """The operationId, or `GET /pets/{id}` for an operation that declares none."""
        return self.declared_id or f"{self.method.upper()} {self.path}"

    def parameters(self, document: dict[str, Any]) -> list[tuple[dict[str, Any], str]]:
        """Effective parameters: the operation's override the path item's (by name and location)."""
        merged: dict[tuple[str, str], tuple[dict[str, Any], str]] = {}
        item_ptr = join_pointer("/paths", self.path)
        for base, ptr in ((self.path_item, item_ptr), (self.node, self.pointer)):
            params = base.get("parameters")
            if not isinstance(params, list):
                continue
            for i, raw in enumerate(params):
                param = deref(document, raw)
                if isinstance(param, dict) and isinstance(param.get("name"), str):
                    merged[(str(param.get("in")), param["name"])] = (param, join_pointer(ptr, "parameters", i))
        return list(merged.values())

    def json_body(self, document: dict[str, Any]) -> tuple[Any, bool, str] | None:
        """(schema, required, pointer) of the JSON request body, if any."""
        body = deref(document, self.node.get("requestBody"))
        if not isinstance(body, dict):
            return None
        content = body.get("content")
        if not isinstance(content, dict):
            return None
        media = pick_json(content)
        if media is None:
            return None
        entry = content[media]
        schema = entry.get("schema") if isinstance(entry, dict) else None
        ptr = join_pointer(self.pointer, "requestBody", "content", media, "schema")
        return schema, bool(body.get("required")), ptr


def media_essence(media: object) -> str:
    """`application/json` for `Application/JSON; charset=utf-8`."""
    return str(media).split(";", 1)[0].strip().lower()


def pick_json(content: dict[str, Any]) -> str | None:
    """The JSON media type of a content map, if it has one: JSON is preferred over every other."""
    for media in content:
        if media_essence(media) in JSON_MEDIA:
            return media
    for media in content:
        if media_essence(media).endswith("+json") or media_essence(media) == "*/*":
            return media
    return None


def iter_operations(document: dict[str, Any]) -> Iterator[RawOperation]:
    paths = document.get("paths")
    if not isinstance(paths, dict):
        return
    for path, item in paths.items():
        item = deref(document, item)
        if not isinstance(item, dict):
            continue
        for method in METHODS:
            op = item.get(method)
            if isinstance(op, dict):
                yield RawOperation(str(path), method, op, join_pointer("/paths", path, method), item)


def success_content(document: dict[str, Any], op: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """The primary 2xx status (the lowest; `2XX` counts as 200) and the content map of its response."""
    responses = op.get("responses")
    if not isinstance(responses, dict):
        return 200, {}
    codes = sorted(str(c) for c in responses if str(c).startswith("2") and str(c).isdigit())
    key: Any = codes[0] if codes else next((c for c in responses if str(c).upper() == "2XX"), None)
    if key is None:
        return 200, {}
    response = deref(document, responses[key])
    content = response.get("content") if isinstance(response, dict) else None
    return (int(key) if str(key).isdigit() else 200), content if isinstance(content, dict) else {}


def success_response(document: dict[str, Any], op: dict[str, Any]) -> tuple[int, Any]:
    """The primary 2xx status and its JSON schema: None when it has no JSON body, `{}` (any JSON)
    when the JSON media type has no schema."""
    code, content = success_content(document, op)
    media = pick_json(content)
    if media is None:
        return code, None
    entry = content[media]
    schema = entry.get("schema") if isinstance(entry, dict) else None
    return code, {} if schema is None else schema


def security_schemes(document: dict[str, Any]) -> dict[str, Any]:
    components = document.get("components")
    schemes = components.get("securitySchemes") if isinstance(components, dict) else None
    if not isinstance(schemes, dict):
        return {}
    return {name: deref(document, s) for name, s in schemes.items()}


def is_bearer(scheme: Any) -> bool:
    return (
        isinstance(scheme, dict) and scheme.get("type") == "http" and str(scheme.get("scheme", "")).lower() == "bearer"
    )
