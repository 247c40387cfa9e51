"""The tree shows the pipeline: stage packages that import downward only, small modules, and a
top level that holds only the package face and the pipeline entry."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.support import REPO

MAX_LINES = 400


def test_stages_import_downward_only_and_the_runtime_never_imports_the_compiler() -> None:
    result = subprocess.run(
        [str(Path(sys.executable).with_name("lint-imports")), "--no-cache"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 kept, 0 broken" in result.stdout


def test_no_module_of_the_compiler_or_the_runtime_is_over_400_lines() -> None:
    long = {
        str(path.relative_to(REPO)): lines
        for root in ("generator", "runtime/specgen_runtime")
        for path in (REPO / root).rglob("*.py")
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}


def test_the_top_level_of_generator_is_the_package_face_and_the_pipeline_entry() -> None:
    top = {p.name for p in (REPO / "generator").iterdir() if p.name != "__pycache__" and not p.is_dir()}
    assert top == {"__init__.py", "__main__.py", "pipeline.py", "py.typed"}
    stages = {p.name for p in (REPO / "generator").iterdir() if p.is_dir() and p.name != "__pycache__"}
    assert stages == {"base", "load", "model", "validate", "ir", "render", "emit", "cli", "devtools"}
