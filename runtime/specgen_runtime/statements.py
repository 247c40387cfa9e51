"""The SQL of one table, built once: every statement a repository runs, with bind parameters.

Building a SQLAlchemy statement costs more Python time than a small query takes to run, and it
is the same for every request, so each table's statements are made on first use and kept. All of
them carry the owner filter (`OWNER`) when the table is owner-scoped, and select the columns of
the public model explicitly: rows come back as tuples, never as ORM objects.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel
from sqlalchemy import (
    Column,
    Delete,
    Insert,
    Integer,
    Select,
    Table,
    Update,
    bindparam,
    delete,
    func,
    insert,
    select,
    update,
)

# Bind parameter names; prefixed so they never collide with a column name (UPDATE takes its SET
# values from parameters named after columns).
OWNER = "specgen_owner"
KEY = "specgen_key"
LIMIT = "specgen_limit"
OFFSET = "specgen_offset"
TOTAL = "specgen_total"


def filter_param(column: str) -> str:
    return f"specgen_filter_{column}"


class TableStatements:
    def __init__(self, table: Table, public: type[BaseModel], primary_key: str, owner_field: str | None) -> None:
        public_names = {field.alias or name for name, field in public.model_fields.items()}
        self.table = table
        self.columns: Sequence[Column[Any]] = [c for c in table.columns if c.name in public_names]
        self.keys: tuple[str, ...] = tuple(c.name for c in self.columns)
        pk = table.c[primary_key]
        self._scope = [table.c[owner_field] == bindparam(OWNER)] if owner_field else []
        by_key = [pk == bindparam(KEY), *self._scope]

        self.get: Select[Any] = select(*self.columns).where(*by_key)
        self.own: Select[Any] = select(*self.columns).where(*self._scope)
        self.insert: Insert = insert(table).returning(*self.columns)
        self.update: Update = update(table).where(*by_key).returning(*self.columns)
        self.update_own: Update = update(table).where(*self._scope).returning(*self.columns)
        self.delete: Delete = delete(table).where(*by_key)
        self.delete_own: Delete = delete(table).where(*self._scope)
        self._pk = pk
        self._lists: dict[tuple[str, ...], tuple[Select[Any], Select[Any]]] = {}

    def list(self, filters: tuple[str, ...]) -> tuple[Select[Any], Select[Any]]:
        """A page with the total in each row, and the count alone (for a page past the end).

        The total is an uncorrelated scalar subquery: both databases run it once, as an index
        count, beside a page read in index order and cut at the limit. One round trip; a window
        count would make the database read and sort all of the caller's rows first.
        One pair per set of filters in use: a handful per table.
        """
        pair = self._lists.get(filters)
        if pair is None:
            where = [*self._scope, *(self.table.c[f] == bindparam(filter_param(f)) for f in filters)]
            count: Select[Any] = select(func.count()).select_from(self.table).where(*where)
            page: Select[Any] = (
                select(*self.columns, count.scalar_subquery().label(TOTAL))
                .where(*where)
                .order_by(self._pk)
                .limit(bindparam(LIMIT, type_=Integer()))
                .offset(bindparam(OFFSET, type_=Integer()))
            )
            pair = self._lists[filters] = (page, count)
        return pair
