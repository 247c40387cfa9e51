"""Generative: hostile text in every string position of a contract (tests/security/hostile.py).

Each drawn contract is either refused with located errors, or compiles into modules that parse, in
which every drawn value reads back exactly as drawn; through `specgen generate`, such a tree imports,
boots, answers requests and runs none of the drawn text. `make fuzz-contracts` runs many more cases
(SPECGEN_FUZZ_CONTRACTS=<render cases>, SPECGEN_FUZZ_BOOTS=<whole contracts>).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, note, settings

from generator.pipeline import check_contracts
from generator.render.tree import render_tree
from tests.security.hostile import MARKER, Case, assert_reads_back, cases
from tests.support import REPO, TEST_SECRET, make_token, specgen

RENDER_CASES = int(os.environ.get("SPECGEN_FUZZ_CONTRACTS", "2000"))
BOOT_CASES = int(os.environ.get("SPECGEN_FUZZ_BOOTS", "100"))
LOCATED = re.compile(r"^.+:\d+:\d+: error\[[a-z-]+\]: .+$")


def fuzz_settings(examples: int) -> settings:
    return settings(
        max_examples=examples,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,  # the same cases in every run: a failure here is a failure anywhere
        database=None,
    )


# Boots the generated tree as `specgen serve` would, without a database file, and asks it for a page.
BOOT = """
import sys
from pathlib import Path
from starlette.testclient import TestClient
from specgen_runtime.server import load_app
app = load_app(Path("."), {"JWT_SECRET": sys.argv[1], "DATABASE_URL": "sqlite:///boot.db", "SPECGEN_CREATE_TABLES": "1"})
with TestClient(app) as client:
    assert client.get("/health").status_code == 200
    listed = client.get("/api/notes", headers={"Authorization": "Bearer " + sys.argv[2]})
    assert listed.status_code in (200, 422), (listed.status_code, listed.text)
    docs = client.get("/docs")
    assert docs.status_code == 200
print("booted")
"""


def check_case(case: Case, root: Path) -> bool:
    """Render level: True when the contract compiled (and read back), False when it was refused."""
    project = Path(tempfile.mkdtemp(dir=root))
    try:
        note(repr(case.drawn))
        case.write(project)
        _, result = check_contracts(project)
        if not result.ok:
            errors = [d for d in result.diagnostics if d.severity == "error"]
            assert errors and all(d.file and d.line and d.line >= 1 for d in errors), errors
            return False
        assert result.project is not None
        files = render_tree(result.project, models=lambda: "")
        assert_reads_back(case, files)
        assert not any(root.rglob(MARKER))
        return True
    finally:
        shutil.rmtree(project, ignore_errors=True)


def test_drawn_text_in_every_position_is_refused_with_a_location_or_reads_back_exactly(tmp_path: Path) -> None:
    outcomes: list[bool] = []

    @fuzz_settings(RENDER_CASES)
    @given(case=cases())
    def run(case: Case) -> None:
        outcomes.append(check_case(case, tmp_path))

    run()
    assert len(outcomes) >= RENDER_CASES * 0.95, f"hypothesis ran {len(outcomes)} cases of {RENDER_CASES}"
    # both halves are exercised: drawn text is not simply refused wholesale
    assert sum(outcomes) >= len(outcomes) * 0.2, f"only {sum(outcomes)} of {len(outcomes)} contracts compiled"
    assert len(outcomes) - sum(outcomes) >= len(outcomes) * 0.05


@pytest.mark.slow
def test_drawn_contracts_generate_into_trees_that_boot_and_run_none_of_it(tmp_path: Path) -> None:
    booted: list[bool] = []

    @fuzz_settings(BOOT_CASES)
    @given(case=cases())
    def run(case: Case) -> None:
        project = Path(tempfile.mkdtemp(dir=tmp_path))
        try:
            note(repr(case.drawn))
            case.write(project)
            result = specgen("generate", "--project", str(project))
            output = result.stdout + result.stderr
            assert "Traceback" not in output and "internal error" not in output, output
            if result.returncode != 0:
                assert result.returncode == 1, output
                problems = [line for line in result.stderr.splitlines() if "error[" in line]
                assert problems and all(LOCATED.match(line) for line in problems), result.stderr
                assert not (project / "generated").exists()
                booted.append(False)
                return
            claim = case.drawn.get("owner-claim") or "sub"  # the token carries the drawn owner claim
            token = make_token("alice", **{claim: "alice"}) if claim != "sub" else make_token("alice")
            boot = subprocess.run(
                [sys.executable, "-c", BOOT, TEST_SECRET, token],
                cwd=project,
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
                env={**os.environ, "PYTHONPATH": str(REPO)},
            )
            assert boot.returncode == 0 and "booted" in boot.stdout, boot.stderr[-3000:]
            booted.append(True)
        finally:
            assert not any(project.rglob(MARKER)), "drawn text ran as code"
            shutil.rmtree(project, ignore_errors=True)

    run()
    assert len(booted) >= BOOT_CASES * 0.95, f"hypothesis ran {len(booted)} cases of {BOOT_CASES}"
    assert sum(booted) >= len(booted) * 0.2, f"only {sum(booted)} of {len(booted)} contracts booted"
