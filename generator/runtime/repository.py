"""Owner-scoped data access: the only way generated and custom code reach a table.

Every statement a repository builds carries the owner filter, so "another
user's row" and "no row" are the same thing to every caller: NotFound.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from enum import Enum
from typing import Any, Generic, TypeVar

from pydantic import AnyUrl, BaseModel
from sqlalchemy import exc as sa_exc
from sqlalchemy import func, select, update
from sqlmodel import Session, SQLModel

from .db import WRITE, utcnow
from .problems import Conflict, NotFound, ServiceUnavailable, Unprocessable

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


class Repository(Generic[T, P]):
    """Reads and writes of one table on behalf of one caller."""

    def __init__(self, session: Session, meta: TableMeta[T, P], owners: Mapping[str, str]) -> None:
        """`owners` maps JWT claim names to the caller's verified values."""
        owner_id = owners.get(meta.owner_claim) if meta.owner_field is not None else None
        if meta.owner_field is not None and not owner_id:
            raise ValueError("an owner-scoped repository needs the caller's id")
        self.session = session
        self.meta = meta
        self.owners = owners
        self.owner_id = owner_id
        self.table = meta.table
        self._pk = getattr(meta.table, meta.primary_key)

    # -- statements: every one goes through _scoped --------------------------------
    def _scoped(self, stmt: Any) -> Any:
        if self.meta.owner_field is not None:
            stmt = stmt.where(getattr(self.table, self.meta.owner_field) == self.owner_id)
        return stmt

    def _begin_write(self) -> None:
        """Mark the transaction as a writing one before it starts (SQLite: BEGIN IMMEDIATE)."""
        if not self.session.in_transaction():
            self.session.connection(execution_options={WRITE: True})

    def _public(self, row: T) -> P:
        return self.meta.public.model_validate(row, from_attributes=True)

    def _row(self, key: Any) -> T:
        row: T | None = self.session.execute(
            self._scoped(select(self.table).where(self._pk == key))
        ).scalar_one_or_none()
        if row is None:
            raise NotFound()
        return row

    # -- reads ------------------------------------------------------------------------
    def get(self, key: Any) -> P:
        with _database_errors(self.session, self.meta):
            return self._public(self._row(key))

    def list(self, *, limit: int, offset: int, filters: Mapping[str, Any] | None = None) -> tuple[list[P], int]:
        """A page in primary-key order, and the number of rows the filters match."""
        page, count = self.list_statements(limit=limit, offset=offset, filters=filters)
        with _database_errors(self.session, self.meta):
            items = [self._public(r) for r in self.session.execute(page).scalars()]
            total = self.session.execute(count).scalar_one()
        return items, int(total)

    def list_statements(self, *, limit: int, offset: int, filters: Mapping[str, Any] | None = None) -> tuple[Any, Any]:
        """The page and count statements of list() (public so their query plans can be checked)."""
        conditions = [getattr(self.table, k) == v for k, v in (filters or {}).items() if v is not None]
        # SQLite reads a negative LIMIT as "no limit" and PostgreSQL rejects it: never pass one on
        limit, offset = max(0, limit), max(0, offset)
        page = self._scoped(select(self.table).where(*conditions)).order_by(self._pk).limit(limit).offset(offset)
        count = self._scoped(select(func.count()).select_from(self.table).where(*conditions))
        return page, count

    def find_own(self) -> P:
        """The caller's row of a one-per-user resource."""
        with _database_errors(self.session, self.meta):
            row = self.session.execute(self._scoped(select(self.table))).scalar_one_or_none()
            if row is None:
                raise NotFound(f"No {self.meta.name} yet")
            return self._public(row)

    # -- writes -----------------------------------------------------------------------
    def create(self, values: Mapping[str, Any]) -> P:
        values = _plain(values)
        with _database_errors(self.session, self.meta):
            self._begin_write()
            self._check_references(values)
            now = utcnow()
            if self.meta.owner_field is not None:
                values[self.meta.owner_field] = self.owner_id
            for stamp in (self.meta.created_field, self.meta.updated_field):
                if stamp:
                    values[stamp] = now
            row = self.table(**values)
            self.session.add(row)
            self.session.commit()
            return self._public(row)

    def update(self, key: Any, values: Mapping[str, Any]) -> P:
        """One UPDATE ... RETURNING: every sent field is written together, so concurrent updates
        leave one writer's state, never a mix (the ORM would skip fields equal to a stale read)."""
        values = _plain(values)
        self._check_not_null(values)
        with _database_errors(self.session, self.meta):
            self._begin_write()
            self._check_references(values)
            if self.meta.updated_field:
                values[self.meta.updated_field] = utcnow()
            if not values:
                return self._public(self._row(key))
            stmt = self._scoped(update(self.table).where(self._pk == key)).values(values).returning(self.table)
            row = self.session.execute(stmt, execution_options={"synchronize_session": False}).scalar_one_or_none()
            if row is None:
                self.session.rollback()
                raise NotFound()
            public = self._public(row)
            self.session.commit()
            return public

    def put_own(self, values: Mapping[str, Any]) -> P:
        """Create or replace the caller's row of a one-per-user resource."""
        values = _plain(values)
        with _database_errors(self.session, self.meta):
            self._begin_write()
            self._check_references(values)
            row = self.session.execute(self._scoped(select(self.table))).scalar_one_or_none()
            now = utcnow()
            if row is None:
                if self.meta.owner_field is not None:
                    values[self.meta.owner_field] = self.owner_id
                if self.meta.created_field:
                    values[self.meta.created_field] = now
                if self.meta.updated_field:
                    values[self.meta.updated_field] = now
                row = self.table(**values)
                self.session.add(row)
            else:
                for name, value in values.items():
                    setattr(row, name, value)
                if self.meta.updated_field:
                    setattr(row, self.meta.updated_field, now)
            self.session.commit()
            return self._public(row)

    def delete(self, key: Any) -> None:
        with _database_errors(self.session, self.meta):
            self._begin_write()
            self.session.delete(self._row(key))
            self.session.commit()

    def delete_own(self) -> None:
        with _database_errors(self.session, self.meta):
            self._begin_write()
            row = self.session.execute(self._scoped(select(self.table))).scalar_one_or_none()
            if row is None:
                raise NotFound(f"No {self.meta.name} yet")
            self.session.delete(row)
            self.session.commit()

    # -- rules ------------------------------------------------------------------------
    def _check_not_null(self, values: Mapping[str, Any]) -> None:
        nulls = [k for k in self.meta.not_nullable if k in values and values[k] is None]
        if nulls:
            raise Unprocessable(
                "Some fields cannot be null",
                errors=[{"pointer": f"/body/{k}", "detail": "Input should not be null"} for k in nulls],
            )

    def _check_references(self, values: Mapping[str, Any]) -> None:
        """A reference to an owner-scoped row must name one of the caller's rows."""
        for fk in self.meta.foreign_keys:
            value = values.get(fk.column)
            if value is None:
                continue
            stmt = select(getattr(fk.target, fk.target_column)).where(getattr(fk.target, fk.target_column) == value)
            if fk.target_owner_field is not None:
                stmt = stmt.where(getattr(fk.target, fk.target_owner_field) == self.owners.get(fk.target_owner_claim))
            if self.session.execute(stmt.limit(1)).first() is None:
                # 409, as PostgREST answers a foreign-key violation: the request is well formed but
                # conflicts with what exists. (A 404 would say the addressed row itself is gone.)
                raise Conflict(
                    f"{fk.column} does not name one of your {fk.target_name} rows",
                    errors=[{"pointer": f"/body/{fk.column}", "detail": f"No {fk.target_name} with this id"}],
                )


