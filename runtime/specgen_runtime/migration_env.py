"""What a project's migrations/env.py runs: the compiled tables against DATABASE_URL."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from sqlmodel import SQLModel

from .config import database_url
from .db import ExactDecimal, UTCDateTime, make_engine


def _render_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    # Revisions must not import specgen's runtime: UTCDateTime is stored as a timezone-aware DateTime.
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    if type_ == "type" and isinstance(obj, ExactDecimal):
        # NUMERIC where the database has it; SQLite keeps the digits as text
        return "sa.Numeric().with_variant(sa.String(length=64), 'sqlite')"
    return False


def run_migrations(context: Any) -> None:
    project = Path(context.config.get_main_option("specgen_project") or ".").resolve()
    if str(project) not in sys.path:
        sys.path.insert(0, str(project))
    import generated.tables  # noqa: F401 - registers the tables on SQLModel.metadata

    # make_engine takes BEGIN over from pysqlite (which runs DDL outside transactions), so a
    # failed migration rolls back whole on SQLite too
    engine = make_engine(database_url(project))
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # batch mode rebuilds tables, which foreign keys would cascade into; the pragma only
            # works outside a transaction, so it goes straight to the driver
            _driver_execute(connection, "PRAGMA foreign_keys=OFF")
        context.configure(
            connection=connection,
            target_metadata=SQLModel.metadata,
            render_as_batch=sqlite,
            render_item=_render_item,
            compare_type=True,
            compare_server_default=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        if sqlite:
            _driver_execute(connection, "PRAGMA foreign_keys=ON")
    engine.dispose()


def _driver_execute(connection: Any, sql: str) -> None:
    driver = connection.connection.driver_connection
    assert driver is not None
    driver.execute(sql)
