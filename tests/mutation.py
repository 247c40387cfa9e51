"""`make mutation`: mutmut's mutants of the runtime's protections, against tests/security and tests/e2e on SQLite.

Each mutant (mutmut 2's mutation operators, through its API) is written into a copy of the tree
(MUTATION_DIR) and the tests run there, to the first failure: the servers those tests start in
processes of their own import the mutated file too. (mutmut 3 switches mutants inside the test
process and maps tests to functions by the calls it sees there, so it sees none of a server's;
mutmut 2's own runner stalled here after a few dozen mutants, so this loop drives its mutations.)
A stopped run leaves no mutant in this tree; run again, it goes on from the verdicts kept in the copy.

    python -m tests.mutation [--files runtime/specgen_runtime/body.py ...] [--dir DIR] [--minutes N]

Prints the score, every surviving mutant as a diff, and the time taken (docs/security.md, "Mutation
testing", explains each survivor).
"""

from __future__ import annotations

import argparse
import difflib
import json
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
TIMEOUT_S = 300  # ten times the unmutated run: a mutant that hangs the tests is caught (killed)
VERDICTS = "mutation-verdicts.json"


def copy_tree(dest: Path) -> None:
    """Tracked and untracked, not ignored, files: the tree as it is, uncommitted edits included."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    for name in filter(None, listed):
        source = REPO / os.fsdecode(name)
        if source.is_file():
            target = dest / os.fsdecode(name)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)


def run_tests(copy: Path) -> str:
    """'killed' or 'survived'. No process gets "pytest" on its command line: another session's
    `pkill -f pytest` on a shared machine would otherwise pass for a killed mutant."""
    # the copy's generator/ and runtime/ (with the mutant), in the tests and in every server they
    # start, ahead of the editable installs of this tree
    path = os.pathsep.join([str(copy), str(copy / "runtime")])
    env = {**os.environ, "PYTHONPATH": path, "PYTHONDONTWRITEBYTECODE": "1"}
    try:
        result = subprocess.run(
            [sys.executable, "-m", "tests.mutation", "--run-tests"],
            cwd=copy,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return "timeout"
    return "survived" if result.returncode == 0 else "killed"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", nargs="+", default=FILES, help="the files to mutate (default: the five)")
    parser.add_argument("--dir", type=Path, default=Path(os.environ.get("MUTATION_DIR", "/tmp/specgen-mutation")))
    parser.add_argument("--minutes", type=float, default=0, help="stop after this long (0: when every mutant ran)")
    parser.add_argument("--run-tests", action="store_true", help="the tests, on SQLite, to the first failure")
    args = parser.parse_args(argv)
    if args.run_tests:
        import pytest

        return int(pytest.main(["-x", "-q", "-p", "no:cacheprovider", "-k", "not postgresql", *TESTS]))

    from mutmut import Context, list_mutations, mutate

    started = time.monotonic()
    copy: Path = args.dir.resolve()
    copy_tree(copy)
    verdicts_file = copy / VERDICTS
    verdicts: dict[str, dict[str, str]] = json.loads(verdicts_file.read_text()) if verdicts_file.exists() else {}
    if run_tests(copy) != "survived":
        print("the tests fail without any mutant: fix them first", file=sys.stderr)
        return 1
    diffs: dict[str, str] = {}
    out_of_time = False
    for name in args.files:
        source = (REPO / name).read_text(encoding="utf-8")
        target = copy / name
        for mutation in list_mutations(Context(source=source, filename=name, dict_synonyms=[])):
            key = f"{name}:{mutation.line_number + 1}:{mutation.index}"
            mutant, _ = mutate(Context(source=source, filename=name, dict_synonyms=[], mutation_id=mutation))
            diff = difflib.unified_diff(source.splitlines(), mutant.splitlines(), name, name, n=0, lineterm="")
            diffs[key] = "\n".join(list(diff)[2:])
            if key in verdicts.get(name, {}):
                continue
            if args.minutes and time.monotonic() - started > args.minutes * 60:
                out_of_time = True
                break
            target.write_text(mutant, encoding="utf-8")
            try:
                verdicts.setdefault(name, {})[key] = run_tests(copy)
            finally:
                target.write_text(source, encoding="utf-8")
            verdicts_file.write_text(json.dumps(verdicts, indent=1))

    elapsed = time.monotonic() - started
    found = [(key, verdict) for name in args.files for key, verdict in verdicts.get(name, {}).items()]
    killed = sum(1 for _, verdict in found if verdict != "survived")
    for name in args.files:
        mine = list(verdicts.get(name, {}).values())
        print(f"{name}: {len(mine)} mutants run, {mine.count('survived')} survived, {mine.count('timeout')} timed out")
    print(f"score: {killed}/{len(found)} = {100 * killed / max(len(found), 1):.1f}% killed (timeouts count as killed)")
    if out_of_time:
        print(f"stopped after --minutes {args.minutes:g}: not every mutant ran (run again to go on)")
    print(f"time: {elapsed / 60:.1f} min")
    for key, verdict in found:
        if verdict == "survived":
            print(f"\n--- survived {key}\n{diffs.get(key, '')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
