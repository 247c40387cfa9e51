"""The bundle is one self-contained document: every $ref in it is local and resolves."""

from __future__ import annotations

import json
from pathlib import Path

from generator.bundle import _MISSING, resolve_pointer
from generator.contract import load_contract

FIXTURES = Path(__file__).parent / "rules" / "fixtures"


def _refs(node: object) -> list[str]:
    if isinstance(node, dict):
        own = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return own + [r for v in node.values() for r in _refs(v)]
    if isinstance(node, list):
        return [r for v in node for r in _refs(v)]
    return []


def test_refs_from_another_file_back_into_the_root_become_local() -> None:
    contract, diags = load_contract(FIXTURES / "operation-id-duplicate--in-referenced-file")
    assert contract is not None and diags == []
    refs = _refs(contract.document)
    assert refs, "the fixture joins files by $ref"
    assert all(r.startswith("#/") for r in refs), [r for r in refs if not r.startswith("#/")]
    assert all(resolve_pointer(contract.document, r[1:]) is not _MISSING for r in refs)
    assert ".yaml" not in json.dumps(refs)
