"""Parameter values that FastAPI does not split by itself."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from pydantic import TypeAdapter, ValidationError


def delimited(separator: str) -> Callable[[Any], Any]:
    """An array sent as one value (`?ids=1,2,3`, `explode: false`, spaceDelimited, pipeDelimited):
    every text value is split on the separator before the items are validated."""

    def split(value: Any) -> Any:
        values = value if isinstance(value, list) else [value]
        if not all(isinstance(v, str) for v in values):
            return value
        return [part for v in values for part in (v.split(separator) if v else [])]

    return split


def deep_object(
    name: str, annotation: Any, required: bool, source: str = "query"
) -> Callable[[Request], Awaitable[Any]]:
    """A parameter (or a form field, `source="form"`) of style deepObject: `name[key]=value` (nested:
    `name[a][b]=value`, arrays: `name[]=a&name[]=b` or `name[0]=a`), or a plain `name=value` for a scalar,
    a one-value array or the scalar side of a union. Validated as its type, as text is (lax: "1" is 1)."""
    adapter: TypeAdapter[Any] = TypeAdapter(annotation)
    prefix = name + "["
    where = "body" if source == "form" else "query"

    async def read(request: Request) -> Any:
        items = (await request.form()).multi_items() if source == "form" else request.query_params.multi_items()
        plain = [value for key, value in items if key == name]
        nested = [(key[len(name) :], value) for key, value in items if key.startswith(prefix)]
        if not plain and not nested:
            if required:
                raise RequestValidationError([{"type": "missing", "loc": (where, name), "msg": "Field required"}])
            return None
        candidates: list[Any] = [_nest(nested)] if nested else [plain] if len(plain) > 1 else [plain[0], plain]
        for value in candidates:  # one plain value is tried as itself, then as a list of one
            try:
                return adapter.validate_python(value)
            except ValidationError as exc:
                failure = exc
        errors = failure.errors(include_url=False, include_input=False)
        raise RequestValidationError([{**e, "loc": (where, name, *e["loc"])} for e in errors]) from None

    return read


def _nest(pairs: list[tuple[str, Any]]) -> Any:
    """[("[a][b]", "1"), ("[c]", "2")] -> {"a": {"b": "1"}, "c": "2"}; `[]` and `[0]` keys make lists."""
    root: dict[str, Any] = {}
    for path, value in pairs:
        *parents, last = [part.rstrip("]") for part in path.split("[")[1:]] or [""]
        node = root
        for key in parents:
            child = node.setdefault(key, {})
            if not isinstance(child, dict):
                break  # `a[b]=1&a[b][c]=2`: b is a value already, the deeper key is dropped
            node = child
        else:
            slot = node.setdefault(last, [])
            if isinstance(slot, list):
                slot.append(value)
    return _collapse(root)


def _collapse(node: Any) -> Any:
    """One value is the value, several a list; a mapping keyed only by "" or indexes is a list."""
    if isinstance(node, list):
        return node[0] if len(node) == 1 else node
    children = {key: _collapse(value) for key, value in node.items()}
    if children and all(key == "" or key.isdigit() for key in children):
        values: list[Any] = []
        for _, value in sorted(children.items(), key=lambda kv: int(kv[0] or -1)):
            values.extend(value if isinstance(value, list) else [value])
        return values
    return children
