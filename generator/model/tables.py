"""specs/database, read once: each source file's `tables` mapping of schema name to table spec."""

from __future__ import annotations

from collections.abc import Iterator
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
