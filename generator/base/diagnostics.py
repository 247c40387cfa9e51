"""Diagnostics: what every pipeline stage reports instead of raising.

A diagnostic names a file and a JSON pointer inside it; the line and column
are looked up only when the diagnostic is shown, so the fast path never pays
for position tracking.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from generator.base.rules import RULES

Locator = Callable[[str, str], tuple[int, int]]


@dataclass(frozen=True)
class Diagnostic:
    file: str
    pointer: str
    rule: str
    message: str
    severity: str = ""  # the rule's (generator/base/rules.py) unless given
    line: int | None = None
    col: int | None = None

    def __post_init__(self) -> None:
        rule = RULES.get(self.rule)
        if rule is None:  # a programming error, found by the rule tests: every id is declared once
            raise ValueError(f"rule {self.rule!r} is not in generator/base/rules.py")
        if not self.severity:
            object.__setattr__(self, "severity", rule.severity)

    def located(self, locate: Locator) -> Diagnostic:
        if self.line is not None:
            return self
        line, col = locate(self.file, self.pointer)
        return replace(self, line=line, col=col)

    def as_text(self) -> str:
        # a file name is contract input too: one diagnostic is always one line
        file = self.file if self.file.isprintable() else self.file.encode("unicode_escape").decode("ascii")
        return f"{file}:{self.line or 1}:{self.col or 1}: {self.severity}[{self.rule}]: {self.message}"

    def as_dict(self) -> dict[str, object]:
        return {
            "file": self.file,
            "line": self.line or 1,
            "column": self.col or 1,
            "pointer": self.pointer,
            "severity": self.severity,
            "rule": self.rule,
            "message": self.message,
        }


def sort_key(d: Diagnostic) -> tuple[str, int, int, str, str]:
    return (d.file, d.line or 0, d.col or 0, d.rule, d.message)


def format_diagnostics(diags: Iterable[Diagnostic], fmt: str) -> str:
    ordered = sorted(diags, key=sort_key)
    if fmt == "json":
        return json.dumps([d.as_dict() for d in ordered], indent=2)
    return "\n".join(d.as_text() for d in ordered)


def escape_pointer_token(token: str | int) -> str:
    return str(token).replace("~", "~0").replace("/", "~1")


def unescape_pointer_token(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def join_pointer(base: str, *tokens: str | int) -> str:
    return base + "".join("/" + escape_pointer_token(t) for t in tokens)


def split_pointer(pointer: str) -> list[str]:
    if pointer in ("", "#", "#/", "/"):
        return []
    pointer = pointer.lstrip("#")
    return [unescape_pointer_token(t) for t in pointer.lstrip("/").split("/")]
