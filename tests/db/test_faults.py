"""Database faults become 503 with Retry-After, never 500, and the server recovers by itself."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import httpx
import psycopg
import pytest

from tests.support import POSTGRES_ADMIN_URL, copy_project, new_user, run_server

HOLDING_OVERRIDE = """import time

from generated.deps import Context
from generated.models import TaskPublic
from generated.services.tasks import DefaultTasksService


class TasksOverrides(DefaultTasksService):
    def complete_task(self, ctx: Context, *, task_id: int) -> TaskPublic:
        with ctx.data.tasks.database.engine.connect():  # holds the pool's only connection
            time.sleep(3)
        return ctx.data.tasks.get(task_id)
"""


def _is_postgres(url: str) -> bool:
    return url.startswith("postgresql")


def test_sqlite_lock_held_past_the_busy_timeout_is_503_then_writes_resume(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "p")
    db = tmp_path / "locked.db"
    env = {"DATABASE_URL": f"sqlite:///{db}", "SQLITE_BUSY_TIMEOUT_MS": "300"}
    with run_server(project, env=env) as server, server.client(new_user()) as c:
        assert c.post("/backend/tasks", json={"title": "before"}).status_code == 201
        holder = sqlite3.connect(db, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")  # another process holds the write lock
        try:
            started = time.monotonic()
            blocked = c.post("/backend/tasks", json={"title": "during"})
            waited = time.monotonic() - started
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        assert blocked.status_code == 503, blocked.text
        assert blocked.headers["retry-after"].isdigit()
        assert blocked.headers["content-type"] == "application/problem+json"
        print(f"SQLite lock answered 503 after {waited:.2f}s (busy timeout 0.3s)")
        assert waited < 5
        assert c.post("/backend/tasks", json={"title": "after"}).status_code == 201
        assert [t["title"] for t in c.get("/backend/tasks").json()["items"]] == ["before", "after"]


def test_exhausted_postgres_pool_answers_503_within_about_a_second_of_its_timeout(
    tmp_path: Path, fresh_database: str
) -> None:
    if not _is_postgres(fresh_database):
        pytest.skip("connection pools are a PostgreSQL matter; SQLite opens a connection per thread")
    project = copy_project(tmp_path / "p")
    (project / "custom" / "tasks.py").write_text(HOLDING_OVERRIDE)
    env = {"DATABASE_URL": fresh_database, "DB_POOL_SIZE": "1", "DB_MAX_OVERFLOW": "0", "DB_POOL_TIMEOUT": "1"}
    with run_server(project, env=env) as server, server.client(new_user()) as c:
        task = c.post("/backend/tasks", json={"title": "held"}).json()
        holder = threading.Thread(target=lambda: c.post(f"/backend/tasks/{task['id']}/complete"))
        holder.start()
        time.sleep(0.5)
        started = time.monotonic()
        with httpx.Client(base_url=server.url, headers=c.headers, timeout=30) as other:
            starved = other.get("/backend/tasks")
        waited = time.monotonic() - started
        holder.join()
        assert starved.status_code == 503, starved.text
        assert starved.headers["retry-after"].isdigit()
        print(f"exhausted pool answered 503 after {waited:.2f}s (pool timeout 1s)")
        assert 0.9 <= waited < 2.0, f"answered after {waited:.2f}s with a 1s pool timeout"
        assert c.get("/backend/tasks").status_code == 200, "the pool recovers once the connection is back"


def test_postgres_going_away_gives_503_and_the_server_recovers_by_itself(tmp_path: Path, fresh_database: str) -> None:
    if not _is_postgres(fresh_database):
        pytest.skip("needs a database server that can go away")
    name = fresh_database.rsplit("/", 1)[1]
    project = copy_project(tmp_path / "p")
    with run_server(project, env={"DATABASE_URL": fresh_database}) as server, server.client(new_user()) as c:
        assert c.post("/backend/tasks", json={"title": "before"}).status_code == 201
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
            admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,))
            try:
                down = c.get("/backend/tasks")
                assert down.status_code == 503, down.text
                assert down.headers["retry-after"].isdigit()
                assert c.post("/backend/tasks", json={"title": "lost?"}).status_code == 503
            finally:
                admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        started = time.monotonic()
        while True:
            back = c.get("/backend/tasks")
            if back.status_code == 200 or time.monotonic() - started > 10:
                break
            time.sleep(0.1)
        recovered_after = time.monotonic() - started
        assert back.status_code == 200, back.text
        assert [t["title"] for t in back.json()["items"]] == ["before"]
        print(f"recovered {recovered_after:.2f}s after the database came back")
