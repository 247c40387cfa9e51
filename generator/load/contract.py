"""Find and load a project's contracts: specs/api (bundled) and specs/database."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.base.diagnostics import Diagnostic
from generator.load.bundle import Bundle, bundle, inside_specs
from generator.load.loader import SourceFile, load_yaml

API_DIR = "specs/api"
DATABASE_DIR = "specs/database"


@dataclass
class Contract:
    project: Path
    api: Bundle
    database: list[SourceFile] = field(default_factory=list)

    @property
    def document(self) -> dict[str, Any]:
        return self.api.document

    def source(self, file: str) -> SourceFile | None:
        for source in self.database:
            if source.display == file:
                return source
        return self.api.files.get(file)

    def locate(self, file: str, pointer: str) -> tuple[int, int]:
        source = self.source(file)
        return source.locate(pointer) if source else (1, 1)


def _yaml_files(directory: Path) -> list[Path]:
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())


def find_root(project: Path) -> tuple[Path | None, list[Diagnostic]]:
    """The root contract: specs/api/openapi.yaml, else the one file with an `openapi` key."""
    api_dir = project / API_DIR
    for name in ("openapi.yaml", "openapi.yml"):
        if (api_dir / name).is_file():
            return api_dir / name, []
    candidates = []
    swagger: tuple[Path, int] | None = None
    for path in _yaml_files(api_dir):
        try:
            head = path.read_text(encoding="utf-8", errors="replace")[:4096]
        except OSError:
            continue  # an unreadable file cannot be the root; if it is referenced, the bundler says so
        lines = head.splitlines()
        if any(line.startswith("openapi:") for line in lines):
            candidates.append(path)
        elif swagger is None:
            swagger = next(((path, i) for i, line in enumerate(lines, 1) if line.startswith("swagger:")), None)
    if len(candidates) == 1:
        return candidates[0], []
    if not candidates and swagger is not None:
        path, line = swagger
        display = path.relative_to(project).as_posix()
        message = (
            "this is a Swagger (OpenAPI 2) contract, which specgen does not read: convert it to OpenAPI 3.0 or 3.1"
        )
        return None, [Diagnostic(display, "/swagger", "openapi-version", message, line=line, col=1)]
    if not candidates:
        return None, [
            Diagnostic(API_DIR, "", "contract-missing", "no OpenAPI contract found: add specs/api/openapi.yaml")
        ]
    names = ", ".join(p.relative_to(project).as_posix() for p in candidates)
    return None, [
        Diagnostic(API_DIR, "", "contract-ambiguous", f"several root contracts ({names}); name the root openapi.yaml")
    ]


def _outside(display: str) -> Diagnostic:
    return Diagnostic(display, "", "ref-outside-specs", f"{display} is a link to a file outside specs/", line=1, col=1)


def load_contract(project: Path) -> tuple[Contract | None, list[Diagnostic]]:
    root_path, diags = find_root(project)
    if root_path is None:
        return None, diags
    display = root_path.relative_to(project).as_posix()
    if not inside_specs(project, root_path):
        return None, [_outside(display)]
    root, diags = load_yaml(root_path, display)
    if root is None:
        return None, diags
    if not isinstance(root.data, dict):
        return None, [Diagnostic(display, "", "openapi-invalid", "the contract must be a YAML mapping", line=1, col=1)]
    api, diags = bundle(project, root)
    contract = Contract(project=project, api=api)
    for path in _yaml_files(project / DATABASE_DIR):
        if not inside_specs(project, path):
            diags.append(_outside(path.relative_to(project).as_posix()))
            continue
        source, more = load_yaml(path, path.relative_to(project).as_posix())
        diags += more
        if source is not None:
            contract.database.append(source)
    return contract, diags
