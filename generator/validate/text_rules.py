"""House rules for contract text that reaches generated code or the server: a contract is untrusted input.

- `text-unprintable`: a control character (NUL, ESC, ...) or a lone surrogate in a key or string. No
  API needs one, Python source cannot hold a NUL, PostgreSQL text cannot hold one, and a surrogate
  cannot be written as UTF-8.
- `number-not-finite`: `.inf` or `.nan`, which JSON (and so OpenAPI) has no way to say.
- `pattern-unsupported`: a `pattern` the server's regex engine (pydantic-core's Rust `regex`, linear
  time) cannot compile, such as a lookahead or a backreference. Such a pattern would make pydantic fall
  back to Python's backtracking `re`, on the event loop: one request could stall the server.
- `name-not-normalized`: a property name Python would read as another (identifiers are NFKC-normalised,
  so the field `ｏwner_id` is `owner_id`).
- `file-name-unprintable`: a file under specs/ whose name holds a newline or another unprintable
  character (names appear in the header comment of every generated module).

The common case costs one pass: the document is scanned without building pointers, and walked again
with pointers only when something is found.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterator
from functools import cache
from typing import TYPE_CHECKING, Any

from generator.base.diagnostics import join_pointer
from generator.load.contract import Contract

if TYPE_CHECKING:
    from generator.validate.report import Reporter

_UNPRINTABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
# Keys under which a contract holds plain data: a `pattern` there is a value, not a regex.
_DATA_KEYS = frozenset({"example", "examples", "default", "const", "enum", "x-examples"})


def check_text(report: Reporter, contract: Contract) -> None:
    for display in [*contract.api.files, *(s.display for s in contract.database)]:
        if not display.isprintable():
            report.at(
                display,
                "",
                "file-name-unprintable",
                f"the file name {display!r} holds an unprintable character; rename the file",
            )
    if _suspicious(contract.document):
        for pointer, rule, message in _problems(contract.document, ""):
            report.api(pointer, rule, message)
    for source in contract.database:
        if _suspicious(source.data):
            for pointer, rule, message in _problems(source.data, ""):
                report.at(source.display, pointer, rule, message)


def _suspicious(node: Any) -> bool:
    """Whether the document holds anything the rules refuse (no pointers built: the fast path)."""
    stack = [(node, False, False)]
    while stack:
        value, in_data, in_properties = stack.pop()
        if isinstance(value, dict):
            for key, sub in value.items():
                if isinstance(key, str):
                    if _UNPRINTABLE.search(key) or (in_properties and not _normalized(key)):
                        return True
                    if not in_data and any(pattern_problem(p) for p in _patterns(key, sub)):
                        return True
                elif isinstance(key, float) and not math.isfinite(key):
                    return True
                if isinstance(sub, dict | list):
                    stack.append((sub, in_data or key in _DATA_KEYS, key == "properties" and not in_data))
                elif _bad_scalar(sub):
                    return True
        elif isinstance(value, list):
            for sub in value:
                if isinstance(sub, dict | list):
                    stack.append((sub, in_data, False))
                elif _bad_scalar(sub):
                    return True
    return False


def _patterns(key: Any, value: Any) -> list[str]:
    """The regexes a schema keyword holds: `pattern`'s value, `patternProperties`' keys."""
    if key == "pattern" and isinstance(value, str):
        return [value]
    if key == "patternProperties" and isinstance(value, dict):
        return [k for k in value if isinstance(k, str)]
    return []


def _bad_scalar(value: Any) -> bool:
    if isinstance(value, str):
        return _UNPRINTABLE.search(value) is not None
    return isinstance(value, float) and not math.isfinite(value)


def _normalized(name: str) -> bool:
    return name.isascii() or unicodedata.normalize("NFKC", name) == name


def _problems(
    node: Any, pointer: str, in_data: bool = False, in_properties: bool = False
) -> Iterator[tuple[str, str, str]]:
    if isinstance(node, dict):
        for key, sub in node.items():
            where = join_pointer(pointer, key)
            if isinstance(key, str) and _UNPRINTABLE.search(key):
                yield where, "text-unprintable", f"the key {key!r} holds an unprintable character"
            elif isinstance(key, str) and in_properties and not _normalized(key):
                python = unicodedata.normalize("NFKC", key)
                yield (
                    where,
                    "name-not-normalized",
                    f"property {key!r} would be the Python field {python!r}; use that name",
                )
            elif isinstance(key, float) and not math.isfinite(key):
                yield where, "number-not-finite", f"the key {key} is not a finite number"
            for pattern in [] if in_data else _patterns(key, sub):
                problem = pattern_problem(pattern)
                if problem:
                    yield where, "pattern-unsupported", problem
            yield from _problems(sub, where, in_data or key in _DATA_KEYS, key == "properties" and not in_data)
    elif isinstance(node, list):
        for i, sub in enumerate(node):
            yield from _problems(sub, join_pointer(pointer, i), in_data)
    elif isinstance(node, str) and _UNPRINTABLE.search(node):
        yield (
            pointer,
            "text-unprintable",
            f"{_excerpt(node)} holds an unprintable character (NUL, a control character or a lone surrogate)",
        )
    elif isinstance(node, float) and not math.isfinite(node):
        yield pointer, "number-not-finite", f"{node} is not a number JSON can hold; use a finite bound or none"


def _excerpt(text: str, limit: int = 40) -> str:
    return repr(text if len(text) <= limit else text[:limit] + "…")


@cache
def pattern_problem(pattern: str) -> str | None:
    """Why the server could not run `pattern` in linear time, or None. Compiled by pydantic-core,
    exactly as the models and parameters will compile it."""
    from pydantic_core import SchemaError, SchemaValidator, core_schema

    try:
        SchemaValidator(core_schema.str_schema(pattern=pattern))
    except SchemaError as exc:
        reason = next((line.strip() for line in str(exc).splitlines() if line.strip().startswith("error:")), "")
        reason = reason.removeprefix("error:").strip() or "it does not compile"
        return (
            f"pattern {_excerpt(pattern)} cannot run on the server's linear-time regex engine ({reason}); "
            "rewrite it without look-around or backreferences"
        )
    return None
