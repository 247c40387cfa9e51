"""RFC 9457 problem details: the one error shape of every 4xx and 5xx.

Nothing the client sent is echoed back, and nothing about the server (traceback,
SQL, paths, library names) leaves it: 500s carry only a request id, which is
logged beside the real error.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect
from starlette.responses import Response
from starlette.routing import compile_path
from starlette.types import Send

PROBLEM_JSON = "application/problem+json"
log = logging.getLogger("specgen")


class Problem(StarletteHTTPException):
    """An HTTP error with a problem body; raise it from handlers and data access."""

    def __init__(
        self,
        status: int,
        detail: str | None = None,
        headers: dict[str, str] | None = None,
        errors: list[dict[str, str]] | None = None,
    ) -> None:
        super().__init__(status_code=status, detail=detail, headers=headers)
        self.errors = errors


NOT_FOUND_DETAIL = "No such resource"


class NotFound(Problem):
    def __init__(self, detail: str = NOT_FOUND_DETAIL, errors: list[dict[str, str]] | None = None) -> None:
        super().__init__(404, detail, errors=errors)


class Conflict(Problem):
    def __init__(self, detail: str, errors: list[dict[str, str]] | None = None) -> None:
        super().__init__(409, detail, errors=errors)


class Unprocessable(Problem):
    def __init__(self, detail: str, errors: list[dict[str, str]] | None = None) -> None:
        super().__init__(422, detail, errors=errors)


class NotImplementedOperation(Problem):
    def __init__(self, operation_id: str) -> None:
        super().__init__(501, f"Operation {operation_id} is not implemented yet")


class ServiceUnavailable(Problem):
    def __init__(self, detail: str = "The service is temporarily unavailable", retry_after: int = 1) -> None:
        super().__init__(503, detail, headers={"Retry-After": str(retry_after)})


def problem_body(status: int, detail: str | None = None, **extra: Any) -> bytes:
    try:
        title = HTTPStatus(status).phrase
    except ValueError:
        title = "Error"
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    body.update({k: v for k, v in extra.items() if v is not None})
    return json.dumps(body, separators=(",", ":")).encode()


# The raw ASGI form, for middleware that answers before (or without) the router.
PROBLEM_HEADERS = [(b"content-type", PROBLEM_JSON.encode()), (b"cache-control", b"no-store")]


async def send_problem(send: Send, status: int, detail: str) -> None:
    await send({"type": "http.response.start", "status": status, "headers": PROBLEM_HEADERS})
    await send({"type": "http.response.body", "body": problem_body(status, detail)})


def problem_response(
    status: int, detail: str | None = None, headers: dict[str, str] | None = None, **extra: Any
) -> Response:
    return Response(problem_body(status, detail, **extra), status_code=status, headers=headers, media_type=PROBLEM_JSON)


# What a 422 repeats of the request is bounded: a key is the client's text (a 500 KB key was echoed
# whole), and a detail can quote a schema or a value.
MAX_POINTER_KEY = 64
MAX_DETAIL = 200
ELLIPSIS = "\u2026"


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + ELLIPSIS


def _pointer(loc: tuple[Any, ...] | list[Any]) -> str:
    """An RFC 6901 pointer; each key clipped before escaping, so no `~` escape is cut in half."""
    return "/" + "/".join(_clip(str(part), MAX_POINTER_KEY).replace("~", "~0").replace("/", "~1") for part in loc)


def validation_errors(
    raw: list[dict[str, Any]], owner_fields: frozenset[str], read_only: frozenset[str]
) -> list[dict[str, str]]:
    """Pydantic errors as {pointer, detail}; never the submitted input."""
    out = []
    for err in raw:
        loc = tuple(err.get("loc", ()))
        field = str(loc[-1]) if loc else ""
        detail = str(err.get("msg", "Invalid value"))
        kind = err.get("type")
        if kind == "extra_forbidden" and loc[:1] == ("body",):
            if field in owner_fields:
                detail = f"{field} is set by the server from the caller's token and cannot be sent"
            elif field in read_only:
                detail = f"{field} is read-only"
            else:
                detail = "Unknown field"
        elif kind == "json_invalid":
            detail = "The body is not valid JSON"
        detail = _clip(_without_input(detail, err.get("input"), kind), MAX_DETAIL)
        out.append({"pointer": _pointer(loc), "detail": detail})
    return out


AllowTable = list[tuple[re.Pattern[str], frozenset[str]]]


def allow_table(routes: list[tuple[str, set[str]]]) -> AllowTable:
    """(path template, methods) pairs compiled once, for the Allow header of a 405."""
    merged: dict[str, set[str]] = {}
    for path, methods in routes:
        merged.setdefault(path, set()).update(methods)
    return [(compile_path(path)[0], frozenset(methods)) for path, methods in merged.items()]


_QUOTED = re.compile(r"`[^`]*`")
# A validator's own message (email-validator's) quotes the input in single quotes: the characters it
# refused, or a whole label of the domain ('top§secret'). Pydantic's built-in messages quote only
# contract text that way (an enum's values, a pattern), so they keep theirs.
_SINGLE_QUOTED = re.compile(r"'[^']*'")


def _without_input(detail: str, submitted: Any, kind: object = None) -> str:
    """Pydantic sometimes quotes part of the input (`x`); a 422 must never repeat what was sent."""
    detail = _QUOTED.sub("a character", detail)
    if kind == "value_error":
        detail = _SINGLE_QUOTED.sub("part of the value", detail)
    if isinstance(submitted, str) and len(submitted) >= 4 and submitted in detail:
        return "Invalid value"
    return detail


def _allowed_methods(table: AllowTable, path: str) -> str:
    """Every method declared for this path (Starlette names only the first matching route's)."""
    methods: set[str] = set()
    for regex, declared in table:
        if regex.match(path):
            methods |= declared
    return ", ".join(sorted(methods))


def install_problem_handlers(
    app: FastAPI, owner_fields: tuple[str, ...] = (), read_only: tuple[str, ...] = (), allow: AllowTable | None = None
) -> None:
    owners, read_only_set = frozenset(owner_fields), frozenset(read_only)
    allow = allow or []

    @app.exception_handler(StarletteHTTPException)
    async def http_problem(request: Request, exc: StarletteHTTPException) -> Response:
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            headers["Allow"] = _allowed_methods(allow, request.url.path)
        detail = exc.detail if isinstance(exc, Problem) else None
        if detail is None and exc.status_code not in (404, 405):
            detail = exc.detail if isinstance(exc.detail, str) else None
        errors = exc.errors if isinstance(exc, Problem) else None
        return problem_response(exc.status_code, detail, headers=headers or None, errors=errors)

    @app.exception_handler(RequestValidationError)
    async def validation_problem(request: Request, exc: RequestValidationError) -> Response:
        raw = list(exc.errors())
        if raw and all(tuple(err.get("loc", ()))[:1] == ("path",) for err in raw):
            # a path that cannot name a row (`/tasks/abc`, an id past 64 bits) names nothing: 404,
            # the same answer as a well-formed id that is missing or someone else's
            return problem_response(404, NOT_FOUND_DETAIL)
        errors = validation_errors(raw, owners, read_only_set)
        return problem_response(422, "The request does not match the contract", errors=errors)

    @app.exception_handler(ClientDisconnect)
    async def client_gone(request: Request, exc: ClientDisconnect) -> Response:
        # The client hung up while sending its body: nothing failed here and nobody reads an
        # answer. One line, not a traceback (uvicorn drops what is sent after a disconnect).
        log.info("client disconnected before its request body was read: %s %r", request.method, request.url.path)
        return problem_response(400, "The request body was not received in full")

    @app.exception_handler(Exception)
    async def internal_problem(request: Request, exc: Exception) -> Response:
        request_id = uuid.uuid4().hex
        log.error("unhandled error, request_id=%s, %s %s", request_id, request.method, request.url.path, exc_info=exc)
        return problem_response(
            500, "An internal error occurred; quote the request id when reporting it", request_id=request_id
        )
