"""Owner-scoped data access: the only way generated and custom code reach a table.

Every statement a repository runs carries the owner filter, so "another user's row" and "no row"
are the same thing to every caller: NotFound.

Each operation is one prepared statement (see statements.py) on a pooled connection. Where one
statement does the whole job it runs in autocommit mode: no ORM unit of work, no identity map and
no BEGIN/ROLLBACK round trips around it. Operations that need several statements (checking a
reference, then writing) run in one transaction; on SQLite it takes the write lock up front.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from enum import Enum
from functools import cached_property
from typing import Any, Generic, TypeVar

from pydantic import AnyUrl, BaseModel
from sqlalchemy import Connection, Row, Table, select
from sqlalchemy import exc as sa_exc
from sqlmodel import SQLModel

from .db import Database, all_text_storable, utcnow
from .problems import Conflict, NotFound, ServiceUnavailable, Unprocessable
from .statements import KEY, LIMIT, OFFSET, OWNER, TableStatements, filter_param

T = TypeVar("T", bound=SQLModel)
P = TypeVar("P", bound=BaseModel)


@dataclass(frozen=True)
class ForeignKeyMeta:
    column: str
    target: type[SQLModel]
    target_column: str
    target_owner_field: str | None  # set when the target is owner-scoped: the row must be the caller's
    target_owner_claim: str
    target_name: str


@dataclass(frozen=True)
class TableMeta(Generic[T, P]):
    name: str
    table: type[T]
    public: type[P]
    primary_key: str
    owner_field: str | None
    owner_claim: str
    created_field: str | None
    updated_field: str | None
    not_nullable: tuple[str, ...]
    uniques: tuple[tuple[str, tuple[str, ...]], ...]
    foreign_keys: tuple[ForeignKeyMeta, ...]

    @cached_property
    def sql(self) -> TableStatements:
        table: Table = self.table.__table__  # type: ignore[attr-defined]
        return TableStatements(table, self.public, self.primary_key, self.owner_field)


class Repository(Generic[T, P]):
    """Reads and writes of one table on behalf of one caller."""

    def __init__(self, database: Database, meta: TableMeta[T, P], owners: Mapping[str, str]) -> None:
        """`owners` maps JWT claim names to the caller's verified values."""
        owner_id = owners.get(meta.owner_claim) if meta.owner_field is not None else None
        if meta.owner_field is not None and not owner_id:
            raise ValueError("an owner-scoped repository needs the caller's id")
        self.database = database
        self.meta = meta
        self.owners = owners
        self.owner_id = owner_id
        self.sql = meta.sql
        self._scope = {OWNER: owner_id} if meta.owner_field is not None else {}

    def _public(self, row: Row[Any]) -> P:
        return self.meta.public.model_validate(dict(zip(self.sql.keys, row, strict=False)))

    @contextmanager
    def _connect(self, *, transaction: bool = False) -> Iterator[Connection]:
        """A connection for one write: autocommit, or one transaction committed at the end."""
        with _database_errors(self.meta), self.database.writing():
            if transaction:
                with self.database.writer.begin() as connection:
                    yield connection
            else:
                with self.database.autocommit.connect() as connection:
                    yield connection

    def _read(self, statement: Any, params: Mapping[str, Any]) -> Sequence[Row[Any]]:
        """One read statement in autocommit mode.

        Pooled connections are not pinged before use (a round trip per request). A read that
        finds its connection dead, after the database restarted, is retried once: SQLAlchemy has
        then replaced the pool's connections. Writes are not retried; they answer 503.
        """
        with _database_errors(self.meta):
            try:
                return self._fetch(statement, params)
            except sa_exc.DBAPIError as exc:
                if not exc.connection_invalidated:
                    raise
            return self._fetch(statement, params)

    def _fetch(self, statement: Any, params: Mapping[str, Any]) -> Sequence[Row[Any]]:
        with self.database.autocommit.connect() as connection:
            return connection.execute(statement, params).all()

    # -- reads ------------------------------------------------------------------------
    def get(self, key: Any) -> P:
        rows = self._read(self.sql.get, {KEY: key, **self._scope})
        if not rows:
            raise NotFound()
        return self._public(rows[0])

    def list(self, *, limit: int, offset: int, filters: Mapping[str, Any] | None = None) -> tuple[list[P], int]:
        """A page in primary-key order, and the number of rows the filters match."""
        page, count, params = self._list_query(limit=limit, offset=offset, filters=filters)
        rows = self._read(page, params)
        if rows:
            total = rows[0][-1]
        elif params[OFFSET] == 0:
            total = 0
        else:  # a page past the end carries no total: ask for it
            total = self._read(count, params)[0][0]
        return [self._public(row) for row in rows], int(total)

    def list_statements(self, *, limit: int, offset: int, filters: Mapping[str, Any] | None = None) -> tuple[Any, Any]:
        """The page and count statements of list(), with their values bound (for query plans)."""
        page, count, params = self._list_query(limit=limit, offset=offset, filters=filters)
        return page.params(params), count.params(params)

    def _list_query(
        self, *, limit: int, offset: int, filters: Mapping[str, Any] | None
    ) -> tuple[Any, Any, dict[str, Any]]:
        used = {k: v for k, v in (filters or {}).items() if v is not None}
        page, count = self.sql.list(tuple(sorted(used)))
        # SQLite reads a negative LIMIT as "no limit" and PostgreSQL rejects it: never pass one on
        params = {LIMIT: max(0, limit), OFFSET: max(0, offset), **self._scope}
        params.update({filter_param(k): _column_value(v) for k, v in used.items()})
        return page, count, params

    def find_own(self) -> P:
        """The caller's row of a one-per-user resource."""
        rows = self._read(self.sql.own, self._scope)
        if not rows:
            raise NotFound(f"No {self.meta.name} yet")
        return self._public(rows[0])

    # -- writes -----------------------------------------------------------------------
    def create(self, values: Mapping[str, Any]) -> P:
        values = _plain(values)
        now = utcnow()
        if self.meta.owner_field is not None:
            values[self.meta.owner_field] = self.owner_id
        for stamp in (self.meta.created_field, self.meta.updated_field):
            if stamp:
                values[stamp] = now
        with self._connect(transaction=self._has_references(values)) as connection:
            self._check_references(connection, values)
            row = connection.execute(self.sql.insert, values).one()
        return self._public(row)

    def update(self, key: Any, values: Mapping[str, Any]) -> P:
        """One UPDATE ... RETURNING: every sent field is written together, so concurrent updates
        leave one writer's state, never a mix."""
        values = _plain(values)
        self._check_not_null(values)
        if self.meta.updated_field:
            values[self.meta.updated_field] = utcnow()
        if not values:
            return self.get(key)
        with self._connect(transaction=self._has_references(values)) as connection:
            self._check_references(connection, values)
            row = connection.execute(self.sql.update, {KEY: key, **self._scope, **values}).first()
        if row is None:
            raise NotFound()
        return self._public(row)

    def put_own(self, values: Mapping[str, Any]) -> P:
        """Create or replace the caller's row of a one-per-user resource."""
        values = _plain(values)
        now = utcnow()
        changes = {**values, **({self.meta.updated_field: now} if self.meta.updated_field else {})}
        with self._connect(transaction=True) as connection:
            self._check_references(connection, values)
            if changes:
                row = connection.execute(self.sql.update_own, {**self._scope, **changes}).first()
            else:
                row = connection.execute(self.sql.own, self._scope).first()
            if row is None:
                if self.meta.owner_field is not None:
                    values[self.meta.owner_field] = self.owner_id
                for stamp in (self.meta.created_field, self.meta.updated_field):
                    if stamp:
                        values[stamp] = now
                row = connection.execute(self.sql.insert, values).one()
        return self._public(row)

    def delete(self, key: Any) -> None:
        with self._connect() as connection:
            deleted = connection.execute(self.sql.delete, {KEY: key, **self._scope}).rowcount
        if not deleted:
            raise NotFound()

    def delete_own(self) -> None:
        with self._connect() as connection:
            deleted = connection.execute(self.sql.delete_own, self._scope).rowcount
        if not deleted:
            raise NotFound(f"No {self.meta.name} yet")

    # -- rules ------------------------------------------------------------------------
    def _check_not_null(self, values: Mapping[str, Any]) -> None:
        nulls = [k for k in self.meta.not_nullable if k in values and values[k] is None]
        if nulls:
            raise Unprocessable(
                "Some fields cannot be null",
                errors=[{"pointer": f"/body/{k}", "detail": "Input should not be null"} for k in nulls],
            )

    def _has_references(self, values: Mapping[str, Any]) -> bool:
        return any(values.get(fk.column) is not None for fk in self.meta.foreign_keys)

    def _check_references(self, connection: Connection, values: Mapping[str, Any]) -> None:
        """A reference to an owner-scoped row must name one of the caller's rows."""
        for fk in self.meta.foreign_keys:
            value = values.get(fk.column)
            if value is None:
                continue
            stmt = select(getattr(fk.target, fk.target_column)).where(getattr(fk.target, fk.target_column) == value)
            if fk.target_owner_field is not None:
                stmt = stmt.where(getattr(fk.target, fk.target_owner_field) == self.owners.get(fk.target_owner_claim))
            if connection.execute(stmt.limit(1)).first() is None:
                # 409, as PostgREST answers a foreign-key violation: the request is well formed but
                # conflicts with what exists. (A 404 would say the addressed row itself is gone.)
                raise Conflict(
                    f"{fk.column} does not name one of your {fk.target_name} rows",
                    errors=[{"pointer": f"/body/{fk.column}", "detail": f"No {fk.target_name} with this id"}],
                )


