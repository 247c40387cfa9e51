"""What every diagnostic of a refused contract must carry: a file, a line in it, a rule and a message."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from generator.base.diagnostics import Diagnostic

RULE_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
# Catch-alls that name an exception instead of the problem: a crash that was swallowed, not a diagnosis.
SWALLOWED_CRASH = re.compile(r"could not be validated|invalid YAML: [A-Z]\w+$|internal error")
# A crash of openapi-spec-validator itself, reported where it happened: located, but worth counting.
VALIDATOR_CRASH = "openapi-spec-validator fails on this part"


def location_problems(project: Path, diags: Iterable[Diagnostic]) -> list[str]:
    """Why each diagnostic is not properly located (empty when all are)."""
    problems = []
    for d in diags:
        text = d.as_text()
        if not d.file or not RULE_ID.match(d.rule) or not d.message.strip():
            problems.append(f"incomplete diagnostic: {text}")
        if not isinstance(d.line, int) or not isinstance(d.col, int) or d.line < 1 or d.col < 1:
            problems.append(f"no line/column: {d!r}")
            continue
        path = project / d.file
        if path.is_file():
            lines = path.read_bytes().count(b"\n") + 1
            if d.line > lines:
                problems.append(f"line {d.line} is past the end of {d.file} ({lines} lines): {text}")
        elif not (project / d.file).is_dir() and d.rule != "project-missing":
            problems.append(f"names no file of the project: {text}")
        if SWALLOWED_CRASH.search(d.message):
            problems.append(f"a crash reported as a diagnostic: {text}")
        if "\n" in d.message:
            problems.append(f"message is not one line: {text!r}")
    return problems
