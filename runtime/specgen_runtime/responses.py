"""Responses serialized once, from validated data, straight to JSON bytes.

FastAPI's `response_model` path validates the return value, dumps it to Python objects and then
encodes those with `json`: three passes. A router module holds one `JsonResponder` per response
type; per request it validates (a no-op for an instance of the declared model) and lets
pydantic-core write the bytes.
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from pydantic import TypeAdapter
from starlette.responses import Response

T = TypeVar("T")


class JsonResponder(Generic[T]):
    def __init__(self, annotation: Any) -> None:
        self._annotation = annotation
        self._adapter: TypeAdapter[T] | None = None  # built on first use: startup stays short

    def __call__(self, value: Any, status_code: int) -> Response:
        adapter = self._adapter
        if adapter is None:
            adapter = self._adapter = TypeAdapter(self._annotation)
        # Anything a custom service returns is checked against the contract's type, so a wrong
        # shape is a logged 500, never an off-contract body.
        checked = adapter.validate_python(value, from_attributes=True)
        body = adapter.dump_json(checked, by_alias=True)
        return Response(body, status_code=status_code, media_type="application/json")
