"""generated/.specgen-manifest.json: what the last run read and wrote, to skip a run that would change nothing.

The manifest holds a SHA-256 of every input (each file under specs/: a `$ref` may reach no
other file; and each under custom/, which the boot check imports), of the toolchain (specgen's
own compiler code and templates, and the versions of the libraries that shape the output), and
of every file the run wrote. When all
inputs and the toolchain are unchanged and every output on disk still has its hash,
`specgen generate` stops there. Anything else, a hand-edited output included, means a full run.

It holds no timestamps and no absolute paths, so the same inputs give the same bytes on any
machine. This module imports only small parts of the standard library (not even pathlib):
the skip path runs before anything else is imported (see quick.py).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
from typing import Any

MANIFEST = ".specgen-manifest.json"
FORMAT = 1
# specs/: the contracts; custom/: the overrides the boot check (boot.py) starts the app with, so that a
# run skipped as up to date still means the app starts
INPUT_DIRS = ("specs", "custom")
# libraries whose version can change what a run writes (or whether it accepts the contract)
TOOLS = ("datamodel-code-generator", "ruff", "jinja2", "openapi-spec-validator", "pyyaml")
_GENERATOR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # the generator package

StrPath = str | os.PathLike[str]


def _sha256_file(path: str) -> str:
    with open(path, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()


def _hash_tree(root: StrPath, relative_to: StrPath, skip: str | None = None) -> dict[str, str]:
    """Relative POSIX path -> SHA-256 of every file under root (caches left out)."""
    base = os.fspath(relative_to)
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d != "__pycache__"]
        for name in filenames:
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, base).replace(os.sep, "/")
            if rel != skip:
                out[rel] = _sha256_file(path)
    return out


def toolchain() -> dict[str, str]:
    from generator import __version__

    code = hashlib.sha256()
    compiler = []
    for dirpath, dirnames, filenames in os.walk(_GENERATOR):
        dirnames[:] = [d for d in dirnames if d not in ("__pycache__", "devtools")]  # devtools write nothing
        rel_dir = os.path.relpath(dirpath, _GENERATOR).replace(os.sep, "/")
        compiler += [n if rel_dir == "." else f"{rel_dir}/{n}" for n in filenames if not n.endswith(".pyc")]
    for rel in sorted(compiler):
        with open(os.path.join(_GENERATOR, rel), "rb") as handle:
            code.update(rel.encode() + b"\0" + handle.read() + b"\0")
    tools = {
        "specgen": __version__,
        "generator": code.hexdigest(),
        "python": f"{sys.version_info[0]}.{sys.version_info[1]}",
    }
    installed = _installed_versions()
    for name in TOOLS:
        tools[name] = installed.get(_normalized(name), "missing")
    return tools


def _normalized(distribution: str) -> str:
    return re.sub(r"[-_.]+", "_", distribution).lower()


def _installed_versions() -> dict[str, str]:
    """Distribution -> version, from the *.dist-info folders on sys.path (first one wins, as for imports).

    What importlib.metadata reads, without its import cost on the skip path.
    """
    found: dict[str, str] = {}
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        for name in names:
            if name.endswith(".dist-info"):
                distribution, _, version = name.removesuffix(".dist-info").partition("-")
                found.setdefault(_normalized(distribution), version)
    return found


def input_hashes(project: StrPath) -> dict[str, str]:
    """Every file under specs/ (contracts, table mappings, feature specs) and custom/, by path relative
    to the project."""
    hashes: dict[str, str] = {}
    for name in INPUT_DIRS:
        folder = os.path.join(project, name)
        if os.path.isdir(folder):
            hashes.update(_hash_tree(folder, project))
    return hashes


def record(inputs: dict[str, str], output_dir: StrPath, stages: dict[str, str] | None = None) -> str:
    """The manifest text for a tree of outputs about to become generated/. `stages` maps an output
    file to a hash of what produced it, so a later run may take the file over (`reusable`)."""
    manifest = {
        "format": FORMAT,
        "toolchain": toolchain(),
        "inputs": dict(sorted(inputs.items())),
        "outputs": dict(sorted(_hash_tree(output_dir, output_dir, skip=MANIFEST).items())),
        "stages": dict(sorted((stages or {}).items())),
    }
    return json.dumps(manifest, indent=2, sort_keys=True) + "\n"


def read(output_dir: StrPath) -> dict[str, Any] | None:
    try:
        with open(os.path.join(output_dir, MANIFEST), encoding="utf-8") as handle:
            manifest = json.load(handle)
    except (OSError, ValueError):
        return None
    return manifest if isinstance(manifest, dict) and manifest.get("format") == FORMAT else None


def reusable(previous: dict[str, Any] | None, output_dir: StrPath, name: str, key: str | None) -> str | None:
    """The text of output `name` when the last run made it from inputs hashing to `key`, with this
    toolchain, and nobody changed it since; None otherwise."""
    if previous is None or key is None or (previous.get("stages") or {}).get(name) != key:
        return None
    path = os.path.join(output_dir, name)
    try:
        digest = _sha256_file(path)
    except OSError:
        return None
    if (previous.get("outputs") or {}).get(name) != digest or previous.get("toolchain") != toolchain():
        return None
    with open(path, encoding="utf-8", newline="") as handle:
        return handle.read()


def up_to_date(project: StrPath, output_dir: StrPath) -> bool:
    """True when the last run's manifest still describes the inputs, the toolchain and generated/."""
    manifest = read(output_dir)
    if manifest is None:
        return False
    recorded = manifest.get("inputs")
    outputs = manifest.get("outputs")
    if not isinstance(recorded, dict) or not isinstance(outputs, dict):
        return False
    if input_hashes(project) != recorded:
        return False
    if _hash_tree(output_dir, output_dir, skip=MANIFEST) != outputs:
        return False
    return bool(manifest.get("toolchain") == toolchain())
