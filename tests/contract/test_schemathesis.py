"""Schemathesis against the real server (bounded run): every check, every phase, two identities.
`make fuzz TIME=600` runs the same for longer."""

from __future__ import annotations

import os
from pathlib import Path

from tests.support import REPO, specgen

FUZZ_SECONDS = os.environ.get("SPECGEN_FUZZ_SECONDS", "100")


def test_schemathesis_finds_no_failures_in_the_example(tmp_path: Path) -> None:
    result = specgen(
        "fuzz",
        "--project",
        str(REPO),
        "--time",
        FUZZ_SECONDS,
        "--report",
        str(tmp_path),
        timeout=int(FUZZ_SECONDS) + 240,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-6000:]
    assert "No issues found" in output
    for phase in ("Examples", "Coverage", "Fuzzing", "Stateful"):
        assert f"✅ {phase}" in output, f"phase {phase} did not run and pass"
    assert list(tmp_path.glob("*.xml")), "a JUnit report is written"
