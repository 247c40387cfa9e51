"""Minimal valid values for OpenAPI schemas, and one valid request per operation.

A value is taken from the schema's own `example`/`examples`/`default`/`enum` when that value validates, else
built from the schema (the smallest object with its required properties, one array item when `minItems`
asks, a string that honours format, length and pattern). The result is checked against the schema, so a
422 from a server means the server refused a valid request, not that the harness sent a bad one.
"""

from __future__ import annotations

import json
import urllib.parse
import warnings
from dataclasses import dataclass, field
from typing import Any

from openapi_schema_validator import OAS30Validator, OAS31Validator

_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_FORMATS = {
    "date": "2024-01-02",
    "date-time": "2024-01-02T03:04:05Z",
    "time": "03:04:05Z",
    "uuid": "6f1c1e0a-8d2b-4c57-9a3e-1f2d3c4b5a69",
    "email": "someone@example.org",
    "idn-email": "someone@example.org",
    "uri": "https://example.org/a",
    "url": "https://example.org/a",
    "uriref": "https://example.org/a",
    "uri-reference": "/a",
    "iri": "https://example.org/a",
    "hostname": "example.org",
    "ipv4": "192.0.2.1",
    "ipv6": "2001:db8::1",
    "byte": "aGVsbG8=",
    "binary": "hello",
    "password": "secret-1",
    "duration": "P1D",
    "regex": "^a$",
    "json-pointer": "/a",
}
_MISSING = object()


