"""Helpers shared by the tests: project copies, real servers, real tokens."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import jwt

from generator.devtools.devserver import background_server

REPO = Path(__file__).resolve().parents[1]
TEST_SECRET = "test-secret-" + "s" * 40  # HS256, over the 32-byte minimum
PROJECT_PARTS = ("specs", "generated", "custom")


def copy_project(dest: Path, parts: tuple[str, ...] = PROJECT_PARTS) -> Path:
    """A private copy of the example project (its contracts, generated code and custom code)."""
    dest.mkdir(parents=True, exist_ok=True)
    for part in parts:
        shutil.copytree(REPO / part, dest / part, ignore=shutil.ignore_patterns("__pycache__"))
    return dest


def specgen(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "generator", *args],
        cwd=cwd or REPO,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def make_token(
    sub: str | None = "alice", *, secret: str = TEST_SECRET, ttl: int = 600, algorithm: str = "HS256", **claims: object
) -> str:
    now = int(time.time())
    payload: dict[str, object] = {"iat": now, "exp": now + ttl, **claims}
    if sub is not None:
        payload["sub"] = sub
    return jwt.encode(payload, secret, algorithm=algorithm)


def new_user() -> str:
    return f"user-{uuid.uuid4().hex[:12]}"


@dataclass
class Server:
    url: str
    process: subprocess.Popen[str]
    log: Path

    def client(self, sub: str | None = None, token: str | None = None) -> httpx.Client:
        headers = {}
        if token is None and sub is not None:
            token = make_token(sub)
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        return httpx.Client(base_url=self.url, headers=headers, timeout=30)

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


@contextmanager
def run_server(
    project: Path, env: dict[str, str] | None = None, workers: int = 1, startup_timeout: float = 30
) -> Iterator[Server]:
    """`specgen serve` on a free loopback port, in its own process, with a fresh SQLite database."""
    port_tag = uuid.uuid4().hex[:8]
    environment = {
        "JWT_SECRET": TEST_SECRET,
        "SPECGEN_CREATE_TABLES": "1",  # every test database is a throwaway one
        "DATABASE_URL": f"sqlite:///{project / f'test-{port_tag}.db'}",
        **(env or {}),
    }
    log = project / f"server-{port_tag}.log"
    with background_server(project, environment, log, workers=workers, startup_timeout=startup_timeout) as running:
        yield Server(url=running.url, process=running.process, log=running.log)


POSTGRES_ADMIN_URL = os.environ.get("SPECGEN_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")


class PostgresUnavailable(Exception):
    pass


@contextmanager
def postgres_database() -> Iterator[str]:
    """A throwaway PostgreSQL database for one test run; dropped afterwards."""
    import psycopg

    name = f"specgen_test_{uuid.uuid4().hex[:12]}"
    try:
        admin = psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        raise PostgresUnavailable(
            f"PostgreSQL is unreachable at {POSTGRES_ADMIN_URL}: {str(exc).strip()[:200]}"
        ) from None
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
