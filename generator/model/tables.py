"""specs/database, read once: each source file's `tables` mapping of schema name to table spec.

The rules (validate/database_rules.py) judge the raw mapping, where anything may be written; once
they pass, `table_specs` reads it into frozen `TableSpec`s with every default applied, and the IR
reads only those."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from generator.base.diagnostics import join_pointer
from generator.base.names import snake
from generator.load.contract import Contract
from generator.load.loader import SourceFile

DEFAULT_PRIMARY_KEY = "id"
DEFAULT_ON_DELETE = "NO ACTION"
ON_DELETE = ("CASCADE", "SET NULL", "RESTRICT", "NO ACTION")
TABLE_KEYS = {"table", "primary_key", "timestamps", "indexes", "unique", "foreign_keys"}


def database_tables(contract: Contract) -> Iterator[tuple[SourceFile, str, Any, str]]:
    for source in contract.database:
        tables = source.data.get("tables") if isinstance(source.data, dict) else None
        if isinstance(tables, dict):
            for name, spec in tables.items():
                yield source, str(name), spec, join_pointer("/tables", name)


def table_name(schema_name: str, spec: dict[str, Any]) -> Any:
    """The table a mapped schema becomes: `table`, or the schema's snake_case name."""
    return spec.get("table", snake(schema_name))


def primary_key(spec: dict[str, Any]) -> Any:
    return spec.get("primary_key", DEFAULT_PRIMARY_KEY)


def string_set(value: Any) -> set[str]:
    """The strings of a list the contract says holds names (`required`, ...); anything else holds none."""
    return {v for v in value if isinstance(v, str)} if isinstance(value, list) else set()


@dataclass(frozen=True)
class IndexSpec:
    name: str
    columns: tuple[str, ...]


@dataclass(frozen=True)
class ForeignKeySpec:
    column: str
    references: str  # a mapped schema
    on_delete: str  # one of ON_DELETE


@dataclass(frozen=True)
class TableSpec:
    """One mapped schema, as specs/database says it (defaults applied)."""

    schema: str
    table: str
    primary_key: str
    created_field: str | None
    updated_field: str | None
    indexes: tuple[IndexSpec, ...]
    unique: tuple[IndexSpec, ...]
    foreign_keys: tuple[ForeignKeySpec, ...]


def _indexes(value: Any) -> tuple[IndexSpec, ...]:
    return tuple(IndexSpec(str(i["name"]), tuple(map(str, i["columns"]))) for i in value or [])


def table_specs(contract: Contract) -> dict[str, TableSpec]:
    """Schema name -> TableSpec, for a contract the database rules passed."""
    out = {}
    for _, name, spec, _ in database_tables(contract):
        timestamps = spec.get("timestamps") or {}
        out[name] = TableSpec(
            schema=name,
            table=str(table_name(name, spec)),
            primary_key=str(primary_key(spec)),
            created_field=timestamps.get("created"),
            updated_field=timestamps.get("updated"),
            indexes=_indexes(spec.get("indexes")),
            unique=_indexes(spec.get("unique")),
            foreign_keys=tuple(
                ForeignKeySpec(
                    str(fk["column"]), str(fk["references"]), str(fk.get("on_delete", DEFAULT_ON_DELETE)).upper()
                )
                for fk in spec.get("foreign_keys") or []
            ),
        )
    return out
