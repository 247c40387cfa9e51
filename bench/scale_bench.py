"""Scale: a list of one user's 20 tasks while the table grows from 10 thousand to 1 million rows
of other users, on SQLite and PostgreSQL, through the generated server.

For each size the server is measured with wrk (one connection, so the figure is latency, not
throughput) and the list's query plan is printed from the statements the repository runs.

    python bench/scale_bench.py [--sizes 10000 1000000] [--seconds 5] [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import jwt

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
from bench.server_bench import database, server  # noqa: E402

USER = "bench-user"
SEED_SQL = {
    # other users' rows: 100 owners, spread like real data
    "postgresql": (
        "INSERT INTO tasks (title, completed, priority, owner_id, created_at, updated_at) "
        "SELECT 'other ' || g, g % 2 = 0, 'medium', 'owner-' || (g % 100), now(), now() "
        "FROM generate_series(1, {n}) g"
    ),
    "sqlite": (
        "WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < {n}) "
        "INSERT INTO tasks (title, completed, priority, owner_id, created_at, updated_at) "
        "SELECT 'other ' || i, i % 2 = 0, 'medium', 'owner-' || (i % 100), "
        "'2026-01-01 00:00:00', '2026-01-01 00:00:00' FROM g"
    ),
}


def _engine(url: str) -> Any:
    from specgen_runtime.db import make_engine

    return make_engine(url)


def _seed(url: str, kind: str, others: int) -> None:
    """Create the example's tables and add `others` rows of other users (on top of what is there)."""
    from sqlalchemy import text
    from sqlmodel import SQLModel

    import generated.tables  # noqa: F401  (registers the tables)

    engine = _engine(url)
    SQLModel.metadata.create_all(engine)
    with engine.begin() as connection:
        if others:
            connection.execute(text(SEED_SQL[kind].format(n=others)))
        connection.execute(text("ANALYZE" if kind == "sqlite" else "ANALYZE tasks"))
    engine.dispose()


def _plan(url: str, kind: str) -> str:
    from generated.tables import TASKS
    from specgen_runtime.db import Database
    from specgen_runtime.repository import Repository

    engine = _engine(url)
    page, _ = Repository(Database(engine), TASKS, {"sub": USER}).list_statements(limit=20, offset=0)
    sql = str(page.compile(dialect=engine.dialect, compile_kwargs={"literal_binds": True}))
    prefix = "EXPLAIN QUERY PLAN " if kind == "sqlite" else "EXPLAIN "
    from sqlalchemy import text

    with engine.connect() as connection:
        rows = connection.execute(text(prefix + sql)).all()
    engine.dispose()
    return "\n".join(row[-1] if kind == "sqlite" else row[0] for row in rows)


def _latency(url: str, token: str, seconds: int) -> tuple[float, float]:
    """(p50, p99) in ms of a list of 20 with one connection."""
    out = subprocess.run(
        ["wrk", "-t1", "-c1", f"-d{seconds}s", "--latency", "-H", f"Authorization: Bearer {token}", url],  # noqa: S607 - wrk from PATH
        capture_output=True,
        text=True,
        check=True,
    ).stdout

    def pct(label: str) -> float:
        value, unit = re.search(rf"{label}%\s+([\d.]+)(us|ms|s)", out).groups()  # type: ignore[union-attr]
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    if "Non-2xx" in out:
        raise RuntimeError(out)
    return pct("50"), pct("99")


@contextmanager
def _project() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="specgen-scale-") as tmp:
        project = Path(tmp) / "project"
        import shutil

        for part in ("specs", "generated", "custom"):
            shutil.copytree(REPO / part, project / part, ignore=shutil.ignore_patterns("__pycache__"))
        yield project


def bench(sizes: list[int], seconds: int, runs: int) -> dict[str, Any]:
    import httpx

    results: dict[str, Any] = {}
    secret = secrets.token_urlsafe(48)
    token = jwt.encode({"sub": USER, "exp": int(time.time()) + 7200}, secret, algorithm="HS256")
    with _project() as project:
        for kind in ("sqlite", "postgresql"):
            with database(kind) as url:
                _seed(url, kind, 0)
                seeded = 0
                for size in sizes:
                    _seed(url, kind, size - seeded)
                    seeded = size
                    with server("specgen", url, secret, project) as (base, _process):
                        if size == sizes[0]:
                            with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}) as c:
                                for i in range(20):
                                    c.post("/backend/tasks", json={"title": f"mine {i}"}).raise_for_status()
                        figures = [_latency(f"{base}/backend/tasks?limit=20", token, seconds) for _ in range(runs)]
                    p50 = [f[0] for f in figures]
                    p99 = [f[1] for f in figures]
                    results.setdefault(kind, []).append(
                        {"others": size, "p50_ms": p50, "p99_ms": p99, "plan": _plan(url, kind)}
                    )
                    print(kind, size, "p50", statistics.median(p50), "p99", statistics.median(p99), flush=True)
    return results


def markdown(results: dict[str, Any]) -> str:
    def cell(values: list[float]) -> str:
        return f"{statistics.median(values):.2f} ({min(values):.2f}–{max(values):.2f})"

    lines = [
        "| database | other users' rows | p50 ms | p99 ms | p50 / p50 at the smallest size |",
        "|---|---|---|---|---|",
    ]
    plans = []
    for kind, rows in results.items():
        first = statistics.median(rows[0]["p50_ms"])
        for row in rows:
            ratio = statistics.median(row["p50_ms"]) / first
            lines.append(
                f"| {kind} | {row['others']:,} | {cell(row['p50_ms'])} | {cell(row['p99_ms'])} | {ratio:.2f}x |"
            )
        plans.append(f"{kind}, {rows[-1]['others']:,} other rows:\n\n```\n{rows[-1]['plan']}\n```\n")
    return (
        "\n".join(lines)
        + "\n\nQuery plans of the page query (the count is its scalar subquery):\n\n"
        + "\n".join(plans)
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 1_000_000])
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    os.chdir(REPO)
    print(markdown(bench(args.sizes, args.seconds, args.runs)))
