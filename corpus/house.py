"""The house rules applied to a copy of a foreign contract, and the throwaway specgen project around it.

House rules: served under /backend, a bearer JWT scheme (`bearerAuth`) required by the top-level `security`,
and no operation-level `security` override (an override could make an operation public or ask for another
scheme; without it every operation inherits the bearer requirement). Remote `$ref`s are left as they are.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path
from typing import Any

import yaml

from .sources import CorpusContract

MOUNT = "/backend"
BEARER = "bearerAuth"
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class LayoutError(Exception):
    """The contract's files cannot be placed in a project (a $ref climbs above it)."""


def strip_operation_security(node: Any) -> bool:
    """Remove `security` from every operation (a mapping with `responses`); True when something was removed."""
    changed = False
    if isinstance(node, dict):
        if isinstance(node.get("responses"), dict) and "security" in node:
            del node["security"]
            changed = True
        for value in node.values():
            changed = strip_operation_security(value) or changed
    elif isinstance(node, list):
        for value in node:
            changed = strip_operation_security(value) or changed
    return changed


def apply_house_rules(document: dict[str, Any]) -> dict[str, Any]:
    """The document with the house rules applied (changed in place and returned)."""
    document["servers"] = [{"url": MOUNT}]
    components = document.get("components")
    if not isinstance(components, dict):
        components = document["components"] = {}
    schemes = components.get("securitySchemes")
    if not isinstance(schemes, dict):
        schemes = components["securitySchemes"] = {}
    schemes[BEARER] = {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
    document["security"] = [{BEARER: []}]
    strip_operation_security(document.get("paths"))
    strip_operation_security(document.get("webhooks"))
    return document


def work_around_known_refusals(document: dict[str, Any]) -> dict[str, Any]:
    """For `--workarounds` only (never the headline table): give every operation without an operationId one
    derived from method and path, and turn integer response keys (YAML `200:`) into strings, so a run shows
    what specgen would hit next once it handles these two itself."""
    taken = {op.get("operationId") for _, _, op in _operations(document)}
    for path, method, op in _operations(document):
        if not op.get("operationId"):
            words = [w for w in re.split(r"[^A-Za-z0-9]+", path) if w]
            candidate = method + "".join(w[:1].upper() + w[1:] for w in words)
            while candidate in taken:
                candidate += "_"
            op["operationId"] = candidate
            taken.add(candidate)
    _quote_response_codes(document)
    return document


def _quote_response_codes(node: Any) -> None:
    """Every `responses` mapping (callbacks' included) with string keys."""
    if isinstance(node, dict):
        if isinstance(node.get("responses"), dict):
            node["responses"] = {str(code): response for code, response in node["responses"].items()}
        for value in node.values():
            _quote_response_codes(value)
    elif isinstance(node, list):
        for value in node:
            _quote_response_codes(value)


def _operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    paths: dict[str, Any] = document["paths"] if isinstance(document.get("paths"), dict) else {}
    return [
        (str(path), method, item[method])
        for path, item in paths.items()
        if isinstance(item, dict)
        for method in ("get", "put", "post", "delete", "options", "head", "patch", "trace")
        if isinstance(item.get(method), dict)
    ]


def _read(path: Path) -> Any:
    with path.open("rb") as handle:
        return yaml.load(handle, Loader=_LOADER)  # noqa: S506 - a safe loader


def _write(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".json":
        path.write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")
    else:
        path.write_text(yaml.dump(data, Dumper=_DUMPER, sort_keys=False, allow_unicode=True), encoding="utf-8")


def house_ruled_project(contract: CorpusContract, project: Path, workarounds: bool = False) -> Path:
    """A specgen project: specs/api/openapi.yaml (the house-ruled root), the files it reaches at the same
    relative places, an empty custom/ package and no specs/database/. Returns the root contract's path."""
    api = project / "specs" / "api"
    api.mkdir(parents=True, exist_ok=True)
    base = contract.root.resolve().parent
    for path in contract.files[1:]:
        destination = (api / os.path.relpath(path, base)).resolve()
        if not destination.is_relative_to(project.resolve()):
            raise LayoutError(f"{path.name} lies above the project when the root is specs/api/openapi.yaml")
        destination.parent.mkdir(parents=True, exist_ok=True)
        data = _read(path)
        if strip_operation_security(data):
            _write(destination, data)  # a path item file whose operations override security
        else:
            shutil.copyfile(path, destination)
    root = api / "openapi.yaml"
    document = apply_house_rules(_read(contract.root))
    _write(root, work_around_known_refusals(document) if workarounds else document)
    # The root itself or a fragment may $ref the root by its shipped name: give it the house-ruled root under
    # that name too.
    if contract.root.name != root.name and any(
        contract.root.name in p.read_text(errors="replace") for p in contract.files
    ):
        shutil.copyfile(root, api / contract.root.name)
    custom = project / "custom"
    custom.mkdir(exist_ok=True)
    (custom / "__init__.py").write_text("")
    return root
