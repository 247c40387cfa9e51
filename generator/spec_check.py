"""openapi-spec-validator over the bundled document: the slow part of validation.

A contract repeats itself a lot (the same property schema in many components, the same
parameter on many paths). openapi-spec-validator checks every schema object once, by
`id()`, so the document is first interned: equal subtrees become one object and are
checked once. When that pass finds anything, the original document is validated again
and its findings are the ones reported, so diagnostics are exactly what the validator
says about the contract as written.
"""

from __future__ import annotations

from typing import Any

from .bundle import resolve_pointer
from .contract import Contract
from .diagnostics import Diagnostic, join_pointer

# The validator reports these two without a location; own rules say it better.
LOCATED_ELSEWHERE = {"DuplicateOperationIDError", "UnresolvableParameterError"}


def spec_version_supported(doc: dict[str, Any]) -> bool:
    return str(doc.get("openapi", "")).startswith(("3.0", "3.1"))


def spec_diagnostics(contract: Contract) -> list[Diagnostic]:
    """openapi-schema and ref-cycle findings; nothing for an unsupported version (a house rule says so)."""
    doc = contract.document
    if not spec_version_supported(doc):
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
    try:
        if not _findings(_interned(doc)):
            return diags
        for pointer, message in _findings(doc):
            report(pointer, "openapi-schema", message)
    except Exception as exc:  # noqa: BLE001 - a validator crash must become a diagnostic
        report("", "openapi-schema", f"the contract could not be validated: {type(exc).__name__}")
    return diags


def _findings(doc: dict[str, Any]) -> list[tuple[str, str]]:
    from openapi_spec_validator import OpenAPIV30SpecValidator, OpenAPIV31SpecValidator

    validator_cls: Any = OpenAPIV31SpecValidator if str(doc["openapi"]).startswith("3.1") else OpenAPIV30SpecValidator
    out = []
    for err in validator_cls(doc).iter_errors():
        if type(err).__name__ in LOCATED_ELSEWHERE:
            continue
        path = [str(p) for p in getattr(err, "absolute_path", getattr(err, "path", []))]
        out.append((join_pointer("", *path), _short(getattr(err, "message", str(err)))))
    return out


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


def _short(message: str, limit: int = 300) -> str:
    message = " ".join(message.split())
    return message if len(message) <= limit else message[: limit - 3] + "..."


def _ref_alias_cycles(doc: dict[str, Any]) -> list[str]:
    """Components that are nothing but a `$ref` chain back to themselves (no schema ever appears)."""
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
