"""Python names for contract names: identifiers, classes, modules."""

from __future__ import annotations

import keyword
import re
import unicodedata

_WORD = re.compile(r"[A-Z]+(?=[A-Z][a-z0-9])|[A-Z]?[a-z0-9]+|[A-Z]+|[0-9]+")
_BUILTIN_SHADOWS = {"self", "type", "id", "list", "dict", "str", "int", "float", "bool", "object"}


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


def pascal(text: str, fallback: str = "Model") -> str:
    name = "".join(w[:1].upper() + w[1:] for w in words(text)) or fallback
    if name[0].isdigit():
        name = f"M{name}"
    return name


def unique(name: str, taken: set[str]) -> str:
    final, n = name, 2
    while final in taken:
        final = f"{name}{n}"
        n += 1
    taken.add(final)
    return final
