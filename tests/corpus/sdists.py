"""Published source distributions as test corpora: `pip download` once, unpacked into .corpus-cache/.

The cache lives outside git (.gitignore) and is reused across runs; SPECGEN_CORPUS_CACHE moves it.
Without network the fetch fails: under CI=true that fails the test, elsewhere it skips with the reason
(the same policy tests/conftest.py applies to PostgreSQL).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from importlib.metadata import version as installed_version
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CACHE = Path(os.environ.get("SPECGEN_CORPUS_CACHE", REPO / ".corpus-cache"))
_DONE = ".unpacked"  # written last: a tree without it is a half-finished earlier attempt


class SdistUnavailable(Exception):
    pass


def sdist(dist: str, version: str | None = None) -> Path:
    """The unpacked source tree of `dist` at `version` (default: the installed version)."""
    version = version or installed_version(dist)
    dest = CACHE / f"{dist}-{version}"
    if (dest / _DONE).is_file():
        return _top_dir(dest)
    CACHE.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=CACHE, prefix=".fetch-") as tmp:
        archive = _download(dist, version, Path(tmp))
        unpacked = Path(tmp) / "tree"
        with tarfile.open(archive) as tar:
            tar.extractall(unpacked, filter="data")  # no absolute paths, links out or devices
        (unpacked / _DONE).write_text(f"{archive.name}\n", encoding="utf-8")
        shutil.rmtree(dest, ignore_errors=True)
        unpacked.rename(dest)
    return _top_dir(dest)


def _download(dist: str, version: str, into: Path) -> Path:
    command = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--no-deps",
        "--no-binary",
        ":all:",
        "--disable-pip-version-check",
        "--timeout",
        "20",
        "--retries",
        "1",
        "--dest",
        str(into),
        f"{dist}=={version}",
    ]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    except subprocess.TimeoutExpired as exc:
        raise SdistUnavailable(f"pip download {dist}=={version} timed out") from exc
    archives = sorted(into.glob("*.tar.gz"))
    if done.returncode != 0 or not archives:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise SdistUnavailable(f"cannot fetch the {dist}=={version} sdist ({last})")
    return archives[0]


def _top_dir(dest: Path) -> Path:
    """An sdist unpacks into one <name>-<version>/ directory."""
    dirs = [p for p in dest.iterdir() if p.is_dir()]
    return dirs[0] if len(dirs) == 1 else dest


def sdist_or_skip(dist: str, version: str | None = None) -> Path:
    """For tests: the unpacked sdist, else a skip with the reason (a failure under CI=true)."""
    import pytest

    try:
        return sdist(dist, version)
    except SdistUnavailable as exc:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{exc} (CI=true: the corpus may not be skipped)")
        pytest.skip(str(exc))
