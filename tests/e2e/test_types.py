"""Types map faithfully both ways, on SQLite and PostgreSQL: what is written is what is read."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import Server, new_user, run_server

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "types"

SAMPLE = {
    "code": "ABCDEFGH",
    "day": "2027-02-28",
    "moment": "2027-02-28T23:30:00.250000+02:00",
    "kind": "beta",
    "amount": "12345678901234.50",
    "ratio": 0.1,
    "count": 2147483647,
    "ref": "0b7f3c9e-2f4b-4c55-9a56-4c1a9d5f9e11",
    "meta": {"nested": {"list": [1, "two", None, True]}, "unicode": "ünï ✓"},
    "points": [{"x": 1, "y": -2}, {"x": 3, "y": 4}],
    "flag": False,
}


@pytest.fixture(scope="module")
def types_server(tmp_path_factory: pytest.TempPathFactory, database: str | None) -> Iterator[Server]:
    project = tmp_path_factory.mktemp("types")
    shutil.copytree(GOLDEN / "specs", project / "specs")
    shutil.copytree(GOLDEN / "expected", project / "generated")
    with run_server(project, env={"DATABASE_URL": database} if database else {}) as server:
        yield server


def test_every_column_type_round_trips(types_server: Server) -> None:
    with types_server.client(new_user()) as c:
        created = c.post("/api/samples", json=SAMPLE)
        assert created.status_code == 201, created.text
        read = c.get(f"/api/samples/{created.json()['id']}").json()
        assert read == created.json()
        expected = {**SAMPLE, "moment": "2027-02-28T21:30:00.250000Z"}  # the same instant, in UTC
        assert {k: read[k] for k in SAMPLE} == expected

        defaults = c.post("/api/samples", json={"code": "x"}).json()
        assert defaults["kind"] == "alpha" and defaults["flag"] is True
        assert all(defaults[k] is None for k in ("day", "moment", "amount", "ratio", "count", "ref", "meta", "points"))


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("code", "NINECHARS"),
        ("code", ""),
        ("count", 2147483648),
        ("kind", "gamma"),
        ("day", "2027-02-30"),
        ("moment", "2027-02-28T23:30:00"),
        ("ref", "not-a-uuid"),
        ("amount", "twelve"),
        ("points", [{"x": "1"}]),
        ("flag", "false"),
        ("ratio", "0.1"),
    ],
)
def test_values_outside_their_type_are_422_on_every_database(types_server: Server, field: str, value: object) -> None:
    with types_server.client(new_user()) as c:
        response = c.post("/api/samples", json={"code": "ok", field: value})
        assert response.status_code == 422, response.text
        assert response.json()["errors"][0]["pointer"].startswith(f"/body/{field}")


def test_an_integral_float_is_an_integer_and_the_retry_stays_strict(types_server: Server) -> None:
    """JSON has one number type: 2.0 for an integer field is 2; 2.5 is not, and the retry that
    takes 2.0 as 2 accepts nothing else a strict parse refuses (a string for a boolean)."""
    with types_server.client(new_user()) as c:
        created = c.post("/api/samples", json={"code": "x", "count": 2.0})
        assert created.status_code == 201, created.text
        assert created.json()["count"] == 2 and isinstance(created.json()["count"], int)
        fraction = c.post("/api/samples", json={"code": "x", "count": 2.5})
        assert fraction.status_code == 422, fraction.text
        assert fraction.json()["errors"][0]["pointer"] == "/body/count"
        loose = c.post("/api/samples", json={"code": "x", "count": 2.0, "flag": "true"})
        assert loose.status_code == 422, loose.text
        assert [e["pointer"] for e in loose.json()["errors"]] == ["/body/flag"]
