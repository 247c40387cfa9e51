"""Python names for contract names: identifiers, classes, modules."""

from __future__ import annotations

import keyword
import re
import unicodedata

# fullmatch only: `$` would also match before a trailing newline ("notes\n")
IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_WORD = re.compile(r"[A-Z]+(?=[A-Z][a-z0-9])|[A-Z]?[a-z0-9]+|[A-Z]+|[0-9]+")
_BUILTIN_SHADOWS = {"self", "type", "id", "list", "dict", "str", "int", "float", "bool", "object"}

# Class names that models.py, the routers or the services import. A schema must not take one:
# `Response` would shadow FastAPI's in a router, and datamodel-code-generator silently renames a
# schema `Field` to `FieldModel`, so the routers would import pydantic's Field instead.
RESERVED_CLASS_NAMES = frozenset(
    {
        # pydantic, and what datamodel-code-generator imports for formats
        "BaseModel", "RootModel", "Field", "ConfigDict", "AnyUrl", "AnyHttpUrl", "AwareDatetime", "NaiveDatetime",
        "EmailStr", "NameEmail", "Base64Str", "Base64Bytes", "SecretStr", "Json", "IPvAnyAddress", "IPv4Address",
        "IPv6Address", "IPv4Network", "IPv6Network", "IPvAnyNetwork", "IPvAnyInterface", "UUID", "Decimal",
        "TypeAliasType",
        # keywords a Pascal-cased schema name can hit (`none` -> None)
        "None", "True", "False",
        # typing and enum
        "Any", "Annotated", "Literal", "Optional", "Union", "List", "Dict", "Protocol", "Enum", "StrEnum", "IntEnum",
        # FastAPI and the runtime, as the routers and services import them
        "APIRouter", "Cookie", "Depends", "File", "Form", "Header", "Path", "Query", "Response", "UploadFile",
        "Context", "ContextDep", "JsonResponder", "NotImplementedOperation", "BeforeValidator",
    }
)  # fmt: skip


# Module constants of tables.py beside each table's TableMeta (`TASKS`): none may take the name of
# what tables.py imports (a table named `json` would make `JSON` shadow SQLAlchemy's type).
RESERVED_CONSTANT_NAMES = frozenset({"JSON"})


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def words(text: str) -> list[str]:
    return _WORD.findall(_ascii(text))


def snake(text: str, fallback: str = "value") -> str:
    name = "_".join(w.lower() for w in words(text)) or fallback
    if name[0].isdigit():
        name = f"_{name}"
    if keyword.iskeyword(name) or keyword.issoftkeyword(name):
        name += "_"
    return name


def param_name(text: str) -> str:
    """A function parameter name; never shadows `self` or a builtin the templates use."""
    name = snake(text, "param")
    return name + "_" if name in _BUILTIN_SHADOWS else name


def is_identifier(text: str) -> bool:
    """A plain ASCII identifier: what Starlette accepts as a `{path}` parameter name."""
    return text.isascii() and text.isidentifier()


def pascal(text: str, fallback: str = "Model") -> str:
    name = "".join(w[:1].upper() + w[1:] for w in words(text)) or fallback
    if name[0].isdigit():
        name = f"M{name}"
    return name


def table_class_name(schema: str) -> str:
    """The SQLModel class of a table-mapped schema: `Task` -> `TaskTable`."""
    return f"{pascal(schema)}Table"


def unique(name: str, taken: set[str]) -> str:
    final, n = name, 2
    while final in taken:
        final = f"{name}{n}"
        n += 1
    taken.add(final)
    return final