class Schemas:
    """Schema look-ups and checks inside one bundled document."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        self.oas31 = str(document.get("openapi", "")).startswith("3.1")
        self._validator_cls: Any = OAS31Validator if self.oas31 else OAS30Validator

    def deref(self, node: Any, limit: int = 32) -> Any:
        while isinstance(node, dict) and isinstance(node.get("$ref"), str) and node["$ref"].startswith("#") and limit:
            target: Any = self.document
            for token in node["$ref"][1:].lstrip("/").split("/"):
                token = urllib.parse.unquote(token).replace("~1", "/").replace("~0", "~")
                target = target.get(token, _MISSING) if isinstance(target, dict) else _MISSING
            if target is _MISSING:
                return {}
            siblings = {k: v for k, v in node.items() if k != "$ref"}
            node = {**target, **siblings} if siblings and isinstance(target, dict) else target
            limit -= 1
        return node

    def valid(self, value: Any, schema: Any) -> bool:
        if not isinstance(schema, dict):
            return True
        wrapped = {**schema, "components": self.document.get("components", {})}
        try:
            return bool(self._validator_cls(wrapped).is_valid(value))
        except Exception:  # noqa: BLE001 - an unusable schema (bad pattern, odd ref) cannot judge the value
            return True

    def example(self, schema: Any) -> Any:
        """A value the schema accepts (best effort)."""
        for candidate in self._declared(schema):
            if self.valid(candidate, schema):
                return candidate
        return self.build(schema)

    def _declared(self, schema: Any) -> list[Any]:
        schema = self.deref(schema)
        if not isinstance(schema, dict):
            return []
        found = [schema[k] for k in ("const", "example", "default") if k in schema]
        if isinstance(schema.get("examples"), list):
            found += schema["examples"]
        if isinstance(schema.get("enum"), list):
            found += [v for v in schema["enum"] if v is not None]
        return found

    def build(self, schema: Any, depth: int = 0) -> Any:
        schema = self.deref(schema)
        if schema is True or not isinstance(schema, dict) or depth > 12:
            return "x"
        for candidate in self._declared(schema):
            if self.valid(candidate, schema):
                return candidate
        if any(isinstance(schema.get(k), list) and schema[k] for k in ("allOf", "oneOf", "anyOf")):
            return self._build_combined(schema, depth)
        kind = schema.get("type")
        if isinstance(kind, list):
            kind = next((k for k in kind if k != "null"), "null")
        if kind is None:
            kind = "object" if "properties" in schema else "array" if "items" in schema else "string"
        return getattr(self, f"_build_{kind}", lambda s, d: None)(schema, depth)

    def _build_combined(self, schema: dict[str, Any], depth: int) -> Any:
        """allOf parts merged, plus one oneOf/anyOf option (the first whose merge validates), plus own properties."""
        base: Any = {}
        for part in schema.get("allOf") or []:
            value = self.build(part, depth + 1)
            if not isinstance(value, dict):
                return value
            base.update(value)
        rest = {k: v for k, v in schema.items() if k not in ("allOf", "oneOf", "anyOf")}
        if "properties" in rest or "required" in rest:
            base.update(self._build_object(rest, depth))
        options = [o for key in ("oneOf", "anyOf") for o in schema.get(key) or []]
        options.sort(key=lambda o: isinstance(self.deref(o), dict) and self.deref(o).get("type") == "null")
        candidates = []
        for option in options:
            value = self.build(option, depth + 1)
            candidates.append({**base, **value} if isinstance(value, dict) and isinstance(base, dict) else value)
        for candidate in candidates:
            if self.valid(candidate, schema):
                return candidate
        return candidates[0] if candidates else base

    def _build_object(self, schema: dict[str, Any], depth: int) -> Any:
        properties: dict[str, Any] = schema["properties"] if isinstance(schema.get("properties"), dict) else {}
        value: dict[str, Any] = {}
        for name in schema.get("required") or []:
            if isinstance(name, str):
                value[name] = self.build(properties.get(name, {}), depth + 1)
        extra = schema.get("additionalProperties")
        minimum = schema.get("minProperties") or 0
        for name, sub in properties.items():
            if len(value) >= minimum:
                break
            value.setdefault(name, self.build(sub, depth + 1))
        while len(value) < minimum:
            value[f"key{len(value)}"] = self.build(extra if isinstance(extra, dict) else {}, depth + 1)
        return value

    def _build_array(self, schema: dict[str, Any], depth: int) -> Any:
        count = max(int(schema.get("minItems") or 0), 0)
        item = self.build(schema.get("items", {}), depth + 1)
        if schema.get("uniqueItems") and count > 1:
            return [item] + [self.build(schema.get("items", {}), depth + 1 + i) for i in range(1, count)]
        return [item] * count

    def _build_string(self, schema: dict[str, Any], depth: int) -> Any:
        pattern = schema.get("pattern")
        if isinstance(pattern, str):
            matched = _from_regex(pattern, schema)
            if matched is not None:
                return matched
        text = _FORMATS.get(str(schema.get("format")), "x")
        low, high = int(schema.get("minLength") or 0), schema.get("maxLength")
        if len(text) < low:
            text = text + "x" * (low - len(text))
        if isinstance(high, int) and len(text) > high:
            text = text[:high]
        return text

    def _build_integer(self, schema: dict[str, Any], depth: int) -> Any:
        return int(_number(schema, integer=True))

    def _build_number(self, schema: dict[str, Any], depth: int) -> Any:
        return _number(schema, integer=False)

    def _build_boolean(self, schema: dict[str, Any], depth: int) -> Any:
        return True

    def _build_null(self, schema: dict[str, Any], depth: int) -> Any:
        return None


def _number(schema: dict[str, Any], integer: bool) -> float:
    low, high = schema.get("minimum"), schema.get("maximum")
    step = 1 if integer else 0.5
    value: float = 1
    if isinstance(low, (int, float)):
        value = low + step if schema.get("exclusiveMinimum") is True else low
    if isinstance(schema.get("exclusiveMinimum"), (int, float)) and not isinstance(schema["exclusiveMinimum"], bool):
        value = schema["exclusiveMinimum"] + step
    if isinstance(high, (int, float)) and value > high:
        value = high
    if isinstance(schema.get("exclusiveMaximum"), (int, float)) and not isinstance(schema["exclusiveMaximum"], bool):
        value = min(value, schema["exclusiveMaximum"] - step)
    multiple = schema.get("multipleOf")
    if isinstance(multiple, (int, float)) and multiple > 0:
        value = multiple * max(1, round(value / multiple))
    return value


def _from_regex(pattern: str, schema: dict[str, Any]) -> str | None:
    """A short string matching the pattern (hypothesis, shrunk towards the simplest), or None."""
    try:
        from hypothesis import HealthCheck, Phase, given, settings
        from hypothesis import strategies as st
        from hypothesis.errors import NonInteractiveExampleWarning

        strategy = st.from_regex(pattern, fullmatch=False).filter(
            lambda s: len(s) >= int(schema.get("minLength") or 0) and len(s) <= int(schema.get("maxLength") or 10**6)
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", NonInteractiveExampleWarning)
            found: list[str] = []

            @settings(max_examples=30, phases=[Phase.generate], suppress_health_check=list(HealthCheck), database=None)
            @given(strategy)
            def first(value: str) -> None:
                if not found:
                    found.append(value)

            first()
            return found[0] if found else None
    except Exception:  # noqa: BLE001 - an unsupported regex dialect: fall back to the plain builder
        return None


@dataclass
class Request:
    method: str
    path: str  # the contract's path template, for the report
    url: str  # relative to the server, mount path included
    params: list[tuple[str, str | int | float | bool | None]] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)
    cookies: dict[str, str] = field(default_factory=dict)
    json_body: Any = None
    form: dict[str, Any] | None = None
    files: dict[str, tuple[str, bytes, str]] | None = None
    content: bytes | None = None
    has_json: bool = False


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    return str(value)


def _parameter_value(schemas: Schemas, param: dict[str, Any]) -> Any:
    if "example" in param:
        return param["example"]
    if isinstance(param.get("content"), dict) and param["content"]:
        media = next(iter(param["content"].values()))
        return json.dumps(schemas.example(media.get("schema", {}) if isinstance(media, dict) else {}))
    value = schemas.example(param.get("schema", {}))
    if value == [] or value == {}:
        # An empty array or object is not sent at all in most styles: a required parameter needs one item.
        schema = schemas.deref(param.get("schema", {}))
        if isinstance(schema, dict) and isinstance(schema.get("items"), dict):
            return [schemas.example(schema["items"])]
    return value


def _serialise_query(name: str, value: Any, param: dict[str, Any]) -> list[tuple[str, str]]:
    style, explode = param.get("style", "form"), param.get("explode", param.get("style", "form") == "form")
    if isinstance(value, list):
        if explode:
            return [(name, _scalar(v)) for v in value]
        separator = {"spaceDelimited": " ", "pipeDelimited": "|"}.get(style, ",")
        return [(name, separator.join(_scalar(v) for v in value))]
    if isinstance(value, dict):
        if style == "deepObject":
            return [(f"{name}[{k}]", _scalar(v)) for k, v in value.items()]
        if explode:
            return [(k, _scalar(v)) for k, v in value.items()]
        return [(name, ",".join(f"{k},{_scalar(v)}" for k, v in value.items()))]
    return [(name, _scalar(value))]


def _simple(value: Any) -> str:
    if isinstance(value, list):
        return ",".join(_scalar(v) for v in value)
    if isinstance(value, dict):
        return ",".join(f"{k},{_scalar(v)}" for k, v in value.items())
    return _scalar(value)


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any], dict[str, Any]]]:
    """(path, method, operation, path item) for every operation of the bundled document."""
    schemas = Schemas(document)
    found = []
    for path, raw_item in (document.get("paths") or {}).items():
        item = schemas.deref(raw_item)
        if not isinstance(item, dict):
            continue
        for method in _METHODS:
            if isinstance(item.get(method), dict):
                found.append((str(path), method, item[method], item))
    return found


def build_request(
    document: dict[str, Any], mount: str, path: str, method: str, op: dict[str, Any], item: dict[str, Any]
) -> Request:
    """One valid request for the operation: every path parameter and every required other parameter filled,
    the request body (first JSON media type, else form, multipart or raw) built from its schema."""
    schemas = Schemas(document)
    merged: dict[tuple[str, str], dict[str, Any]] = {}
    for source in (item.get("parameters") or [], op.get("parameters") or []):
        for raw in source:
            param = schemas.deref(raw)
            if isinstance(param, dict) and isinstance(param.get("name"), str):
                merged[(str(param.get("in")), param["name"])] = param
    url = path
    request = Request(method=method.upper(), path=path, url="")
    for (where, name), param in merged.items():
        if where != "path" and not param.get("required"):
            continue
        value = _parameter_value(schemas, param)
        if where == "path":
            url = url.replace("{" + name + "}", urllib.parse.quote(_simple(value), safe=""))
        elif where == "query":
            request.params += _serialise_query(name, value, param)
        elif where == "header" and name.lower() not in ("accept", "content-type", "authorization"):
            request.headers[name] = _simple(value)
        elif where == "cookie":
            request.cookies[name] = _simple(value)
    request.url = mount.rstrip("/") + url
    body = schemas.deref(op.get("requestBody"))
    content = body.get("content") if isinstance(body, dict) else None
    if isinstance(content, dict) and content:
        media = next((m for m in content if m == "application/json" or str(m).endswith("+json")), None)
        media = media or next(iter(content))
        entry = content[media] if isinstance(content[media], dict) else {}
        schema = entry.get("schema", {})
        if media == "application/json" or media.endswith("+json") or media == "*/*":
            value = (
                entry["example"]
                if "example" in entry and schemas.valid(entry["example"], schema)
                else schemas.example(schema)
            )
            request.json_body, request.has_json = value, True
            if media != "application/json":
                request.content = json.dumps(value).encode()
                request.headers["Content-Type"] = media if media != "*/*" else "application/json"
                request.has_json = False
        elif media == "application/x-www-form-urlencoded":
            value = schemas.example(schema)
            request.form = {k: _scalar(v) for k, v in value.items()} if isinstance(value, dict) else {}
        elif media.startswith("multipart/"):
            value = schemas.example(schema)
            request.form, request.files = {}, {}
            properties = schemas.deref(schema).get("properties", {}) if isinstance(schemas.deref(schema), dict) else {}
            for key, part in value.items() if isinstance(value, dict) else []:
                part_schema = schemas.deref(properties.get(key, {}))
                if isinstance(part_schema, dict) and part_schema.get("format") in ("binary", "byte"):
                    request.files[key] = (f"{key}.bin", b"hello", "application/octet-stream")
                else:
                    request.form[key] = _scalar(part)
            if not request.files:
                request.files["_"] = ("empty.txt", b"", "text/plain")  # forces a multipart encoding
        else:
            request.content = b"hello"
            request.headers["Content-Type"] = media if "*" not in media else "application/octet-stream"
    return request
