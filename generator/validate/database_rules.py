"""The house rules of specs/database: how schemas become tables (see validate.py for the rest)."""

from __future__ import annotations

import keyword
from typing import Any

from generator.base.diagnostics import join_pointer
from generator.base.names import IDENTIFIER, table_class_name
from generator.load.contract import Contract
from generator.model.owner import OWNER_SCOPED, OwnerScope
from generator.model.schemas import deref, scalar_type
from generator.model.tables import ON_DELETE, TABLE_KEYS, database_tables, primary_key, string_set, table_name
from generator.validate.report import Reporter


def check_database(
    report: Reporter, contract: Contract, schemas: dict[str, Any], scopes: dict[str, OwnerScope]
) -> None:
    """The rules of specs/database: each table maps a schema once, with valid keys, indexes and references."""
    doc = contract.document
    table_names: dict[str, str] = {}
    for source in contract.database:
        if not isinstance(source.data, dict) or not isinstance(source.data.get("tables"), dict):
            report.at(
                source.display,
                "",
                "database-invalid",
                "a database spec is a mapping with a `tables` mapping of schema name to table",
            )
    mapped = {n for _, n, _, _ in database_tables(contract)}
    first_mapping: dict[str, str] = {}
    class_names: dict[str, str] = {}
    for source, name, spec, ptr in database_tables(contract):
        if name in first_mapping:
            report.at(
                source.display, ptr, "database-invalid", f"{name} is already mapped to a table in {first_mapping[name]}"
            )
            continue
        first_mapping[name] = source.display
        table_class = table_class_name(name)
        if table_class in class_names:
            report.at(
                source.display,
                ptr,
                "name-clash",
                f"{name} and {class_names[table_class]} both become the Python class {table_class}: rename one schema",
            )
            continue
        class_names[table_class] = name
        _check_table(report, source.display, name, spec, ptr, schemas.get(name), mapped, table_names)
        if isinstance(schemas.get(name), dict) and isinstance(spec, dict):
            _check_columns(report, doc, name, schemas[name], spec, scopes.get(name))


def _check_table(
    report: Reporter,
    file: str,
    name: str,
    spec: Any,
    ptr: str,
    schema: Any,
    mapped: set[str],
    table_names: dict[str, str],
) -> None:
    if not isinstance(schema, dict):
        report.at(file, ptr, "database-unknown-resource", f"no schema {name!r} in the contract's components.schemas")
        return
    if not isinstance(spec, dict):
        report.at(file, ptr, "database-invalid", f"table spec for {name} must be a mapping")
        return
    raw_props = schema.get("properties")
    props: dict[str, Any] = raw_props if isinstance(raw_props, dict) else {}
    for key in sorted(set(map(str, spec)) - TABLE_KEYS):
        report.at(
            file,
            join_pointer(ptr, key),
            "database-invalid",
            f"unknown key {key!r} (allowed: {', '.join(sorted(TABLE_KEYS))})",
        )
    table = table_name(name, spec)
    if not isinstance(table, str) or not IDENTIFIER.fullmatch(table):
        report.at(file, join_pointer(ptr, "table"), "database-invalid", "table must be an SQL identifier")
    elif table.lower() in table_names:  # SQL folds the case of names: `Project` and `project` are one table
        report.at(
            file,
            join_pointer(ptr, "table"),
            "database-invalid",
            f"table {table!r} is also used by {table_names[table.lower()]}",
        )
    else:
        table_names[table.lower()] = name

    def field_ref(value: Any, where: str) -> None:
        if not isinstance(value, str) or value not in props:
            report.at(file, where, "database-unknown-field", f"{name} has no field {value!r}")

    field_ref(primary_key(spec), join_pointer(ptr, "primary_key"))
    timestamps = spec.get("timestamps", {})
    if not isinstance(timestamps, dict) or set(map(str, timestamps)) - {"created", "updated"}:
        report.at(
            file,
            join_pointer(ptr, "timestamps"),
            "database-invalid",
            "timestamps is a mapping with keys created and/or updated",
        )
    else:
        for key, value in timestamps.items():
            field_ref(value, join_pointer(ptr, "timestamps", key))
    for key in ("indexes", "unique"):
        entries = spec.get(key, [])
        if not isinstance(entries, list):
            report.at(file, join_pointer(ptr, key), "database-invalid", f"{key} is a list of {{name, columns}}")
            continue
        for i, entry in enumerate(entries):
            where = join_pointer(ptr, key, i)
            cols = entry.get("columns") if isinstance(entry, dict) else None
            if not isinstance(cols, list) or not cols or not isinstance(entry.get("name"), str):
                report.at(file, where, "database-invalid", f"each of {key} needs a name and a non-empty columns list")
                continue
            for j, col in enumerate(cols):
                field_ref(col, join_pointer(where, "columns", j))
    fks = spec.get("foreign_keys", [])
    if not isinstance(fks, list):
        report.at(
            file,
            join_pointer(ptr, "foreign_keys"),
            "database-invalid",
            "foreign_keys is a list of {column, references, on_delete}",
        )
        return
    for i, fk in enumerate(fks):
        where = join_pointer(ptr, "foreign_keys", i)
        if not isinstance(fk, dict):
            report.at(file, where, "database-invalid", "a foreign key is a mapping {column, references, on_delete}")
            continue
        field_ref(fk.get("column"), join_pointer(where, "column"))
        target = fk.get("references")
        if not isinstance(target, str) or target not in mapped:
            report.at(
                file,
                join_pointer(where, "references"),
                "database-unknown-resource",
                f"foreign key references {target!r}, which is not a table in specs/database",
            )
        on_delete = fk.get("on_delete", "NO ACTION")
        if not isinstance(on_delete, str) or on_delete.upper() not in ON_DELETE:
            report.at(
                file,
                join_pointer(where, "on_delete"),
                "database-invalid",
                f"on_delete must be one of {', '.join(ON_DELETE)}",
            )


