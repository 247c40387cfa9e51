"""`make mutation`: mutmut over the runtime's protections, against tests/security and tests/e2e on SQLite.

mutmut 2 changes a source file on disk, one mutant at a time, and runs the tests: the servers those
tests start in processes of their own import the changed file too (mutmut 3 switches mutants inside
the test process and maps tests to functions by the calls it sees there, so it sees none of a
server's). It runs in a copy of the tree (MUTATION_DIR), so a stopped run leaves no mutant in this one; run again,
it goes on from the verdicts it kept there.

    python -m tests.mutation [--files runtime/specgen_runtime/body.py ...] [--dir DIR]

Prints the score, every surviving mutant as a diff, and the time taken (docs/security.md, "Mutation
testing", explains each survivor).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FILES = [f"runtime/specgen_runtime/{name}.py" for name in ("auth", "statements", "repository", "body", "problems")]
# The tests that reach these files: over real HTTP, against servers of their own, on SQLite. The
# generative contract tests (test_contract_fuzz, test_hostile_contracts) test the compiler, not these.
TESTS = [
    "tests/e2e/test_isolation.py",
    "tests/security/test_ownership.py",
    "tests/security/test_authentication.py",
    "tests/security/test_hostile_input.py",
    "tests/security/test_errors_and_cors.py",
    "tests/security/test_keys.py",
    "tests/e2e/test_operations.py",
    "tests/e2e/test_types.py",
    "tests/e2e/test_other_contract.py",
]
KINDS = ("killed", "survived", "timeout", "suspicious", "untested", "skipped")


def copy_tree(dest: Path) -> None:
    """Tracked and untracked, not ignored, files: the tree as it is, uncommitted edits included."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    kept = dest / ".mutmut-cache"  # the verdicts so far: a stopped run goes on where it was
    for old in dest.iterdir() if dest.exists() else []:
        if old != kept:
            shutil.rmtree(old) if old.is_dir() else old.unlink()
    for name in filter(None, listed):
        source = REPO / os.fsdecode(name)
        if source.is_file():
            target = dest / os.fsdecode(name)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)


def mutmut(*args: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mutmut", *args], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", nargs="+", default=FILES, help="the files to mutate (default: the five)")
    parser.add_argument("--dir", type=Path, default=Path(os.environ.get("MUTATION_DIR", "/tmp/specgen-mutation")))
    parser.add_argument(
        "--run-tests", action="store_true", help="mutmut's runner: the tests, on SQLite, to the first failure"
    )
    args = parser.parse_args(argv)
    if args.run_tests:
        import pytest

        return int(pytest.main(["-x", "-q", "-p", "no:cacheprovider", "-k", "not postgresql", *TESTS]))

    started = time.monotonic()
    copy_tree(args.dir)
    # the copy's generator/ and runtime/ (with the mutant), in the tests and in every server they
    # start, ahead of the editable installs of this tree
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(args.dir), str(args.dir / "runtime")]),
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    # through this module, so that no process of the run has "pytest" on its command line: another
    # session's `pkill -f pytest` on a shared machine would otherwise count as a killed mutant
    runner = f"{sys.executable} -m tests.mutation --run-tests"
    run = mutmut(
        "run",
        "--paths-to-mutate",
        ",".join(args.files),
        "--runner",
        runner,
        "--tests-dir",
        "tests",
        "--simple-output",
        "--no-progress",
        cwd=args.dir,
        env=env,
    )
    if run.returncode & 1:
        print(run.stdout[-4000:], run.stderr[-4000:], sep="\n", file=sys.stderr)
        return 1
    ids = {kind: mutmut("result-ids", kind, cwd=args.dir, env=env).stdout.split() for kind in KINDS}
    counts = {kind: len(found) for kind, found in ids.items()}
    total = sum(counts.values())
    killed = counts["killed"] + counts["timeout"]
    elapsed = time.monotonic() - started
    print(f"files: {', '.join(args.files)}")
    print(f"mutants: {total}; " + ", ".join(f"{kind} {n}" for kind, n in counts.items() if n))
    print(f"score: {killed}/{total} = {100 * killed / max(total, 1):.1f}% killed (timeouts count as killed)")
    print(f"time: {elapsed / 60:.1f} min")
    for kind in ("survived", "suspicious", "untested"):
        for mutant in ids[kind]:
            print(f"\n--- {kind} mutant {mutant}")
            print(mutmut("show", mutant, cwd=args.dir, env=env).stdout.rstrip())
    return 0


if __name__ == "__main__":
    sys.exit(main())