def _plain(values: Mapping[str, Any]) -> dict[str, Any]:
    """Column values: enum members become their values, URLs their text (the columns hold strings).

    Text that no database stores faithfully (NUL, lone surrogates) is refused here, the one place
    every write passes, so SQLite and PostgreSQL answer the same 422: in a text column and anywhere
    inside a JSON one (keys included).
    """
    out = {k: _column_value(v) for k, v in values.items()}
    bad = [k for k, v in out.items() if not all_text_storable(v)]
    if bad:
        raise Unprocessable(
            "Text fields cannot contain NUL characters or unpaired surrogates",
            errors=[{"pointer": f"/body/{k}", "detail": "Contains a character that cannot be stored"} for k in bad],
        )
    return out


def _column_value(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, AnyUrl):
        return str(value)
    if isinstance(value, datetime.datetime) and value.tzinfo is not None:
        return value.astimezone(datetime.UTC)  # what a write returns is what a read will
    return value


@contextmanager
def _database_errors(meta: TableMeta[Any, Any]) -> Iterator[None]:
    """Database failures as problems: conflicts 409, bad values 422, outages 503. (Leaving the
    connection's block has already rolled back whatever it began.)"""
    try:
        yield
    except sa_exc.IntegrityError as exc:
        fields = _conflicting_fields(exc, meta)
        if fields:
            raise Conflict(
                f"Another {meta.name} already has this {', '.join(fields)}",
                errors=[{"pointer": f"/body/{f}", "detail": "Already taken"} for f in fields],
            ) from None
        raise Conflict(f"The {meta.name} conflicts with existing data") from None
    except (sa_exc.DataError, OverflowError):
        raise Unprocessable("A value is out of range for its field") from None
    except (sa_exc.OperationalError, sa_exc.TimeoutError, sa_exc.InterfaceError, TimeoutError):
        raise ServiceUnavailable("The database is busy or unreachable; retry shortly") from None


def _conflicting_fields(exc: sa_exc.IntegrityError, meta: TableMeta[Any, Any]) -> Sequence[str]:
    text = str(exc.orig)
    diag = getattr(exc.orig, "diag", None)
    constraint = getattr(diag, "constraint_name", None)
    for name, columns in meta.uniques:
        if constraint == name or all(f".{c}" in text for c in columns) or name in text:
            return [c for c in columns if c != meta.owner_field]
    return []
