"""Engines and sessions for SQLite and PostgreSQL, and the column types they share."""

from __future__ import annotations

import datetime
import decimal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import DateTime, Engine, Numeric, String, event
from sqlalchemy.types import TypeDecorator
from sqlmodel import create_engine

SQLITE_BUSY_TIMEOUT_MS = 5000


class UTCDateTime(TypeDecorator[datetime.datetime]):
    """Timezone-aware datetimes on every database: stored as UTC, read back as UTC.

    SQLite keeps no zone; without this a value written aware comes back naive.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime.datetime | None, dialect: Any) -> datetime.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=datetime.UTC)
        value = value.astimezone(datetime.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime.datetime | None, dialect: Any) -> datetime.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=datetime.UTC) if value.tzinfo is None else value.astimezone(datetime.UTC)


class ExactDecimal(TypeDecorator[decimal.Decimal]):
    """Decimals that come back digit for digit: NUMERIC on PostgreSQL, text on SQLite (which has no
    decimal type and would round-trip 12.50 through a float)."""

    impl = Numeric
    cache_ok = True

    def load_dialect_impl(self, dialect: Any) -> Any:
        return dialect.type_descriptor(String(64) if dialect.name == "sqlite" else Numeric(asdecimal=True))

    def process_bind_param(self, value: Any, dialect: Any) -> Any:
        if value is None:
            return None
        return str(value) if dialect.name == "sqlite" else decimal.Decimal(value)

    def process_result_value(self, value: Any, dialect: Any) -> decimal.Decimal | None:
        return None if value is None else decimal.Decimal(str(value))


def storable(text: str) -> bool:
    """Text every database keeps as sent: PostgreSQL refuses NUL, UTF-8 has no lone surrogates."""
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def all_text_storable(value: Any) -> bool:
    """Every string inside a JSON-like value (keys too) is storable; iterative, so depth costs no stack."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if not storable(item):
                return False
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, (list, tuple)):
            pending.extend(item)
    return True


def utcnow() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def normalize_url(url: str) -> str:
    """postgresql:// means psycopg 3 here (SQLAlchemy would pick psycopg2)."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


WRITE = "specgen_write"  # execution option: this transaction will write
AUTOCOMMIT = "specgen_autocommit"  # execution option (SQLite): no BEGIN, each statement commits


class Database:
    """The engine, seen two ways: one statement per transaction, or explicit write transactions."""

    def __init__(self, engine: Engine, *, sqlite_busy_timeout_ms: int = SQLITE_BUSY_TIMEOUT_MS) -> None:
        self.engine = engine
        # PostgreSQL: the driver's autocommit (no BEGIN/ROLLBACK round trips). SQLite: the driver
        # already leaves transactions to us (see make_engine), so it is enough not to begin one.
        sqlite = engine.dialect.name == "sqlite"
        self.autocommit = engine.execution_options(
            **({AUTOCOMMIT: True} if sqlite else {"isolation_level": "AUTOCOMMIT"})
        )
        self.writer = engine.execution_options(**{WRITE: True})
        # SQLite has one writer at a time. Threads of this process queue for it here, woken as
        # soon as it is free, instead of in SQLite's busy handler, which sleeps in growing steps
        # (up to 100 ms) and gave creates a long latency tail. Other processes still meet the
        # busy timeout; the wait here is bounded by the same timeout.
        self._write_lock = threading.Lock() if sqlite else None
        self._write_wait = sqlite_busy_timeout_ms / 1000

    @contextmanager
    def writing(self) -> Iterator[None]:
        """Hold this process's SQLite write turn (nothing on PostgreSQL). TimeoutError past the busy timeout."""
        if self._write_lock is None:
            yield
            return
        if not self._write_lock.acquire(timeout=self._write_wait):
            raise TimeoutError("the database is busy with other writes")
        try:
            yield
        finally:
            self._write_lock.release()


def make_engine(
    url: str,
    *,
    sqlite_busy_timeout_ms: int = SQLITE_BUSY_TIMEOUT_MS,
    pool_size: int = 10,
    max_overflow: int = 10,
    pool_timeout: float = 5.0,
) -> Engine:
    url = normalize_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": sqlite_busy_timeout_ms / 1000},
            # keep as many connections as requests run at once: opening one (and its pragmas)
            # per request would cost more than the query
            pool_size=max(pool_size, 20),
            max_overflow=max_overflow,
            pool_timeout=pool_timeout,
        )

        @event.listens_for(engine, "connect")
        def _sqlite_setup(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.isolation_level = None  # transactions are begun below, not by the driver
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")  # readers never wait for the writer
            cursor.execute(f"PRAGMA busy_timeout={int(sqlite_busy_timeout_ms)}")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(connection: Any) -> None:
            # A write transaction takes the write lock up front (waiting up to the busy timeout);
            # a deferred one that writes later fails at once with "database is locked".
            options = connection.get_execution_options()
            if options.get(AUTOCOMMIT):
                return
            connection.exec_driver_sql("BEGIN IMMEDIATE" if options.get(WRITE) else "BEGIN")

        return engine
    return create_engine(
        url,
        # No ping before each use: it costs a round trip per request. After a restart, the first
        # statement on a dead connection fails, SQLAlchemy replaces the pool, and reads retry once
        # (Repository._read).
        pool_pre_ping=False,
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_timeout=pool_timeout,
    )
