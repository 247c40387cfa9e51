"""The corpus harness end to end on classic contracts (the full corpus is `make corpus`; it is slow)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from corpus.house import BEARER, MOUNT, house_ruled_project
from corpus.run import run_contract
from corpus.sources import CLASSIC, REMOTE, VALID, classify

pytestmark = pytest.mark.slow


@pytest.mark.parametrize(
    ("name", "operations"),
    [("petstore-expanded.yaml", 4), ("api-with-examples.yaml", 2)],  # the second has no schemas at all
)
def test_classic_contract_generates_boots_and_every_operation_answers_501_to_a_valid_request(
    tmp_path: Path, name: str, operations: int
) -> None:
    contract = classify(f"oai/{name}", CLASSIC / name)
    assert contract is not None and contract.kind == VALID and contract.operations == operations
    row = run_contract(contract, tmp_path / "run", peers_bin=None, timeout=120)
    assert row.ours.generated and row.ours.booted, row.ours.error
    # No table mapping, so every operation is custom: 501 for each one. A 422 would mean the harness sent an
    # invalid request or the generated route refused a valid one; a 401 that the house rules were not applied.
    assert row.ours.calls == operations and dict(row.ours.statuses) == {501: operations}, row.ours.notable_calls
    assert row.ours.served_as_input, row.ours.served_difference
    assert row.passed


def test_house_rules_put_the_contract_under_backend_behind_a_bearer_scheme_without_operation_overrides(
    tmp_path: Path,
) -> None:
    source = tmp_path / "public.yaml"
    source.write_text(
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\nservers: [{url: 'https://api.example.org/v1'}]\n"
        "paths:\n  /ping:\n    get:\n      operationId: ping\n      security: []\n"
        "      responses: {'200': {description: ok}}\n"
    )
    contract = classify("local/public.yaml", source)
    assert contract is not None
    root = house_ruled_project(contract, tmp_path / "project")
    document = yaml.safe_load(root.read_text())
    assert document["servers"] == [{"url": MOUNT}]
    assert document["security"] == [{BEARER: []}]
    assert document["components"]["securitySchemes"][BEARER] == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
    }
    assert "security" not in document["paths"]["/ping"]["get"]


def test_a_contract_with_a_remote_ref_is_refused_with_a_located_ref_remote_diagnostic(tmp_path: Path) -> None:
    source = tmp_path / "remote.yaml"
    source.write_text(
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /pets:\n    get:\n      operationId: listPets\n"
        "      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n"
        "              schema: {$ref: 'https://example.org/schemas/pet.yaml'}\n"
    )
    contract = classify("local/remote.yaml", source)
    assert contract is not None and contract.kind == REMOTE
    row = run_contract(contract, tmp_path / "run", peers_bin=None, timeout=120)
    assert not row.ours.validated and row.ours.located and not row.ours.crashed
    assert row.ours.rules == ["ref-remote"] and row.ours.error.startswith("specs/api/openapi.yaml:")
    assert row.passed
