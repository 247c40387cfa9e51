"""Operation parameters (path, query, header, cookie) as keyword parameters of a route and its service."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from generator.base.names import is_identifier, param_name, snake, unique
from generator.base.pysource import NONE, Code, literal
from generator.ir.types import Parameter
from generator.model.openapi import PATH_PARAMETER, RawOperation
from generator.model.schemas import deref, numeric_constraints, python_annotation, scalar_type, text_coercion

LOCATIONS = ("path", "query", "header", "cookie")

# Names a route function or its module already uses: a parameter gets a numbered name instead.
ROUTE_NAMES = frozenset({"ctx", "body", "service", "request", "response", "result", "router", "datetime", "uuid"})
# Names build_router's own code uses: a route function named like one would shadow it for the next routes.
ROUTER_NAMES = frozenset(
    {"service", "router", "build_router", "json_body", "optional_json_body", "raw_body", "optional_raw_body"}
)


def py_name(name: str, taken: set[str]) -> str:
    candidate = param_name(name)
    if candidate.startswith("respond_"):  # the module-level JSON responders of a router
        candidate = f"{candidate}_"
    return unique(candidate, taken)


def func_name(operation_id: str, taken: set[str]) -> str:
    """The route function and service method of an operation."""
    candidate = snake(operation_id, "operation")
    if candidate.startswith("_"):  # `3dModel`: a leading _ would read as private, and overrides skip those
        candidate = f"op{candidate}"
    if candidate.startswith("respond_"):
        candidate = f"{candidate}_"
    return unique(candidate, taken)


def new_taken() -> set[str]:
    return set(ROUTE_NAMES)


def operation_parameters(
    doc: dict[str, Any], raw: RawOperation, taken: set[str], model_for: Callable[[str, Any], str]
) -> list[Parameter]:
    """Path parameters first (FastAPI needs defaults last), then the others in the contract's order.

    `model_for(name, schema)` gives the class of a deepObject parameter's object (or union) schema.
    """
    params = []
    for param, _ptr in raw.parameters(doc):
        location = str(param.get("in"))
        if location not in LOCATIONS:
            continue
        schema = param.get("schema", {})
        resolved = deref(doc, schema)
        required = bool(param.get("required")) or location == "path"
        default = None
        if not required:
            default = literal(resolved["default"]) if isinstance(resolved, dict) and "default" in resolved else NONE
        name = param["name"]
        python = py_name(name, taken)
        separator = array_separator(doc, param, location)
        # Starlette only parses `{identifier}` in a path: other names are routed under the Python name
        plain_path = location == "path" and not is_identifier(name)
        if location == "query" and param.get("style") == "deepObject":
            description = param.get("description") if isinstance(param.get("description"), str) else None
            params.append(deep_object_parameter(doc, name, schema, python, required, model_for, "query", description))
            continue
        params.append(
            Parameter(
                name=name,
                py_name=python,
                location=location,
                annotation=python_annotation(doc, schema),
                constraints=tuple(numeric_constraints(doc, schema)),
                required=required,
                default=default,
                description=param.get("description") if isinstance(param.get("description"), str) else None,
                # a header always by its name: without an alias FastAPI would read `a_b` from `a-b`
                alias=name if location == "header" or not (python == name or plain_path) else None,
                coerce=Code(f"delimited({literal(separator)})") if separator else text_coercion(doc, schema),
            )
        )
    params.sort(key=lambda p: p.location != "path")
    return params


def deep_object_parameter(
    doc: dict[str, Any],
    name: str,
    schema: Any,
    python: str,
    required: bool,
    model_for: Callable[[str, Any], str],
    location: str = "query",
    description: str | None = None,
) -> Parameter:
    """`?created[gt]=1&created[lt]=5` (or a form field encoded so): read by runtime.params.deep_object
    and validated as its type; objects and unions get a model class."""
    kind = scalar_type(doc, schema).kind
    resolved = deref(doc, schema)
    items = resolved.get("items") if kind == "array" and isinstance(resolved, dict) else None
    scalar_items = items is not None and scalar_type(doc, items).kind in ("string", "integer", "number", "boolean")
    model = None
    if kind in ("string", "integer", "number", "boolean") or scalar_items:
        annotation = python_annotation(doc, schema)
    else:
        annotation = model = model_for(name, schema)
    return Parameter(
        name=name,
        py_name=python,
        location=location,
        annotation=annotation,
        constraints=(),
        required=required,
        default=None if required else NONE,
        description=description,
        style="deepObject",
        model=model,
    )


_SEPARATORS = {"form": ",", "simple": ",", "spaceDelimited": " ", "pipeDelimited": "|"}
_DEFAULT_STYLE = {"query": "form", "cookie": "form", "path": "simple", "header": "simple"}


def array_separator(doc: dict[str, Any], param: dict[str, Any], location: str) -> str | None:
    """The separator of an array sent as one value (OpenAPI's `style` and `explode`); None when every
    item comes as a value of its own (`?id=1&id=2`, the default for query and cookie arrays)."""
    resolved = deref(doc, param.get("schema"))
    if not isinstance(resolved, dict) or resolved.get("type") != "array":
        return None
    style = str(param.get("style") or _DEFAULT_STYLE.get(location, "form"))
    explode = param.get("explode", style == "form")
    if style == "form" and explode is not False:
        return None
    return _SEPARATORS.get(style)


def route_path(path: str, params: list[Parameter]) -> str:
    """The path as the router declares it: `{pet-id}` becomes `{pet_id}`, which Starlette can match."""
    renamed = {p.name: p.py_name for p in params if p.location == "path" and p.alias is None}
    return PATH_PARAMETER.sub(lambda m: "{" + renamed.get(m.group(1), m.group(1)) + "}", path)
