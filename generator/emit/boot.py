"""The boot check: `specgen generate` exits 0 only when the new tree starts.

Before the new tree is swapped in for generated/, a separate Python process imports it as the
package `generated` (with the project's custom/ overrides, as `specgen serve` joins them) and
builds the FastAPI app: every module imported, every router built, the overrides checked against
the contract, the middleware stack assembled. No database is opened (the engine is made in the
app's lifespan, which the check does not run) and no setting of the project is read: the process
gets a throwaway JWT secret and an in-memory SQLite URL, so a deployment's .env never decides
whether generated code is accepted.

When the app does not start, the failure becomes one `app-does-not-start` diagnostic, placed
where the traceback can be traced back to: a line of custom/, else the contract's operation,
schema or table behind the generated line that raised, else the generated file and line. The
message always names the generated (or custom) file and line and the exception's last line.

The child runs `python -m generator.emit.boot PROJECT`, reads the tree's path from stdin and prints one
JSON line after MARKER.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from generator.base.diagnostics import Diagnostic, escape_pointer_token

if TYPE_CHECKING:  # not imported at run time: the check's own process needs none of the compiler
    from generator.ir.types import Project
    from generator.load.contract import Contract

RULE = "app-does-not-start"
MARKER = "specgen-boot-check:"
TIMEOUT = 600.0  # seconds: GitHub's contract boots in a few; a custom/ module that never returns must not hang generate
BOOT_SECRET = "boot-check-" + "x" * 40  # only ever seen by the check's own process

# (path inside generated/, its lines, 1-based line) -> (contract file, JSON pointer), or None
Locate = Callable[[str, list[str], int], tuple[str, str] | None]


# --- the child --------------------------------------------------------------------------------------


def _import_tree(tree: Path) -> Any:
    """The tree, imported as the package `generated` (whatever its directory is called)."""
    import importlib
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "generated", tree / "__init__.py", submodule_search_locations=[str(tree)]
    )
    assert spec is not None and spec.loader is not None
    package = importlib.util.module_from_spec(spec)
    sys.modules["generated"] = package
    spec.loader.exec_module(package)
    return importlib.import_module("generated.app")


def boot(tree: Path, project: Path) -> None:
    """What `specgen serve` does before serving (specgen_runtime/server.py:load_app), on `tree`, without a database."""
    from specgen_runtime.config import load_settings
    from specgen_runtime.server import custom_services

    if str(project) not in sys.path:
        sys.path.insert(0, str(project))  # custom/, as load_app finds it
    generated = _import_tree(tree)
    services = custom_services(project, generated.OPERATION_IDS)
    # settings of the check's own: the tree holds no .env, and the environment given is complete
    settings = load_settings(tree, {"JWT_SECRET": BOOT_SECRET, "DATABASE_URL": "sqlite://"})
    app = generated.create_app(settings=settings, services=services)
    app.build_middleware_stack()  # what the first request would do


def _failure(exc: BaseException) -> dict[str, Any]:
    import traceback

    frames = [(f.filename, f.lineno or 0) for f in traceback.extract_tb(exc.__traceback__)]
    if isinstance(exc, SyntaxError) and exc.filename:
        frames.append((exc.filename, exc.lineno or 0))  # the file that does not compile is not a frame
    return {
        "frames": frames,
        "error": traceback.format_exception_only(exc)[-1].strip(),
        "overrides": type(exc).__name__ == "OverrideMismatch",  # custom/ does not match the contract
    }


# what generated code imports: loaded while the tree is still being rendered (see BootJob)
PRELOAD = ("fastapi", "sqlmodel", "pydantic", "email_validator") + tuple(
    f"specgen_runtime.{name}"
    for name in ("app", "body", "config", "context", "db", "models", "overrides", "params", "problems")
    + ("repository", "responses", "server")
)


def _preload() -> None:
    import importlib

    for name in PRELOAD:
        try:
            importlib.import_module(name)
        except ImportError:  # e.g. no email-validator: the tree's own import says so if it needs it
            continue


def main(argv: list[str]) -> int:
    """`python -m generator.emit.boot PROJECT`: import what generated code needs, then wait for the tree's
    path on stdin (an empty line: nothing to check) and boot it."""
    project = Path(argv[0]).resolve()
    if str(project) not in sys.path:
        sys.path.insert(0, str(project))  # before anything is imported: as `specgen serve` finds things
    _preload()
    line = sys.stdin.readline().strip()
    if not line:
        return 0
    try:
        boot(Path(line).resolve(), project)
    except BaseException as exc:  # noqa: BLE001 - SystemExit and KeyboardInterrupt at import are failures too
        report = _failure(exc)
    else:
        report = {"ok": True}
    sys.stdout.flush()
    # the last line of stdout, whatever the imported code printed before it
    os.write(1, ("\n" + MARKER + json.dumps(report) + "\n").encode())
    return 0


# --- the parent -------------------------------------------------------------------------------------


class BootJob:
    """The check's process, started early: it imports FastAPI, pydantic and the runtime while the tree
    is rendered (on a core the pipeline leaves idle then); `start(tree)` hands it the tree and
    `diagnostics()` waits for its verdict."""

    def __init__(self, project_dir: Path) -> None:
        self._project_dir = project_dir.resolve()
        self._tree: Path | None = None
        env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}  # nothing but the rendered files reaches generated/
        env.pop("SPECGEN_PROJECT", None)
        self._process = subprocess.Popen(
            [sys.executable, "-m", "generator.emit.boot", str(self._project_dir)],
            cwd=self._project_dir,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )

    def start(self, tree: Path) -> None:
        self._tree = tree.resolve()
        assert self._process.stdin is not None
        try:
            self._process.stdin.write(str(self._tree).encode() + b"\n")
            self._process.stdin.close()
        except OSError:  # the process is gone: diagnostics() says why
            pass
        self._process.stdin = None  # closed: communicate() must not flush it

    def cancel(self) -> None:
        """Stop the process if it still runs (a no-op once diagnostics() has answered)."""
        if self._process.returncode is not None:
            return
        self._process.kill()
        self._process.communicate()  # closes the pipes (stdin too, if start() never ran)

    def diagnostics(self, locate: Locate | None = None) -> list[Diagnostic]:
        assert self._tree is not None, "start(tree) first"
        try:
            out, err = self._process.communicate(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            self.cancel()
            return [_diagnostic(None, f"building the app did not finish within {TIMEOUT:.0f} s")]
        stdout = out.decode("utf-8", errors="replace")
        report: dict[str, Any] | None = None
        if MARKER in stdout:
            try:
                report = json.loads(stdout.rsplit(MARKER, 1)[1].strip())
            except ValueError:
                report = None
        if report is None or self._process.returncode != 0:
            last = [ln for ln in err.decode("utf-8", errors="replace").splitlines() if ln.strip()]
            reason = last[-1] if last else f"the check's process ended with exit code {self._process.returncode}"
            return [_diagnostic(None, f"the boot check could not run: {reason}")]
        if report.get("ok"):
            return []
        error = str(report.get("error", ""))
        if report.get("overrides"):
            return [Diagnostic("custom/__init__.py", "", RULE, f"the app does not start: {error}", line=1, col=1)]
        frames = [(str(f), int(n)) for f, n in report.get("frames", [])]
        return [self._locate(frames, error, locate)]

    def _relative(self, filename: str) -> str | None:
        """generated/... or custom/... for a frame in the tree or in custom/; None for any other file."""
        try:
            path = Path(filename).resolve()
        except (OSError, ValueError):
            return None
        if self._tree is not None and path.is_relative_to(self._tree):
            return "generated/" + path.relative_to(self._tree).as_posix()
        custom = self._project_dir / "custom"
        if path.is_relative_to(custom):
            return path.relative_to(self._project_dir).as_posix()
        return None

    def _locate(self, frames: list[tuple[str, int]], error: str, locate: Locate | None) -> Diagnostic:
        ours = [(rel, line) for filename, line in frames if (rel := self._relative(filename)) is not None]
        if not ours:
            return _diagnostic(None, f"the app does not start, outside generated/ and custom/: {error}")
        rel, line = ours[-1]  # the innermost frame of generated/ or custom/
        if rel.startswith("custom/"):
            return Diagnostic(rel, "", RULE, f"the app does not start: {error}", line=line, col=1)
        message = f"the app does not start: {rel}:{line}: {error}"
        source = locate(rel.removeprefix("generated/"), self._source_lines(rel), line) if locate else None
        if source is not None:
            return Diagnostic(source[0], source[1], RULE, message)
        return Diagnostic(rel, "", RULE, message, line=line, col=1)

    def _source_lines(self, rel: str) -> list[str]:
        assert self._tree is not None
        try:
            return (self._tree / rel.removeprefix("generated/")).read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError):
            return []


def _diagnostic(file: str | None, message: str) -> Diagnostic:
    return Diagnostic(file or "generated", "", RULE, message, line=1, col=1)


_ROUTE = re.compile(r"^\s+@router\.[a-z]+\(")
_OPERATION_ID = re.compile(r'^\s*operation_id="((?:[^"\\]|\\.)*)"')
_DEF = re.compile(r"^\s+def ([A-Za-z_][A-Za-z0-9_]*)\(")
_CLASS = re.compile(r"^class ([A-Za-z_][A-Za-z0-9_]*)\b")


def contract_locator(project: Project, contract: Contract) -> Locate:
    """Maps a generated line to the contract position it was rendered from, for a Project (ir.py) and
    its Contract: a line of a route to its operation, of a service method to its operation, of a
    model class to its schema, of a table class to its table; None when the line belongs to none."""
    by_operation_id = {op.operation_id: op.source for g in project.groups for op in g.operations}
    by_function = {(g.name, op.func_name): op.source for g in project.groups for op in g.operations}
    tables = {r.class_name: r.source for r in project.resources}
    # the models derived from a resource (TaskPublic, TaskCreate, ...) come from its schema
    derived = {m: r.source for r in project.resources for m in (r.public_model, r.create_model, r.update_model)}
    schemas = (contract.document.get("components") or {}).get("schemas") or {}

    def route(lines: list[str], index: int) -> tuple[str, str] | None:
        """The operation of the route whose decorator starts at or above the line, up to the next one."""
        start = next((i for i in range(index, -1, -1) if _ROUTE.match(lines[i])), None)
        if start is None:
            return None
        for text in lines[start + 1 :]:
            if _ROUTE.match(text):
                return None
            found = _OPERATION_ID.match(text)
            if found:
                source = by_operation_id.get(json.loads(f'"{found.group(1)}"'))
                return (source.file, source.pointer) if source is not None else None
        return None

    def method(group: str, lines: list[str], index: int) -> tuple[str, str] | None:
        for text in reversed(lines[: index + 1]):
            found = _DEF.match(text)
            if found:
                source = by_function.get((group, found.group(1)))
                return (source.file, source.pointer) if source is not None else None
        return None

    def top_level_class(lines: list[str], index: int) -> str | None:
        """The class whose body (or statement) holds the line, when it is in one."""
        for text in reversed(lines[: index + 1]):
            if text[:1].strip():  # the first line above (or at) it that is not indented
                found = _CLASS.match(text)
                return found.group(1) if found else None
        return None

    def locate(rel: str, lines: list[str], line: int) -> tuple[str, str] | None:
        index = line - 1
        if not 0 <= index < len(lines):
            return None
        folder, _, name = rel.removesuffix(".py").rpartition("/")
        if folder == "routers":
            return route(lines, index)
        if folder == "services":
            return method(name, lines, index)
        if rel in ("models.py", "tables.py"):
            cls = top_level_class(lines, index)
            if rel == "tables.py" and cls in tables:
                return tables[cls].file, tables[cls].pointer
            if rel == "models.py" and cls in derived:
                return derived[cls].file, derived[cls].pointer
            if rel == "models.py" and cls is not None and cls in schemas:
                return contract.api.source_of("/components/schemas/" + escape_pointer_token(cls))
        return None

    return locate


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
