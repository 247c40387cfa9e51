"""Shared by the CLI tests: a small valid project to break, and checks on specgen's output."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

from tests.support import REPO, specgen

# The small valid contract that every rule fixture is based on (tests/rules/fixtures/_valid).
SMALL_PROJECT = REPO / "tests" / "rules" / "fixtures" / "_valid"
API = "specs/api/openapi.yaml"
COMMON = "specs/api/common.yaml"


def small_project(dest: Path) -> Path:
    shutil.copytree(SMALL_PROJECT, dest, ignore=shutil.ignore_patterns("expected.json", "__pycache__"))
    return dest


def generated_small_project(dest: Path, note_properties: str, title: str | None = None) -> Path:
    """The small project with more properties on its Note (YAML lines indented as `text`'s), and
    another title when given, generated."""
    project = small_project(dest)
    if title is not None:
        replace_once(project / API, "  title: Notes API\n", f"  title: {json.dumps(title)}\n")
    text = "        text:\n          type: string\n"
    replace_once(project / API, text, text + note_properties)
    generated = specgen("generate", "--project", str(project))
    assert generated.returncode == 0, generated.stdout + generated.stderr
    return project


def replace_once(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} must occur once in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def line_of(path: Path, needle: str) -> int:
    """1-based line of the only line of `path` containing `needle`."""
    lines = [i for i, line in enumerate(path.read_bytes().split(b"\n"), start=1) if needle.encode() in line]
    assert len(lines) == 1, f"{needle!r} must be on exactly one line of {path}: {lines}"
    return lines[0]


def validate_json(project: Path) -> tuple[subprocess.CompletedProcess[str], list[dict[str, Any]]]:
    result = specgen("validate", "--project", str(project), "--format", "json", cwd=REPO)
    assert_no_traceback(result)
    return result, list(json.loads(result.stdout))


def assert_no_traceback(result: subprocess.CompletedProcess[str]) -> None:
    output = result.stdout + result.stderr
    assert "Traceback" not in output, output
    assert "internal error" not in output, output