def _check_columns(
    report: Reporter,
    doc: dict[str, Any],
    name: str,
    schema: dict[str, Any],
    spec: dict[str, Any],
    scope: OwnerScope | None,
) -> None:
    """Every property becomes a column: it needs a usable name, and a read-only one a value the server sets."""
    props = schema.get("properties") if isinstance(schema.get("properties"), dict) else {}
    pk = primary_key(spec)
    raw_timestamps = spec.get("timestamps")
    timestamps: dict[str, Any] = raw_timestamps if isinstance(raw_timestamps, dict) else {}
    owner = scope.field if scope else None
    server_set = {v for v in (pk, owner, *timestamps.values()) if isinstance(v, str)}
    required = string_set(schema.get("required"))
    # when the key or the owner declaration is itself broken, its own rule has spoken: no echoes here
    key_broken = not isinstance(pk, str) or pk not in (props or {})
    owner_broken = OWNER_SCOPED in schema and (scope is None or scope.field not in (props or {}))
    for prop, sub in (props or {}).items():
        where = join_pointer("/components/schemas", name, "properties", prop)
        if (
            not isinstance(prop, str)
            or not IDENTIFIER.fullmatch(prop)
            or keyword.iskeyword(prop)
            or prop.startswith("_")
        ):
            report.api(
                where,
                "database-field-name",
                f"{name}.{prop!s} cannot be a column name: table-backed fields must be identifiers like due_date",
            )
            continue
        resolved = deref(doc, sub)
        if not isinstance(resolved, dict) or resolved.get("readOnly") is not True or key_broken or owner_broken:
            continue
        if prop == pk and prop != owner:
            if scalar_type(doc, sub).kind != "integer":
                report.api(
                    where,
                    "read-only-unset",
                    f"{name}.{prop} is a read-only primary key, so the server must generate it: make it an integer, or writable",
                )
        elif prop not in server_set and prop in required and "default" not in resolved:
            report.api(
                where,
                "read-only-unset",
                f"{name}.{prop} is read-only and required, but nothing sets it: give it a default, or name it in timestamps",
            )
