"""Golden tests: each contract under tests/golden/<case>/specs compiles to exactly
tests/golden/<case>/expected. Refresh after an intended change with
`UPDATE_GOLDEN=1 pytest tests/test_golden.py` and review the diff."""

from __future__ import annotations

import difflib
import os
import shutil
from pathlib import Path

import pytest

from tests.support import specgen

GOLDEN = Path(__file__).parent / "golden"
CASES = sorted(p.name for p in GOLDEN.iterdir() if (p / "specs").is_dir())


# the run manifest records tool versions and generator hashes: bookkeeping, not compiler output
MANIFEST = ".specgen-manifest.json"


def _files(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(root.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts and p.name != MANIFEST
    }


@pytest.mark.parametrize("case", CASES)
def test_contract_compiles_to_the_golden_tree(case: str, tmp_path: Path) -> None:
    project = tmp_path / case
    shutil.copytree(GOLDEN / case / "specs", project / "specs")
    result = specgen("generate", "--project", str(project))
    assert result.returncode == 0, result.stderr
    actual = _files(project / "generated")
    expected_dir = GOLDEN / case / "expected"
    if os.environ.get("UPDATE_GOLDEN"):
        shutil.rmtree(expected_dir, ignore_errors=True)
        shutil.copytree(project / "generated", expected_dir, ignore=shutil.ignore_patterns("__pycache__", MANIFEST))
    expected = _files(expected_dir)
    assert sorted(actual) == sorted(expected), "the set of generated files changed"
    for name, text in expected.items():
        if actual[name] != text:
            diff = "".join(
                difflib.unified_diff(
                    text.splitlines(True), actual[name].splitlines(True), f"expected/{name}", f"actual/{name}"
                )
            )
            pytest.fail(f"{name} differs from the golden file:\n{diff}")
