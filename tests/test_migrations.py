"""Migrations: a contract change, `make generate` and `specgen migrate` give a revision that moves an
existing database forward with its rows intact and back again, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, inspect, text

from specgen_runtime.db import normalize_url
from tests.support import copy_project, new_user, run_server, specgen

TASK_FIELD = """        estimate:
          type: [integer, "null"]
          minimum: 1
          maximum: 100
"""
TAG_SCHEMA = """    Tag:
      type: object
      additionalProperties: false
      x-owner-scoped: true
      required: [id, label, owner_id]
      properties:
        id:
          type: integer
          format: int64
          readOnly: true
        label:
          type: string
          maxLength: 40
        owner_id:
          type: string
          readOnly: true
"""
TAG_TABLE = """  Tag:
    table: tags
"""
PRIORITY_INDEX = """      - name: ix_tasks_owner_priority
        columns: [owner_id, priority]
"""


def _change_contract(project: Path) -> None:
    spec = project / "specs" / "api" / "openapi.yaml"
    text_ = spec.read_text()
    anchor = '        due_date:\n          type: [string, "null"]\n          format: date\n'
    text_ = text_.replace(anchor, anchor + TASK_FIELD)  # add a column
    # make a field optional: a task's title
    text_ = text_.replace(
        "required: [id, title, completed, priority, owner_id, created_at, updated_at]",
        "required: [id, completed, priority, owner_id, created_at, updated_at]",
    )
    text_ = text_.replace("    ProjectList:\n", TAG_SCHEMA + "    ProjectList:\n")  # add a resource
    spec.write_text(text_)
    tables = project / "specs" / "database" / "tables.yaml"
    tables_text = tables.read_text().replace(
        "        columns: [owner_id, completed]\n", "        columns: [owner_id, completed]\n" + PRIORITY_INDEX
    )
    tables.write_text(tables_text + TAG_TABLE)


def _run(project: Path, env: dict[str, str], *args: str) -> str:
    result = specgen(*args, "--project", str(project), env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout + result.stderr


def test_contract_change_migrates_forward_with_rows_intact_and_back(tmp_path: Path, fresh_database: str) -> None:
    project = copy_project(tmp_path / "p", ("specs", "generated", "custom", "migrations"))
    env = {"DATABASE_URL": fresh_database}
    _run(project, env, "upgrade")
    user = new_user()
    with run_server(project, env={**env, "SPECGEN_CREATE_TABLES": "0"}) as server, server.client(user) as c:
        project_row = c.post("/backend/projects", json={"name": "Garden"}).json()
        tasks = [
            c.post("/backend/tasks", json={"title": f"t{i}", "project_id": project_row["id"]}).json() for i in range(5)
        ]
        assert all("id" in t for t in tasks)

    _change_contract(project)
    _run(project, env, "generate")
    before = set((project / "migrations" / "versions").glob("*.py"))
    _run(project, env, "migrate", "-m", "estimate, priority index, optional title, tags")
    written = set((project / "migrations" / "versions").glob("*.py")) - before
    assert len(written) == 1, "one new revision"
    revision = written.pop().read_text()
    for expected in (
        "add_column",
        "'estimate'",
        "ix_tasks_owner_priority",
        "create_table('tags'",
        "alter_column(",
        "'title'",
    ):
        assert expected in revision, f"{expected} missing from the revision:\n{revision}"

    _run(project, env, "upgrade")
    with run_server(project, env={**env, "SPECGEN_CREATE_TABLES": "0"}) as server, server.client(user) as c:
        page = c.get("/backend/tasks").json()
        assert [t["title"] for t in page["items"]] == [t["title"] for t in tasks], "rows survive the upgrade"
        assert all(t["estimate"] is None for t in page["items"])
        assert c.patch(f"/backend/tasks/{tasks[0]['id']}", json={"estimate": 3}).json()["estimate"] == 3
        untitled = c.post("/backend/tasks", json={"estimate": 2})
        assert untitled.status_code == 201, "title is optional now"

        # a downgrade that would lose data is refused with a message, and changes nothing
        refused = specgen("downgrade", "--revision", "-1", "--project", str(project), env=env)
        assert refused.returncode == 1 and "title" in refused.stderr and "Traceback" not in refused.stderr
        assert c.get(f"/backend/tasks/{untitled.json()['id']}").status_code == 200
        assert c.delete(f"/backend/tasks/{untitled.json()['id']}").status_code == 204

    _run(project, env, "downgrade", "--revision", "-1")
    engine = create_engine(normalize_url(fresh_database))
    try:
        inspector = inspect(engine)
        assert "tags" not in inspector.get_table_names()
        assert "estimate" not in {c["name"] for c in inspector.get_columns("tasks")}
        with engine.connect() as connection:
            titles = [
                r[0] for r in connection.execute(text("SELECT title FROM tasks WHERE title LIKE 't%' ORDER BY id"))
            ]
        assert titles == [t["title"] for t in tasks], "rows survive the downgrade"
    finally:
        engine.dispose()