def _plain(values: Mapping[str, Any]) -> dict[str, Any]:
    """Column values: enum members become their values, URLs their text (the columns hold strings).

    Text that no database stores faithfully (NUL, lone surrogates) is refused here, the one place
    every write passes, so SQLite and PostgreSQL answer the same 422.
    """
    out = {k: _column_value(v) for k, v in values.items()}
    bad = [k for k, v in out.items() if isinstance(v, str) and not _storable(v)]
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


def _storable(text: str) -> bool:
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


@contextmanager
def _database_errors(session: Session, meta: TableMeta[Any, Any]) -> Iterator[None]:
    """Database failures as problems: conflicts 409, bad values 422, outages 503."""
    try:
        yield
    except sa_exc.IntegrityError as exc:
        session.rollback()
        fields = _conflicting_fields(exc, meta)
        if fields:
            raise Conflict(
                f"Another {meta.name} already has this {', '.join(fields)}",
                errors=[{"pointer": f"/body/{f}", "detail": "Already taken"} for f in fields],
            ) from None
        raise Conflict(f"The {meta.name} conflicts with existing data") from None
    except (sa_exc.DataError, OverflowError):
        session.rollback()
        raise Unprocessable("A value is out of range for its field") from None
    except (sa_exc.OperationalError, sa_exc.TimeoutError, sa_exc.InterfaceError):
        session.rollback()
        raise ServiceUnavailable("The database is busy or unreachable; retry shortly") from None


def _conflicting_fields(exc: sa_exc.IntegrityError, meta: TableMeta[Any, Any]) -> Sequence[str]:
    text = str(exc.orig)
    diag = getattr(exc.orig, "diag", None)
    constraint = getattr(diag, "constraint_name", None)
    for name, columns in meta.uniques:
        if constraint == name or all(f".{c}" in text for c in columns) or name in text:
            return [c for c in columns if c != meta.owner_field]
    return []
