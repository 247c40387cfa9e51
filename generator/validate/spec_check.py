"""openapi-spec-validator over the bundled document: the slow part of validation.

A contract repeats itself a lot (the same property schema in many components, the same
parameter on many paths). openapi-spec-validator checks every schema object once, by
`id()`, so the document is first interned: equal subtrees become one object and are
checked once. When that pass finds anything, the original document is validated again
and its findings are the ones reported, each located at the value it is about, so
diagnostics are exactly what the validator says about the contract as written.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from generator.base.diagnostics import Diagnostic, join_pointer, split_pointer
from generator.load.contract import Contract

Report = Callable[[str, str, str], None]

_SUPPORTED_VERSION = re.compile(r"^3\.[01](\.|$)")


def version_problem_of(doc: dict[str, Any]) -> tuple[str, str, str] | None:
    """(pointer, rule, message) when the contract is not OpenAPI 3.0 or 3.1, saying what it is instead."""
    raw = doc.get("openapi")
    if isinstance(raw, str) and _SUPPORTED_VERSION.match(raw):
        return None
    if "openapi" not in doc:
        if "swagger" in doc:
            return (
                "/swagger",
                "openapi-version",
                f"Swagger {doc['swagger']} contracts are not supported: convert this one to OpenAPI 3.0 or 3.1",
            )
        return "", "openapi-version", "the contract has no `openapi:` version: start it with `openapi: 3.1.0`"
    if raw is None or raw == "":
        return "/openapi", "openapi-version", "`openapi:` is empty: write the version, e.g. `openapi: 3.1.0`"
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        return (
            "/openapi",
            "openapi-version",
            f"`openapi: {raw}` is a number in YAML: write the full version as text, e.g. `openapi: 3.1.0`",
        )
    return "/openapi", "openapi-version", f"unsupported OpenAPI version {raw}: use 3.0.x or 3.1.x"


def spec_diagnostics(contract: Contract) -> list[Diagnostic]:
    """openapi-schema and ref-cycle findings; nothing for an unsupported version (a house rule says so)."""
    doc = contract.document
    if version_problem_of(doc) is not None:
        return []
    diags: list[Diagnostic] = []

    def report(pointer: str, rule: str, message: str) -> None:
        file, ptr = contract.api.source_of(pointer)
        diags.append(Diagnostic(file, ptr, rule, message))

    cycles = _ref_alias_cycles(doc)
    for pointer in cycles:
        report(join_pointer(pointer, "$ref"), "ref-cycle", f"{pointer} is only a $ref that leads back to itself")
    if cycles:
        return diags
    if not _clean_when_shared(doc):
        _check_openapi(report, doc)
    return diags


def _clean_when_shared(doc: dict[str, Any]) -> bool:
    """True when the validator finds nothing in the interned copy (the fast path of a valid contract)."""
    try:
        return not any(True for _ in _validator(doc)(_interned(doc)).iter_errors())
    except Exception:  # noqa: BLE001 - a crash here is diagnosed, and located, by the full pass
        return False


def _validator(doc: dict[str, Any]) -> Any:
    from openapi_spec_validator import OpenAPIV30SpecValidator, OpenAPIV31SpecValidator

    return OpenAPIV30SpecValidator if str(doc["openapi"]).startswith("3.0") else OpenAPIV31SpecValidator


def _check_openapi(report: Report, doc: dict[str, Any]) -> None:
    validator_cls = _validator(doc)
    # These two the validator reports without a location; our own rules say it better.
    located_elsewhere = {"DuplicateOperationIDError", "UnresolvableParameterError"}
    found = 0
    reported: set[str] = set()
    containers: dict[int, str] | None = None  # id(value) -> pointer, built on first need
    try:
        for err in validator_cls(doc).iter_errors():
            found += 1
            if type(err).__name__ in located_elsewhere:
                continue
            if reported and _bare(err):
                continue  # the semantic walk's echo, without a place, of a shape error reported above
            where = _error_pointer(doc, err)
            if where is None:
                containers = containers if containers is not None else _container_pointers(doc)
                where = _search_pointer(doc, err, containers, reported)
            if where in reported:
                continue  # one finding per place: the validator's second thoughts on the same node are noise
            reported.add(where)
            message = str(getattr(err, "message", err)).split("\n\nFailed validating")[0]
            report(where, "openapi-schema", _short(message))
    except Exception as exc:  # noqa: BLE001 - a validator crash must become a diagnostic
        # The validator walks the document after checking its shape, and trips over shapes it has
        # already reported: those reports are the diagnosis. Only a crash on its own is news.
        if not found:
            what = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            report(
                _crash_pointer(doc, exc),
                "openapi-schema",
                _short(f"openapi-spec-validator fails on this part of the contract ({what}); check its shape"),
            )


def _bare(err: Any) -> bool:
    """An error that is only a message: no path, no offending value."""
    return not list(getattr(err, "absolute_path", [])) and type(getattr(err, "instance", None)).__name__ == "Unset"


def _same(found: Any, instance: Any) -> bool:
    return found is instance or (type(found) is type(instance) and found == instance)


def _error_pointer(doc: dict[str, Any], err: Any) -> str | None:
    """The error's path as a pointer into the document, unless the path is relative to a nested schema
    (it then leads nowhere, or, when empty, to the root while the offending value is elsewhere)."""
    from generator.load.bundle import MISSING, resolve_pointer

    path = list(getattr(err, "absolute_path", getattr(err, "path", [])))
    pointer = join_pointer("", *path)
    if resolve_pointer(doc, pointer) is MISSING:
        return None
    instance = getattr(err, "instance", None)
    if not path and isinstance(instance, (dict, list)) and instance is not doc:
        return None
    return pointer


def _crash_pointer(doc: dict[str, Any], exc: BaseException) -> str:
    """Where the validator was when it crashed: the innermost document path (a jsonschema-path
    SchemaPath) among the traceback's frames; the root when there is none."""
    parts: tuple[Any, ...] = ()
    tb = exc.__traceback__
    while tb is not None:
        for value in list(tb.tb_frame.f_locals.values()):
            if type(value).__name__ == "SchemaPath" and isinstance(getattr(value, "parts", None), tuple):
                parts = value.parts
        tb = tb.tb_next
    return _pointer_through_refs(doc, [str(p) for p in parts])


