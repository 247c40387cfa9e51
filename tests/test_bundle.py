"""The bundle is one self-contained document: every $ref in it is local and resolves."""

from __future__ import annotations

import json
from pathlib import Path

from generator.load.bundle import MISSING, resolve_pointer
from generator.load.contract import load_contract
from tests.rules.test_rules import copy_fixture


def _refs(node: object) -> list[str]:
    if isinstance(node, dict):
        own = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return own + [r for v in node.values() for r in _refs(v)]
    if isinstance(node, list):
        return [r for v in node for r in _refs(v)]
    return []


def test_refs_from_another_file_back_into_the_root_become_local(tmp_path: Path) -> None:
    contract, diags = load_contract(copy_fixture("operation-id-duplicate--in-referenced-file", tmp_path))
    assert contract is not None and diags == []
    refs = _refs(contract.document)
    assert refs, "the fixture joins files by $ref"
    assert all(r.startswith("#/") for r in refs), [r for r in refs if not r.startswith("#/")]
    assert all(resolve_pointer(contract.document, r[1:]) is not MISSING for r in refs)
    assert ".yaml" not in json.dumps(refs)


def test_a_recursive_schema_under_defs_of_another_file_becomes_a_component(tmp_path: Path) -> None:
    api = tmp_path / "specs" / "api"
    api.mkdir(parents=True)
    (api / "schemas.yaml").write_text(
        "$defs:\n"
        "  Tree:\n"
        "    type: object\n"
        "    properties:\n"
        "      children: {type: array, items: {$ref: '#/$defs/Tree'}}\n"
        "definitions:\n"
        "  Leaf: {type: string}\n"
    )
    (api / "openapi.yaml").write_text(
        "openapi: 3.1.0\n"
        "info: {title: t, version: '1'}\n"
        "paths: {}\n"
        "components:\n"
        "  schemas:\n"
        "    Forest: {type: array, items: {$ref: 'schemas.yaml#/$defs/Tree'}}\n"
        "    Moss: {$ref: 'schemas.yaml#/definitions/Leaf'}\n"
    )
    contract, diags = load_contract(tmp_path)
    assert contract is not None and diags == []
    schemas = contract.document["components"]["schemas"]
    assert schemas["Forest"]["items"] == {"$ref": "#/components/schemas/Tree"}
    assert schemas["Tree"]["properties"]["children"]["items"] == {"$ref": "#/components/schemas/Tree"}
    assert schemas["Moss"] == {"$ref": "#/components/schemas/Leaf"} and schemas["Leaf"] == {"type": "string"}
    assert contract.api.source_of("/components/schemas/Tree/properties") == (
        "specs/api/schemas.yaml",
        "/$defs/Tree/properties",
    )
