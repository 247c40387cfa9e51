"""generated/.specgen-manifest.json: what the last run read and wrote, to skip a run that would change nothing.

The manifest holds a SHA-256 of every input (each file under specs/, plus any file outside it
that a `$ref` reached), of the toolchain (specgen's own compiler code and templates, and the
versions of the libraries that shape the output), and of every file the run wrote. When all
inputs and the toolchain are unchanged and every output on disk still has its hash,
`specgen generate` stops there. Anything else, a hand-edited output included, means a full run.

It holds no timestamps and no absolute paths, so the same inputs give the same bytes on any
machine. This module uses the standard library only: the skip path must not import the
compiler's dependencies.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

MANIFEST = ".specgen-manifest.json"
FORMAT = 1
INPUT_DIR = "specs"
# libraries whose version can change what a run writes (or whether it accepts the contract)
TOOLS = ("datamodel-code-generator", "ruff", "jinja2", "openapi-spec-validator", "pyyaml")
_GENERATOR = Path(__file__).resolve().parent


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _files_under(root: Path) -> Iterable[Path]:
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d != "__pycache__"]
        for name in filenames:
            yield Path(dirpath) / name


def _hash_tree(root: Path, relative_to: Path, skip: str | None = None) -> dict[str, str]:
    out = {}
    for path in _files_under(root):
        rel = path.relative_to(relative_to).as_posix()
        if rel != skip:
            out[rel] = _sha256(path.read_bytes())
    return out


def toolchain() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    code = hashlib.sha256()
    compiler = sorted(_GENERATOR.glob("*.py")) + sorted((_GENERATOR / "templates").glob("*"))
    for path in compiler:
        code.update(path.relative_to(_GENERATOR).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    tools = {"generator": code.hexdigest(), "python": f"{sys.version_info[0]}.{sys.version_info[1]}"}
    for name in TOOLS:
        try:
            tools[name] = version(name)
        except PackageNotFoundError:
            tools[name] = "missing"
    return tools


def input_hashes(project: Path) -> dict[str, str]:
    """Every file under specs/ (contracts, table mappings, feature specs), by path relative to the project."""
    return _hash_tree(project / INPUT_DIR, project) if (project / INPUT_DIR).is_dir() else {}


def hashes_of(contents: dict[str, bytes]) -> dict[str, str]:
    return {rel: _sha256(data) for rel, data in contents.items()}


def build(inputs: dict[str, str], output_dir: Path) -> str:
    """The manifest text for a tree of outputs about to become generated/."""
    manifest = {
        "format": FORMAT,
        "toolchain": toolchain(),
        "inputs": dict(sorted(inputs.items())),
        "outputs": dict(sorted(_hash_tree(output_dir, output_dir, skip=MANIFEST).items())),
    }
    return json.dumps(manifest, indent=2, sort_keys=True) + "\n"


def up_to_date(project: Path, output_dir: Path) -> bool:
    """True when the last run's manifest still describes the inputs, the toolchain and generated/."""
    try:
        manifest: Any = json.loads((output_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        return False
    recorded = manifest.get("inputs")
    outputs = manifest.get("outputs")
    if not isinstance(recorded, dict) or not isinstance(outputs, dict):
        return False
    # inputs outside specs/ (reached by a $ref) are whatever the last run recorded
    outside = {}
    for rel in recorded:
        if not rel.startswith(INPUT_DIR + "/"):
            try:
                outside[rel] = (project / rel).read_bytes()
            except OSError:
                return False
    if input_hashes(project) | hashes_of(outside) != recorded:
        return False
    if _hash_tree(output_dir, output_dir, skip=MANIFEST) != outputs:
        return False
    return bool(manifest.get("toolchain") == toolchain())
