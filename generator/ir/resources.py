"""A schema mapped in specs/database becomes a Resource: its table, columns, keys and indexes."""

from __future__ import annotations

from typing import Any

from generator.base.diagnostics import join_pointer
from generator.base.names import snake, table_class_name, unique
from generator.base.pysource import Code, literal
from generator.ir.types import Column, ForeignKey, Resource, Source
from generator.load.contract import Contract
from generator.model.owner import DEFAULT_OWNER_CLAIM, component_schemas
from generator.model.schemas import (
    deref,
    is_read_only,
    scalar_type,
)
from generator.model.tables import IndexSpec, TableSpec


def build_resource(
    doc: dict[str, Any],
    name: str,
    spec: TableSpec,
    tables: dict[str, TableSpec],
    scopes: dict[str, Any],
    family: tuple[str, str, str],
    attr_taken: set[str],
    contract: Contract,
) -> Resource:
    schema = deref(doc, component_schemas(doc)[name])
    props: dict[str, Any] = schema.get("properties") or {}
    required = set(schema.get("required") or [])
    scope = scopes.get(name)
    pk = spec.primary_key
    table = spec.table
    fks = []
    fk_by_column = {}
    for declared in spec.foreign_keys:
        target = tables[declared.references]
        node = ForeignKey(
            column=declared.column,
            target_resource=target.schema,
            target_table=target.table,
            target_column=target.primary_key,
            on_delete=declared.on_delete,
        )
        fks.append(node)
        fk_by_column[node.column] = node
    columns = []
    read_only = []
    not_nullable_writable = []
    for prop, sub in props.items():
        resolved = deref(doc, sub)
        t = scalar_type(doc, sub)
        is_pk = prop == pk
        has_default = isinstance(resolved, dict) and "default" in resolved
        nullable = not is_pk and (t.nullable or (prop not in required and not has_default))
        if is_read_only(doc, resolved):
            read_only.append(prop)
        elif not nullable:
            not_nullable_writable.append(prop)  # NOT NULL columns: a PATCH to null is a 422
        sa_type, py_type = _column_type(t, resolved if isinstance(resolved, dict) else {}, is_pk)
        fk = fk_by_column.get(prop)
        columns.append(
            Column(
                name=prop,
                sa_type=sa_type,
                py_type=py_type,
                nullable=nullable,
                primary_key=is_pk,
                autoincrement=is_pk and t.kind == "integer",
                index=False,
                foreign_key=f"{fk.target_table}.{fk.target_column}" if fk else None,
                on_delete=fk.on_delete if fk else None,
                server_default=_server_default(resolved) if has_default else None,
                source=Source(
                    contract.api.source_of(join_pointer("/components/schemas", name, "properties", prop))[0],
                    join_pointer("/components/schemas", name, "properties", prop),
                ),
            )
        )
    src_file, src_ptr = contract.api.source_of(join_pointer("/components/schemas", name))
    return Resource(
        name=name,
        table_name=table,
        class_name=table_class_name(name),
        attr_name=unique(snake(table), attr_taken),
        columns=tuple(columns),
        primary_key=pk,
        owner_field=scope.field if scope else None,
        owner_claim=scope.claim if scope else DEFAULT_OWNER_CLAIM,
        indexes=_indexes(table, spec, scope.field if scope else None, pk),
        uniques=spec.unique,
        foreign_keys=tuple(fks),
        created_field=spec.created_field,
        updated_field=spec.updated_field,
        read_only=tuple(read_only),
        not_nullable_writable=tuple(not_nullable_writable),
        create_model=family[0],
        update_model=family[1],
        public_model=family[2],
        source=Source(src_file, src_ptr),
    )


def _server_default(schema: dict[str, Any]) -> Code | None:
    """The contract's default as a column default, so rows written outside the API get it too."""
    value = schema.get("default")
    if isinstance(value, bool):
        return Code(f"text({literal(str(value).lower())})")
    if isinstance(value, (int, float)):
        return Code(f"text({literal(str(value))})")
    if isinstance(value, str):
        return literal(value)
    return None  # objects and arrays: JSON defaults stay in the models


def _indexes(table: str, spec: TableSpec, owner: str | None, pk: str) -> tuple[IndexSpec, ...]:
    declared = spec.indexes
    if owner is None or owner == pk:
        return declared
    # Every query of an owner-scoped table filters by owner and pages by key: (owner, key)
    # serves both, so a page costs the same whoever else has rows in the table.
    return (IndexSpec(f"ix_{table}_owner", (owner, pk)), *declared)


def _column_type(t: Any, schema: dict[str, Any], is_pk: bool) -> tuple[Code, str]:
    sa_type, py_type = _column_type_text(t, schema)
    return Code(sa_type), py_type  # SQLAlchemy expressions of our own; only numbers come from the contract


def _column_type_text(t: Any, schema: dict[str, Any]) -> tuple[str, str]:
    if t.enum and all(isinstance(e, str) for e in t.enum):
        return f"String({literal(max(len(e) for e in t.enum))})", "str"
    if t.format == "decimal" and t.kind in ("number", "string"):
        return "ExactDecimal()", "decimal.Decimal"
    if t.kind == "integer":
        if t.format == "int32":
            return "Integer()", "int"
        # SQLite only autoincrements INTEGER PRIMARY KEY; BIGINT elsewhere.
        return 'BigInteger().with_variant(Integer(), "sqlite")', "int"
    if t.kind == "number":
        return "Float()", "float"
    if t.kind == "boolean":
        return "Boolean()", "bool"
    if t.kind == "string":
        if t.format == "date":
            return "Date()", "datetime.date"
        if t.format == "date-time":
            return "UTCDateTime()", "datetime.datetime"
        if t.format == "uuid":
            return "Uuid()", "uuid.UUID"
        if isinstance(schema.get("maxLength"), int):
            return f"String({literal(schema['maxLength'])})", "str"
        return "Text()", "str"
    return "JSON()", "Any"