def _pointer_through_refs(doc: dict[str, Any], tokens: list[str]) -> str:
    """A path as the validator walked it (through $refs) as a pointer to where the value is written."""
    from generator.load.bundle import resolve_pointer

    node: Any = doc
    pointer = ""
    for token in tokens:
        for _ in range(32):  # the validator's path steps through a $ref as if it were not there
            ref = node.get("$ref") if isinstance(node, dict) and token not in node else None
            if not (isinstance(ref, str) and ref.startswith("#")):
                break
            pointer, node = ref[1:], resolve_pointer(doc, ref[1:])
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            return pointer
        pointer = join_pointer(pointer, token)
    return pointer


def _container_pointers(doc: Any) -> dict[int, str]:
    found: dict[int, str] = {}
    stack: list[tuple[Any, str]] = [(doc, "")]
    while stack:
        node, pointer = stack.pop()
        if id(node) in found:
            continue
        if isinstance(node, dict):
            found[id(node)] = pointer
            stack.extend((v, join_pointer(pointer, k)) for k, v in node.items())
        elif isinstance(node, list):
            found[id(node)] = pointer
            stack.extend((v, join_pointer(pointer, i)) for i, v in enumerate(node))
    return found


def _search_pointer(doc: dict[str, Any], err: Any, containers: dict[int, str], reported: set[str]) -> str:
    """Where an error reported relative to some nested schema is: the validator checks each schema
    on its own and forgets where it was, but the values it reports are the document's own objects.
    Equal values in several places (the same mistake repeated) go to places not reported yet."""
    from generator.load.bundle import resolve_pointer

    instance = getattr(err, "instance", None)
    if isinstance(instance, (dict, list)) and id(instance) in containers:
        return containers[id(instance)]
    path = [str(p) for p in getattr(err, "path", [])]
    if path:
        for pointer in containers.values():
            tokens, parent = split_pointer(pointer), path[:-1]  # the container is <schema> + parent
            if len(tokens) >= len(parent) and tokens[len(tokens) - len(parent) :] == parent:
                candidate = join_pointer(pointer, path[-1])
                if candidate not in reported and _same(resolve_pointer(doc, candidate), instance):
                    return candidate
    return ""


def _short(message: str, limit: int = 300) -> str:
    message = " ".join(message.split())
    return message if len(message) <= limit else message[: limit - 3] + "..."


def _ref_alias_cycles(doc: dict[str, Any]) -> list[str]:
    """Components that are nothing but a `$ref` chain back to themselves (no schema ever appears)."""
    from generator.load.bundle import resolve_pointer

    found = []
    components = doc.get("components")
    for kind, entries in components.items() if isinstance(components, dict) else []:
        if not isinstance(entries, dict):
            continue
        for name, node in entries.items():
            start = join_pointer("/components", kind, name)
            seen = {start}
            while isinstance(node, dict) and isinstance(node.get("$ref"), str) and node["$ref"].startswith("#"):
                target = node["$ref"][1:]
                if target in seen:
                    found.append(start)
                    break
                seen.add(target)
                node = resolve_pointer(doc, target)
    return found


def _interned(doc: dict[str, Any]) -> dict[str, Any]:
    """A copy of doc in which equal subtrees are one shared object.

    What the validator concludes about a schema object depends only on its content, with one
    exception: the "required names an undefined property" check of a schema with `allOf` runs
    only where that schema is not nested in another. Such schemas are therefore never shared.
    """
    table: dict[tuple[Any, ...], Any] = {}

    def key_of(value: Any) -> Any:
        # children are already interned, so their id stands for their content; the type keeps 1, 1.0 and True apart
        return id(value) if isinstance(value, dict | list) else (type(value), value)

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            copy = {k: walk(v) for k, v in node.items()}
            if "allOf" in copy:
                return copy
            key: tuple[Any, ...] = ("{", *((type(k), k, key_of(v)) for k, v in copy.items()))
        elif isinstance(node, list):
            copy_list = [walk(v) for v in node]
            key = ("[", *(key_of(v) for v in copy_list))
            return table.setdefault(key, copy_list)
        else:
            return node
        return table.setdefault(key, copy)

    interned = walk(doc)
    assert isinstance(interned, dict)
    return interned
