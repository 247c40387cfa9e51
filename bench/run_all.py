"""`make bench`: every performance figure of the project, written to docs/performance.md.

Server throughput and latency against the hand-written baseline, list latency as the table
grows, startup time, and the generator against openapi-generator-cli. Each part can be run on
its own (see the modules); this runs them in sequence on a machine that should be otherwise idle.

    python bench/run_all.py [--quick] [--out docs/performance.md]
"""

from __future__ import annotations

import argparse
import datetime
import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench import generator_bench, scale_bench, server_bench, startup_bench  # noqa: E402
from bench.machine import hardware  # noqa: E402


def machine() -> str:
    versions = subprocess.run(
        [
            sys.executable,
            "-c",
            "import fastapi, pydantic, sqlalchemy, sqlmodel, uvicorn; print(f'FastAPI {fastapi.__version__}, pydantic {pydantic.VERSION}, SQLAlchemy {sqlalchemy.__version__}, SQLModel {sqlmodel.__version__}, uvicorn {uvicorn.__version__}')",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    return f"{hardware()}; {versions}; load average at the start {os.getloadavg()[0]:.2f}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="fewer and shorter runs (a smoke test, not figures)")
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "performance.md")
    args = parser.parse_args()
    runs, seconds = (1, 2) if args.quick else (3, 8)
    started = time.monotonic()
    header = machine()

    server = server_bench.bench(runs, seconds)
    scale = scale_bench.bench(
        [10_000, 1_000_000] if not args.quick else [1_000, 10_000], 5 if not args.quick else 2, runs
    )
    startup = startup_bench.bench(runs, 200)
    generator = generator_bench.bench(runs, 200, True)

    text = f"""# Performance

Written by `make bench` (`python bench/run_all.py`) on {datetime.date.today().isoformat()}; it took
{(time.monotonic() - started) / 60:.0f} minutes. Figures are the median of {runs} runs, with the minimum and
maximum in brackets. Benchmarks are measurements, not pass/fail tests.

Machine: {header}.

## Server: the generated example against the hand-written baseline

`python bench/server_bench.py --runs {runs} --seconds {seconds}`. The baseline is `bench/handwritten/app.py`:
the example's Task endpoints as the FastAPI documentation and the full-stack template teach them (a sync
`Session` dependency, `select(...).where(owner == user)`, `response_model`, PyJWT in a dependency). Both
run under uvicorn with one worker, on the same database kind, with the same tokens; wrk runs on loopback with
2 threads and 16 connections for {seconds} s per figure. GET one and the list read a user with 20 tasks; the
POSTs are another user's, so the list reads 20 tasks in every run, however fast an app writes (until
2026-11-26 they were the same user's, and each run's list counted all the tasks the POSTs before it had
made: more for the faster app). The specgen server runs with every protection on:
JWT verification before routing, the owner filter in every statement, the body limit, problem responses.
`cpu_us` is the server process's CPU time per request (steadier than throughput on a shared machine); RSS is
the server's peak resident memory after all its runs. Targets: GET one and list at least 1.5x the
baseline's requests per second, POST at least 1.2x, p99 no worse, memory at most 1.2x.

{server_bench.markdown(server, runs, seconds)}
## Scale: one user's list while the table grows

`python bench/scale_bench.py --runs {runs}`: GET /backend/tasks?limit=20 for a user with 20 tasks, with one
connection (so the figure is latency), while the table holds 10,000 and then 1,000,000 rows of 100 other
users. Target: within 1.2x.

{scale_bench.markdown(scale)}
## Startup

`python bench/startup_bench.py --runs {runs}`: from launching `specgen serve` to the first 200 on `/health`
(SQLite, tables created at startup). Request and response models are built on first use (pydantic's
`defer_build`), so the first request that meets a model pays for building it once.

{startup_bench.markdown(startup)}
{generator_bench.markdown(generator)}
"""
    args.out.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
