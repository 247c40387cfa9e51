"""Write generated/: format with ruff in a temporary directory, then swap it in.

A run that fails at any point leaves the previous generated/ exactly as it was.
"""

from __future__ import annotations

import filecmp
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from generator.base.pysource import EmitError
from generator.emit.manifest import MANIFEST

RUFF_CONFIG = [
    "--config",
    "line-length = 110",
    "--config",
    "lint.isort.known-first-party = ['generated', 'generator']",
]


def _ruff(*args: str, cwd: Path) -> None:
    cmd = [sys.executable, "-m", "ruff", *args, "--isolated", "--no-cache", *RUFF_CONFIG, "."]
    result = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise EmitError(f"ruff {args[0]} failed on the generated code:\n{result.stdout}{result.stderr}")


def write_tree(files: dict[str, str], target: Path) -> None:
    for rel, content in sorted(files.items()):
        path = target / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8", newline="\n")
    _ruff("check", "--select", "I,F401", "--fix-only", "--quiet", cwd=target)
    _ruff("format", cwd=target)


def build_in_temp(files: dict[str, str], project: Path) -> Path:
    tmp = Path(tempfile.mkdtemp(prefix=".generated.", dir=project))
    try:
        write_tree(files, tmp)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return tmp


def swap_in(tmp: Path, target: Path) -> None:
    """Replace target with tmp; on any failure the old tree is put back."""
    old = None
    if target.exists():
        old = target.with_name(f"{tmp.name}.old")
        target.rename(old)
    try:
        tmp.rename(target)
    except BaseException:
        if old is not None:
            old.rename(target)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def replace_file(new: Path, target: Path) -> None:
    """Put one file in place atomically, unless it already has these bytes."""
    if target.is_file() and filecmp.cmp(new, target, shallow=False):
        return
    os.replace(new, target)


def tree_differences(new: Path, current: Path) -> list[str]:
    """Paths (relative) that differ between two trees; caches and the run manifest are ignored."""

    def files(root: Path) -> set[str]:
        if not root.is_dir():
            return set()
        return {
            rel
            for p in root.rglob("*")
            if p.is_file() and "__pycache__" not in p.parts and (rel := p.relative_to(root).as_posix()) != MANIFEST
        }

    a, b = files(new), files(current)
    changed = sorted(a ^ b)
    changed += sorted(p for p in a & b if not filecmp.cmp(new / p, current / p, shallow=False))
    return sorted(changed)
