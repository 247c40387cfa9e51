"""Server benchmark: the generated example vs the hand-written baseline, same machine, same run.

wrk (16 connections) against each server with one worker, on SQLite and on PostgreSQL: GET one
task, GET a list of 20, POST a task. Each figure is the median of RUNS runs (min and max beside
it). Peak RSS of the server process is read from /proc after its runs.

    python bench/server_bench.py [--runs 3] [--seconds 8] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import jwt

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
from bench.machine import hardware  # noqa: E402
from generator.devtools.devserver import free_port  # noqa: E402

POSTGRES_ADMIN = os.environ.get("SPECGEN_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")
ENDPOINTS = ("get_one", "list_20", "create")
POST_LUA = 'wrk.method = "POST"\nwrk.body = \'{"title": "benchmark task", "priority": "high"}\'\nwrk.headers["Content-Type"] = "application/json"\n'


@contextmanager
def database(kind: str) -> Iterator[str]:
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            yield f"sqlite:///{tmp}/bench.db"
        return
    import psycopg

    name = f"specgen_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield POSTGRES_ADMIN.rsplit("/", 1)[0] + f"/{name}"
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def command(app: str, port: int, project: Path) -> list[str]:
    if app == "specgen":
        return [sys.executable, "-m", "generator", "serve", "--project", str(project), "--port", str(port)]
    return [
        sys.executable,
        "-m",
        "uvicorn",
        "--app-dir",
        str(REPO / "bench" / "handwritten"),
        "app:app",
        "--port",
        str(port),
    ]


@contextmanager
def server(app: str, url: str, secret: str, project: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    port = free_port()
    env = {**os.environ, "DATABASE_URL": url, "JWT_SECRET": secret, "SPECGEN_CREATE_TABLES": "1"}
    process = subprocess.Popen(
        command(app, port, project), cwd=project, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base, process)
        yield base, process
    finally:
        process.terminate()
        process.wait(timeout=20)


def wait_healthy(base: str, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    """Return as soon as /health answers 200 (polled every 10 ms); raise if the server exits or never does."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode} before /health answered")
        try:
            if httpx.get(f"{base}/health", timeout=0.5).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.01)
    raise RuntimeError(f"/health did not answer 200 within {timeout:.0f} s")


def cpu_seconds(process: subprocess.Popen[bytes]) -> float:
    """User + system CPU time the server process has used so far."""
    fields = Path(f"/proc/{process.pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wrk(url: str, token: str, seconds: int, script: Path | None = None) -> tuple[float, float, int]:
    """(requests per second, p99 latency in ms, requests completed)."""
    cmd = ["wrk", "-t2", "-c16", f"-d{seconds}s", "--latency", "-H", f"Authorization: Bearer {token}"]
    if script:
        cmd += ["-s", str(script)]
    out = subprocess.run([*cmd, url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    value, unit = re.search(r"99%\s+([\d.]+)(us|ms|s)", out).groups()  # type: ignore[union-attr]
    p99 = float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if non2xx:
        raise RuntimeError(f"{non2xx.group(1)} failed responses from {url}:\n{out}")
    done = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    return rps, p99, done


def peak_rss_mb(process: subprocess.Popen[bytes]) -> float:
    status = Path(f"/proc/{process.pid}/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) / 1024  # type: ignore[union-attr]


def bench(
    runs: int,
    seconds: int,
    kinds: tuple[str, ...] = ("sqlite", "postgresql"),
    apps: tuple[str, ...] = ("handwritten", "specgen"),
) -> dict[str, dict[str, dict[str, list[float]]]]:
    results: dict[str, dict[str, dict[str, list[float]]]] = {}
    work = Path(tempfile.mkdtemp(prefix="specgen-bench-"))
    project = work / "project"
    for part in ("specs", "generated", "custom"):
        shutil.copytree(REPO / part, project / part, ignore=shutil.ignore_patterns("__pycache__"))
    script = work / "post.lua"
    script.write_text(POST_LUA)
    secret = secrets.token_urlsafe(48)
    token = jwt.encode({"sub": "bench-user", "exp": int(time.time()) + 7200}, secret, algorithm="HS256")
    # POSTs go to another user: the reader's list stays 20 tasks in every run, whichever app writes faster
    writer = jwt.encode({"sub": "bench-writer", "exp": int(time.time()) + 7200}, secret, algorithm="HS256")
    for kind in kinds:
        for app in apps:
            figures: dict[str, list[float]] = {}
            with database(kind) as url, server(app, url, secret, project) as (base, process):
                with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}) as c:
                    ids = [c.post("/backend/tasks", json={"title": f"seed {i}"}).json()["id"] for i in range(20)]
                for _ in range(runs):
                    for endpoint, path, lua, bearer in (
                        ("get_one", f"/backend/tasks/{ids[7]}", None, token),
                        ("list_20", "/backend/tasks?limit=20", None, token),
                        ("create", "/backend/tasks", script, writer),
                    ):
                        cpu = cpu_seconds(process)
                        rps, p99, done = wrk(base + path, bearer, seconds, lua)
                        figures.setdefault(f"{endpoint}_rps", []).append(rps)
                        figures.setdefault(f"{endpoint}_p99_ms", []).append(p99)
                        # CPU per request: steadier than rps on a shared machine
                        figures.setdefault(f"{endpoint}_cpu_us", []).append((cpu_seconds(process) - cpu) / done * 1e6)
                figures["peak_rss_mb"] = [peak_rss_mb(process)]
            results.setdefault(kind, {})[app] = figures
            print(kind, app, {k: round(statistics.median(v), 1) for k, v in figures.items()}, flush=True)
    shutil.rmtree(work, ignore_errors=True)
    return results


def markdown(results: dict[str, dict[str, dict[str, list[float]]]], runs: int, seconds: int) -> str:
    def cell(values: list[float]) -> str:
        med = statistics.median(values)
        return f"{med:,.1f} ({min(values):,.1f}–{max(values):,.1f})" if len(values) > 1 else f"{med:,.1f}"

    lines = [
        "| database | measure | hand-written baseline | specgen | specgen / baseline |",
        "|---|---|---|---|---|",
    ]
    for kind, apps in results.items():
        if len(apps) < 2:
            continue
        for key in (
            [f"{e}_rps" for e in ENDPOINTS]
            + [f"{e}_p99_ms" for e in ENDPOINTS]
            + [f"{e}_cpu_us" for e in ENDPOINTS]
            + ["peak_rss_mb"]
        ):
            base, ours = apps["handwritten"][key], apps["specgen"][key]
            ratio = statistics.median(ours) / statistics.median(base)
            lines.append(f"| {kind} | {key} | {cell(base)} | {cell(ours)} | {ratio:.2f}x |")
    machine = hardware()
    return (
        "\n".join(lines)
        + f"\n\nMachine: {machine}. {runs} runs of {seconds} s per figure (median, min–max); wrk -t2 -c16; one uvicorn worker each.\n"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--db", choices=("sqlite", "postgresql"), action="append", help="only this database")
    parser.add_argument("--app", choices=("handwritten", "specgen"), action="append", help="only this app")
    args = parser.parse_args()
    data = bench(
        args.runs,
        args.seconds,
        tuple(args.db or ("sqlite", "postgresql")),
        tuple(args.app or ("handwritten", "specgen")),
    )
    if args.json:
        args.json.write_text(json.dumps(data, indent=2))
    print(markdown(data, args.runs, args.seconds))
