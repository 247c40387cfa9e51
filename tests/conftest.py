from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from tests.support import PostgresUnavailable, Server, copy_project, postgres_database, run_server

DATABASES = ["sqlite", "postgresql"]


def database_url(kind: str, stack: ExitStack) -> str | None:
    """None for the default SQLite file; a throwaway PostgreSQL database otherwise.

    Outside CI an unreachable PostgreSQL skips the PostgreSQL half with the reason; under CI=true it fails.
    """
    if kind == "sqlite":
        return None
    try:
        return stack.enter_context(postgres_database())
    except PostgresUnavailable as exc:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{exc} (CI=true: the PostgreSQL half may not be skipped)")
        pytest.skip(str(exc))


@pytest.fixture(scope="session", params=DATABASES)
def database(request: pytest.FixtureRequest) -> Iterator[str | None]:
    with ExitStack() as stack:
        yield database_url(request.param, stack)


@pytest.fixture(scope="session")
def example_server(tmp_path_factory: pytest.TempPathFactory, database: str | None) -> Iterator[Server]:
    """The example app as committed (generated/ + custom/), served over real HTTP on SQLite and on PostgreSQL."""
    project = copy_project(tmp_path_factory.mktemp("example"))
    env = {"DATABASE_URL": database} if database else {}
    with run_server(project, env=env) as server:
        yield server


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    return copy_project(tmp_path / "project")


@pytest.fixture(params=DATABASES)
def fresh_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database of its own for one test: a new SQLite file or a throwaway PostgreSQL database."""
    with ExitStack() as stack:
        url = database_url(request.param, stack)
        yield url or f"sqlite:///{tmp_path / 'fresh.db'}"
