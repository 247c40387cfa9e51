"""Run `specgen serve` in a child process on a free loopback port (fuzzing, tests, benchmarks)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import jwt


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def throwaway_env(secret: str, database_url: str) -> dict[str, str]:
    """Settings for a server on a throwaway database, whatever the project's .env says."""
    return {
        "JWT_SECRET": secret,
        "JWT_ALGORITHMS": "HS256",
        "JWT_ISSUER": "",
        "JWT_AUDIENCE": "",
        "DATABASE_URL": database_url,
        "SPECGEN_CREATE_TABLES": "1",  # only throwaway databases are created at startup
    }


def sign(secret: str, sub: str, ttl: int) -> str:
    now = int(time.time())
    return jwt.encode({"sub": sub, "iat": now, "exp": now + ttl}, secret, algorithm="HS256")


@dataclass
class RunningServer:
    url: str
    process: subprocess.Popen[str]
    log: Path

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/health", timeout=1) as response:  # noqa: S310 - loopback URL we built
            return bool(response.status == 200)
    except OSError:
        return False


# `specgen serve`, or with SPECGEN_SERVER_PYTHON the same server from a venv that holds only the
# runtime (tests/test_runtime_alone.py runs tests against it)
_SERVE = (
    [os.environ["SPECGEN_SERVER_PYTHON"], "-m", "specgen_runtime", "serve"]
    if os.environ.get("SPECGEN_SERVER_PYTHON")
    else [sys.executable, "-m", "generator", "serve"]
)


@contextmanager
def background_server(
    project: Path, env: dict[str, str], log: Path, workers: int = 1, startup_timeout: float = 30
) -> Iterator[RunningServer]:
    """Start the server, wait until /health answers, stop it on exit. RuntimeError (with the log) if it cannot start."""
    port = free_port()
    with log.open("w") as out:
        process = subprocess.Popen(
            [
                *_SERVE,
                "--project",
                str(project),
                "--port",
                str(port),
                "--workers",
                str(workers),
            ],
            cwd=project,
            env={**os.environ, **env},
            stdout=out,
            stderr=subprocess.STDOUT,
            text=True,
        )
    server = RunningServer(url=f"http://127.0.0.1:{port}", process=process, log=log)
    try:
        deadline = time.monotonic() + startup_timeout
        while not _healthy(server.url):
            if process.poll() is not None:
                raise RuntimeError(f"server exited with {process.returncode}:\n{server.output()}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"server did not start in {startup_timeout}s:\n{server.output()}")
            time.sleep(0.1)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
