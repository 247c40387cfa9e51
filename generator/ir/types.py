"""The intermediate representation: what the templates render.

Frozen dataclasses with every name resolved. Each node carries the file and
JSON pointer it was compiled from, so later stages can still point at the
designer's source.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from generator.base.pysource import Code, identifier, literal
from generator.model.tables import IndexSpec as Index  # an index or unique constraint: as specs/database says it

# A list operation without limit/offset parameters still pages: the repository gets these.
PAGE_DEFAULTS = {"limit": 50, "offset": 0}


@dataclass(frozen=True)
class Source:
    file: str
    pointer: str


@dataclass(frozen=True)
class Column:
    name: str
    sa_type: Code  # SQLAlchemy type expression, rendered as is
    py_type: str  # annotation on the table model
    nullable: bool
    primary_key: bool = False
    autoincrement: bool = False
    index: bool = False
    foreign_key: str | None = None  # "table.column"
    on_delete: str | None = None
    server_default: Code | None = None
    source: Source | None = None


@dataclass(frozen=True)
class ForeignKey:
    column: str
    target_resource: str
    target_table: str
    target_column: str
    on_delete: str | None


@dataclass(frozen=True)
class Resource:
    name: str  # the schema name in the contract, e.g. "Task"
    table_name: str
    class_name: str  # table model class, e.g. "TaskTable"
    attr_name: str  # e.g. "tasks": its attribute on the data access object
    columns: tuple[Column, ...]
    primary_key: str
    owner_field: str | None
    owner_claim: str
    indexes: tuple[Index, ...]
    uniques: tuple[Index, ...]
    foreign_keys: tuple[ForeignKey, ...]
    created_field: str | None
    updated_field: str | None
    read_only: tuple[str, ...]
    not_nullable_writable: tuple[str, ...]
    create_model: str
    update_model: str
    public_model: str
    source: Source

    @property
    def singleton(self) -> bool:
        return self.owner_field is not None and self.primary_key == self.owner_field


@dataclass(frozen=True)
class Parameter:
    name: str  # as in the contract
    py_name: str
    location: str  # path | query | header | cookie, or form | file: a field of a form body
    annotation: str  # Python type, without Annotated constraints
    constraints: tuple[tuple[str, Code], ...]  # keyword=value pairs for Path/Query/...
    required: bool
    default: Code | None  # Python literal
    description: str | None = None
    alias: str | None = None  # the wire name, when the route cannot use py_name for it
    coerce: Code | None = None  # a callable applied to the text first: int (schemas.text_coercion), delimited(',')
    style: str | None = None  # deepObject: read by runtime.params.deep_object instead of Query()
    model: str | None = None  # a model class the annotation names (imported from generated.models)


@dataclass(frozen=True)
class Operation:
    operation_id: str
    func_name: str
    method: str
    path: str  # as in the contract, relative to the mount path
    route_path: str  # as the router declares it: {pet-id} becomes {pet_id}
    kind: str  # list | create | get | update | replace | delete | get_own | put_own | delete_own | custom
    group: str
    resource: str | None
    parameters: tuple[Parameter, ...]
    body_model: str | None  # the model of a JSON body
    body_required: bool
    response_model: str | None  # the model of a JSON response
    status_code: int
    filters: tuple[str, ...]  # query parameters that filter a list by a column of the same name
    envelope_fields: tuple[str, ...]  # of a list response: which of items/total/limit/offset it has
    summary: str | None
    source: Source
    body_kind: str | None = None  # json | form (fields are form/file parameters) | raw (bytes)
    response_media: str | None = None  # a non-JSON success body: the service returns bytes of this type
    derived_id: bool = False  # the contract declares no operationId: operation_id is `GET /path`

    @property
    def body_type(self) -> str | None:
        """The annotation of the service's `body` argument (form fields are parameters instead)."""
        if self.body_kind == "json":
            return self.body_model
        return "bytes" if self.body_kind == "raw" else None

    @property
    def return_type(self) -> str:
        return self.response_model or ("bytes" if self.response_media else "None")

    @property
    def return_prefix(self) -> Code:
        """`return ` before the repository call when the operation answers with a model."""
        return Code("return " if self.response_model else "")

    def parameter(self, name: str) -> Parameter:
        """The parameter of this contract name (a list filter names one)."""
        return next(p for p in self.parameters if p.name == name)

    @property
    def key_parameter(self) -> str:
        """The argument holding the row's key: the first path parameter."""
        return next(p.py_name for p in self.parameters if p.location == "path")

    def page_arg(self, name: str) -> Code:
        """`limit`/`offset` for the repository: the parameter when the operation has one, else the default."""
        param = next((p for p in self.parameters if p.py_name == name), None)
        if param is None:
            return literal(PAGE_DEFAULTS[name])
        if param.required or param.default != "None":
            return identifier(name)
        # optional without a default: an absent ?limit= is None, which pages by the default
        return Code(f"{literal(PAGE_DEFAULTS[name])} if {identifier(name)} is None else {identifier(name)}")

    def envelope_value(self, field: str) -> Code:
        """What a list response's envelope field holds (items, total, limit, offset)."""
        return identifier(field) if field in ("items", "total") else self.page_arg(field)


def service_class_names(class_prefix: str) -> tuple[str, str]:
    """A group's Protocol and default implementation: `TasksService`, `DefaultTasksService`."""
    return f"{class_prefix}Service", f"Default{class_prefix}Service"


@dataclass(frozen=True)
class Group:
    name: str  # module name
    class_prefix: str  # e.g. "Tasks"
    operations: tuple[Operation, ...]
    resources: tuple[str, ...]

    @property
    def protocol(self) -> str:
        """The typed interface of the group's operations; custom/ implements it."""
        return service_class_names(self.class_prefix)[0]

    @property
    def default_class(self) -> str:
        """The generated implementation; custom/ overrides methods by subclassing it."""
        return service_class_names(self.class_prefix)[1]


@dataclass(frozen=True)
class Project:
    title: str
    spec_file: str
    database_file: str | None
    mount_path: str
    resources: tuple[Resource, ...]
    groups: tuple[Group, ...]
    model_schemas: dict[str, Any] = field(hash=False, compare=False)  # schemas for datamodel-code-generator
    served_contract: dict[str, Any] = field(hash=False, compare=False)
    model_aliases: tuple[tuple[str, str], ...] = ()  # a hoisted schema's name -> the class of its shape (dedupe.py)
    omit_none: tuple[tuple[str, tuple[str, ...]], ...] = ()  # response model -> optional non-nullable properties
    rebuild_order: tuple[str, ...] = ()  # models to rebuild after setting omit_none, contained first
    owner_fields: tuple[str, ...] = ()
    read_only_fields: tuple[str, ...] = ()

    def resource(self, name: str) -> Resource:
        return next(r for r in self.resources if r.name == name)
