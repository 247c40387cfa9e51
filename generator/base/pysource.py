"""The emitters: the only way contract text becomes Python source.

A contract is untrusted input to a compiler whose output is executed, so no template
interpolates raw text. Every value a template writes is `Code`, and only these functions make it:

- `literal(value)`: a Python literal (`repr` for strings, so no quote, newline or NUL can end it;
  non-finite floats as `float("inf")`);
- `identifier(name)`: a name checked to stay exactly what it is (ASCII, `str.isidentifier()`, the same
  after NFKC, not a keyword);
- `annotation(text)`: a type expression built by the compiler, parsed to prove it is names,
  subscripts, `|` and literals only;
- `docstring(text)`: the inside of a `\"\"\"` docstring that reads back as exactly `text`;
- `comment(text)`: one line after `#` that cannot end the comment.

render.py installs `only_code` as jinja2's `finalize`, so a template that writes a plain string
fails at generate time instead of producing injectable source.
"""

from __future__ import annotations

import ast
import keyword
import math
import unicodedata
from collections.abc import Iterable
from typing import Any


class Code(str):
    """Python source text made by an emitter: the only kind of text a template may write."""

    __slots__ = ()


class EmitError(Exception):
    """The compiler was about to write source that would not mean what the contract says."""


def literal(value: Any) -> Code:
    """Python source for a JSON value (YAML's own scalars included)."""
    if value is None or isinstance(value, bool | int):
        return Code(repr(value))
    if isinstance(value, float):
        if math.isfinite(value):
            return Code(repr(value))
        return Code('float("nan")' if math.isnan(value) else f'float("{"-" if value < 0 else ""}inf")')
    if isinstance(value, str):
        return Code(repr(value))  # repr escapes quotes, backslashes and every unprintable character
    if isinstance(value, list):
        return Code("[" + ", ".join(literal(v) for v in value) + "]")
    if isinstance(value, tuple):
        return tuple_literal(value)
    if isinstance(value, dict):
        return Code("{" + ", ".join(f"{literal(k)}: {literal(v)}" for k, v in value.items()) + "}")
    raise EmitError(f"no Python literal for a {type(value).__name__}")


NONE = Code("None")


def tuple_literal(values: Iterable[Any]) -> Code:
    """("a", "b") or ("a",): a tuple literal without a magic trailing comma."""
    items = [literal(v) for v in values]
    return Code("(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")")


def args_literal(values: Iterable[Any]) -> Code:
    """Positional arguments: "a", "b"."""
    return Code(", ".join(literal(v) for v in values))


def is_python_name(name: str) -> bool:
    """A name Python reads back as itself: identifiers are NFKC-normalised when parsed, so a
    fullwidth `ｏwner_id` would silently become `owner_id`."""
    return (
        name.isascii()
        and name.isidentifier()
        and unicodedata.normalize("NFKC", name) == name
        and not keyword.iskeyword(name)
        and not keyword.issoftkeyword(name)
    )


def identifier(name: str) -> Code:
    if not isinstance(name, str) or not is_python_name(name):
        raise EmitError(f"{name!r} is not a plain Python identifier")
    return Code(name)


def identifiers(names: Iterable[str], separator: str = ", ") -> Code:
    return Code(separator.join(identifier(n) for n in names))


_TYPE_NODES = (ast.Expression, ast.Name, ast.Attribute, ast.Subscript, ast.Tuple, ast.BinOp, ast.BitOr, ast.Load)


def annotation(text: str) -> Code:
    """A type expression such as `list[TaskPublic] | None` or `Literal['a', 1]`."""
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as exc:
        raise EmitError(f"{text!r} is not a type expression") from exc
    for node in ast.walk(tree):
        ok = isinstance(node, _TYPE_NODES) or (
            isinstance(node, ast.Constant) and (node.value is None or isinstance(node.value, str | int))
        )
        if isinstance(node, ast.BinOp) and not isinstance(node.op, ast.BitOr):
            ok = False
        if isinstance(node, ast.Name) and not is_python_name(node.id):
            ok = False
        if not ok:
            raise EmitError(f"{text!r} is not a type expression ({type(node).__name__})")
    return Code(text)


def _escaped(text: str, quote: str) -> str:
    out = []
    for ch in text:
        if ch == "\\" or ch == quote:
            out.append("\\" + ch)
        elif ch.isprintable() or ch == " ":
            out.append(ch)
        else:
            out.append(repr(ch)[1:-1])  # \n, \x00, \u202e, \ud800 ...
    return "".join(out)


def docstring(text: object) -> Code:
    """The inside of a triple-quoted docstring; `ast.get_docstring` gives back exactly `text`."""
    return Code(_escaped(str(text), '"'))


def comment(text: object) -> Code:
    """Text for one comment line: newlines and every other unprintable character escaped."""
    return Code(_escaped(str(text), ""))


def only_code(value: Any) -> Any:
    """jinja2's finalize: what a template may write. Emitted code, numbers and booleans; never raw text."""
    if isinstance(value, Code) or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    if isinstance(value, bool):
        return Code(repr(value))
    raise EmitError(f"a template wrote {value!r} without an emitter (generator/base/pysource.py)")
