"""Request bodies: parsed and validated in one step, strictly, as the contract's JSON.

FastAPI decodes JSON and then validates Python objects in lax mode, where `0`
is a valid date and `"1"` a valid integer. The contract says JSON types, so
bodies are validated with `model_validate_json(strict=True)`: pydantic-core
parses and checks in one pass (also faster), and any body that is not the
declared JSON, whatever its Content-Type, is a 422 with pointers.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)


def _errors(exc: ValidationError) -> list[dict[str, Any]]:
    return [{**err, "loc": ("body", *err.get("loc", ()))} for err in exc.errors(include_url=False, include_input=False)]


def json_body(model: type[M]) -> Callable[[Request], Awaitable[M]]:
    async def required_body(request: Request) -> M:
        raw = await request.body()
        if not raw.strip():
            raise RequestValidationError([{"type": "missing", "loc": ("body",), "msg": "A JSON body is required"}])
        try:
            return model.model_validate_json(raw, strict=True)
        except ValidationError as exc:
            retry = _integral_floats_as_ints(raw, exc)
            if retry is None:
                raise RequestValidationError(_errors(exc)) from None
        try:
            return model.model_validate_json(retry, strict=True)
        except ValidationError as exc:
            raise RequestValidationError(_errors(exc)) from None

    return required_body


def _integral_floats_as_ints(raw: bytes, exc: ValidationError) -> bytes | None:
    """JSON Schema counts 5.0 as an integer; pydantic's strict mode does not. When an integer
    position refused an integral float, every integral float of the document is rewritten as an
    integer and the document validated once more (a rare, slow path: it only runs after a strict
    failure). The whole document, not the failed positions: an error's `loc` names union members
    (`int`, `str`) and tags beside the document's keys, so it cannot be walked as a path. A strict
    `number` accepts an integer, so no other position changes its verdict."""
    if not any(
        err["type"] == "int_type" and isinstance(err.get("input"), float) and err["input"].is_integer()
        for err in exc.errors(include_url=False)
    ):
        return None
    try:
        document = json.loads(raw, parse_float=_integral_as_int)
    except (ValueError, RecursionError):
        return None  # pydantic-core parsed it; json did not: keep pydantic's errors
    return json.dumps(document).encode()


def _integral_as_int(text: str) -> float | int:
    value = float(text)
    return int(value) if value.is_integer() else value


def optional_json_body(model: type[M]) -> Callable[[Request], Awaitable[M | None]]:
    required = json_body(model)

    async def optional_body(request: Request) -> M | None:
        if not (await request.body()).strip():
            return None
        return await required(request)

    return optional_body


async def raw_body(request: Request) -> bytes:
    """A body in a media type that is neither JSON nor a form: passed on as the bytes it came as."""
    raw = await request.body()
    if not raw:
        raise RequestValidationError([{"type": "missing", "loc": ("body",), "msg": "A request body is required"}])
    return raw


async def optional_raw_body(request: Request) -> bytes | None:
    return (await request.body()) or None
