"""The spec validator runs on an interned copy of the contract, and reports exactly what it reports on the original."""

from __future__ import annotations

from pathlib import Path

from generator.load.contract import load_contract
from generator.validate.spec_check import _interned, _validator, spec_diagnostics

VALID = Path(__file__).parent / "rules" / "fixtures" / "_valid"


def test_an_error_in_a_schema_repeated_three_times_is_reported_three_times() -> None:
    contract, diags = load_contract(VALID)
    assert contract is not None and not diags
    doc = contract.document
    doc["components"]["schemas"]["A"] = {"type": "strin"}
    doc["components"]["schemas"]["B"] = {"type": "strin"}
    doc["paths"]["/notes"]["get"]["responses"]["200"]["content"]["application/json"]["schema"] = {"type": "strin"}
    assert len(list(_validator(doc)(_interned(doc)).iter_errors())) == 1  # the interned copy holds the schema once
    found = spec_diagnostics(contract)
    assert [d.rule for d in found] == ["openapi-schema"] * 3


def test_a_valid_contract_has_no_findings() -> None:
    contract, _ = load_contract(VALID)
    assert contract is not None
    assert spec_diagnostics(contract) == []


def test_interning_shares_equal_subtrees_only() -> None:
    doc = {
        "a": {"type": "string", "enum": [1, 2]},
        "b": {"type": "string", "enum": [1, 2]},
        "c": {"type": "string", "enum": [True, 2]},  # True == 1 in Python, but not the same schema
        "d": {"type": "string", "enum": [1.0, 2]},
        "e": {"allOf": [{"type": "string"}], "required": ["x"]},
        "f": {"allOf": [{"type": "string"}], "required": ["x"]},
    }
    out = _interned(doc)
    assert out == doc
    assert out["a"] is out["b"]
    assert out["c"] is not out["a"] and out["d"] is not out["a"]
    # the "required names an undefined property" check of allOf schemas depends on where they are
    assert out["e"] is not out["f"] and out["e"]["allOf"] is out["f"]["allOf"]
