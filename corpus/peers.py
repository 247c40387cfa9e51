"""The peers on the same house-ruled contracts: fastapi-code-generator and openapi-generator's python-fastapi.

Both live in their own venv (.corpus-cache/peers-venv) so their pins never touch specgen's. For each contract:
generated? (the generator exits 0 and writes the app module) and booted? (uvicorn serves the generated app and
GET /docs answers 200). Neither peer's routes do anything, so their operations are not called.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from generator.devtools.devserver import free_port

# Pinned so the table only moves when someone moves these; the extras are what generated apps import.
PEER_PACKAGES = (
    "fastapi-code-generator==0.8.1",
    "openapi-generator-cli==7.26.0",
    "uvicorn",
    "python-multipart",
    "email-validator",
)
FASTAPI_CODEGEN = "fastapi-code-generator"
OPENAPI_GENERATOR = "openapi-generator"
PEERS = (FASTAPI_CODEGEN, OPENAPI_GENERATOR)


@dataclass
class PeerResult:
    generated: bool = False
    booted: bool = False
    error: str = ""
    seconds: float = 0.0


def ensure_peers_venv(cache: Path) -> Path:
    """The peers' venv, created and filled once; returns its bin directory."""
    venv = cache / "peers-venv"
    marker = venv / (".installed-" + "-".join(p.replace("==", "-") for p in PEER_PACKAGES[:2]))
    if not marker.exists():
        if not (venv / "bin" / "python").exists():
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", *PEER_PACKAGES], check=True)
        marker.touch()
    return venv / "bin"


def _run(command: list[str], cwd: Path, timeout: float, env: dict[str, str] | None = None) -> tuple[int, str]:
    """Run in its own process group (the java child of openapi-generator's wrapper included); kill it all on timeout."""
    process = subprocess.Popen(
        command,
        cwd=cwd,
        env={**os.environ, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        output, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        output, _ = process.communicate()
        return -1, f"timed out after {timeout:.0f}s\n{output}"
    return process.returncode, output


def _error_line(output: str) -> str:
    lines = [line.strip() for line in output.splitlines() if line.strip() and " WARN " not in line]
    for marker in ("Error:", "Error ", "error:", "Exception", "ERROR"):
        for line in reversed(lines):
            if marker in line:
                return line[:300]
    return (lines[-1] if lines else "no output")[:300]


def _boots(bin_dir: Path, app: str, cwd: Path, timeout: float) -> tuple[bool, str]:
    """uvicorn serves `app` and GET /docs answers 200 within the timeout."""
    port = free_port()
    log = cwd / "uvicorn.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [str(bin_dir / "python"), "-m", "uvicorn", app, "--port", str(port), "--host", "127.0.0.1"],
            cwd=cwd,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if process.poll() is not None:
                return False, _error_line(log.read_text(errors="replace"))
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/docs", timeout=2) as response:  # noqa: S310
                    if response.status == 200:
                        return True, ""
            except OSError:
                pass
            time.sleep(0.2)
        return False, f"no answer on /docs within {timeout:.0f}s"
    finally:
        _stop(process)


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Stop the server and anything it started (its own process group)."""
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        except ProcessLookupError:
            pass


def run_peer(peer: str, bin_dir: Path, root: Path, work: Path, timeout: float = 300) -> PeerResult:
    started = time.perf_counter()
    result = PeerResult()
    work.mkdir(parents=True, exist_ok=True)
    if peer == FASTAPI_CODEGEN:
        # Its output uses relative imports (`from .models import ...`): the output directory is a package.
        out = work / "app"
        code, output = _run(
            [str(bin_dir / "fastapi-codegen"), "--input", str(root), "--output", str(out)], root.parent, timeout
        )
        result.generated = code == 0 and (out / "main.py").is_file()
        app, app_dir = "app.main:app", work
    else:
        out = work / "oag"
        code, output = _run(
            [
                str(bin_dir / "openapi-generator-cli"),
                "generate",
                "-g",
                "python-fastapi",
                "-i",
                str(root),
                "-o",
                str(out),
            ],
            root.parent,
            timeout,
            env={"JAVA_OPTS": "-DmaxYamlCodePoints=99999999"},  # it refuses YAML over 3 MiB otherwise
        )
        result.generated = code == 0 and (out / "src" / "openapi_server" / "main.py").is_file()
        app, app_dir = "openapi_server.main:app", out / "src"
    if not result.generated:
        result.error = _error_line(output)
    else:
        result.booted, result.error = _boots(bin_dir, app, app_dir, timeout=timeout)
    result.seconds = time.perf_counter() - started
    return result
