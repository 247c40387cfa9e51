"""Paging and filters use the indexes: a list for one owner reads only that owner's rows."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import ExitStack
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from specgen_runtime.db import normalize_url
from tests.conftest import database_url
from tests.support import REPO


@pytest.fixture
def postgres_tasks() -> Iterator[tuple[Engine, Any]]:
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    from generated.tables import TASKS

    with ExitStack() as stack:
        url = database_url("postgresql", stack)
        assert url is not None
        engine = create_engine(normalize_url(url))
        SQLModel.metadata.create_all(engine)
        with engine.begin() as connection:
            # 10,000 rows of 100 other owners, and 25 of ours
            connection.execute(
                text(
                    "INSERT INTO tasks (title, completed, priority, owner_id, created_at, updated_at) "
                    "SELECT 'other ' || g, g % 2 = 0, 'medium', 'owner-' || (g % 100), now(), now() FROM generate_series(1, 10000) g"
                )
            )
            connection.execute(
                text(
                    "INSERT INTO tasks (title, completed, priority, owner_id, created_at, updated_at) "
                    "SELECT 'mine ' || g, false, 'high', 'me', now(), now() FROM generate_series(1, 25) g"
                )
            )
            connection.execute(text("ANALYZE tasks"))
        yield engine, TASKS
        engine.dispose()


def _plan(engine: Engine, statement: Any) -> str:
    compiled = statement.compile(dialect=engine.dialect, compile_kwargs={"literal_binds": True})
    with engine.connect() as connection:
        return "\n".join(row[0] for row in connection.execute(text(f"EXPLAIN {compiled}")))


def test_a_page_of_one_owners_tasks_is_an_index_scan_on_the_owner_index(postgres_tasks: tuple[Engine, Any]) -> None:
    from specgen_runtime.db import Database
    from specgen_runtime.repository import Repository

    engine, meta = postgres_tasks
    repo = Repository(Database(engine), meta, {"sub": "me"})
    page, count = repo.list_statements(limit=20, offset=0)
    page_plan, count_plan = _plan(engine, page), _plan(engine, count)
    filtered_plan = _plan(engine, repo.list_statements(limit=20, offset=0, filters={"completed": False})[0])
    items, total = repo.list(limit=20, offset=0)
    print("page plan:\n" + page_plan + "\ncount plan:\n" + count_plan + "\nfiltered plan:\n" + filtered_plan)
    assert "ix_tasks_owner" in page_plan and "Seq Scan" not in page_plan
    assert "ix_tasks_owner" in count_plan and "Seq Scan" not in count_plan
    assert "ix_tasks_owner" in filtered_plan and "Seq Scan" not in filtered_plan
    assert total == 25 and [t.title for t in items] == [f"mine {i}" for i in range(1, 21)]
