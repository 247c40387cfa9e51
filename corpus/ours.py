"""specgen on one house-ruled contract: validate, generate, boot, call every operation once with a valid token."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from generator.contract import load_contract
from generator.devserver import background_server, sign, throwaway_env

from .examples import build_request, operations
from .house import MOUNT

INTERNAL_ERROR = "specgen: internal error"


@dataclass
class OursResult:
    validated: bool = False
    generated: bool = False
    booted: bool = False
    calls: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    server_errors: int = 0  # responses >= 500 other than 501
    error: str = ""  # the first diagnostic or error line when a step failed
    located: bool = False  # a refusal whose diagnostics all name file:line:col
    crashed: bool = False  # specgen said "internal error" or a request raised
    failed_calls: list[str] = field(default_factory=list)
    seconds: float = 0.0


def _specgen(project: Path, *args: str, timeout: float) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "generator", *args, "--project", str(project)],
        cwd=project,
        env={**os.environ, "SPECGEN_DEBUG": ""},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def _refusal(result: OursResult, completed: subprocess.CompletedProcess[str]) -> None:
    """Record why validate refused: the first diagnostic, and whether every diagnostic is located."""
    try:
        diagnostics = json.loads(completed.stdout)
    except json.JSONDecodeError:
        diagnostics = None
    if isinstance(diagnostics, list) and diagnostics:
        first = diagnostics[0]
        result.error = f"{first['file']}:{first['line']}:{first['column']} [{first['rule']}] {first['message']}"
        result.located = all(d.get("file") and isinstance(d.get("line"), int) and d.get("message") for d in diagnostics)
    else:
        lines = [line for line in completed.stderr.splitlines() if line.strip()]
        result.error = lines[-1] if lines else f"exit {completed.returncode} with no diagnostic"
    result.crashed = INTERNAL_ERROR in completed.stderr or "Traceback" in completed.stderr


def _first_error_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for line in lines:
        if "error" in line.lower() or "Error" in line:
            return line[:300]
    return (lines[-1] if lines else "no output")[:300]


def _cookie_header(cookies: dict[str, str]) -> dict[str, str]:
    return {"Cookie": "; ".join(f"{name}={value}" for name, value in cookies.items())} if cookies else {}


def call_every_operation(url: str, project: Path, token: str, result: OursResult) -> None:
    contract, _ = load_contract(project)
    assert contract is not None  # generate succeeded, so the contract loads
    document = contract.document
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=30) as client:
        for path, method, op, item in operations(document):
            request = build_request(document, MOUNT, path, method, op, item)
            try:
                response = client.request(
                    request.method,
                    request.url,
                    params=request.params,
                    headers=request.headers | _cookie_header(request.cookies),
                    json=request.json_body if request.has_json else None,
                    data=request.form,
                    files=request.files,
                    content=request.content,
                )
            except httpx.HTTPError as exc:
                result.crashed = True
                result.failed_calls.append(f"{request.method} {path}: {type(exc).__name__}")
                continue
            result.calls += 1
            result.statuses[response.status_code] += 1
            if response.status_code >= 500 and response.status_code != 501:
                result.server_errors += 1
                result.failed_calls.append(f"{request.method} {path}: {response.status_code} {response.text[:160]}")


def run_specgen(project: Path, timeout: float = 600) -> OursResult:
    started = time.perf_counter()
    result = OursResult()
    try:
        _run(project, result, timeout)
    except subprocess.TimeoutExpired as exc:
        result.error = f"timed out after {exc.timeout:.0f}s: specgen {exc.cmd[3] if len(exc.cmd) > 3 else ''}"
    result.seconds = time.perf_counter() - started
    return result


def _run(project: Path, result: OursResult, timeout: float) -> None:
    validated = _specgen(project, "validate", "--format", "json", timeout=timeout)
    if validated.returncode != 0:
        _refusal(result, validated)
        return
    result.validated = True
    generated = _specgen(project, "generate", timeout=timeout)
    if generated.returncode != 0:
        result.error = _first_error_line(generated.stderr)
        result.crashed = INTERNAL_ERROR in generated.stderr
        return
    result.generated = True
    secret = secrets.token_urlsafe(48)
    env = throwaway_env(secret, f"sqlite:///{project / 'corpus.db'}")
    try:
        with background_server(project, env, project / "server.log", startup_timeout=60) as server:
            result.booted = True
            call_every_operation(server.url, project, sign(secret, "corpus-user", 3600), result)
    except RuntimeError as exc:
        if not result.booted:
            result.error = "boot: " + _first_error_line(str(exc).split("\n", 1)[-1])
        else:
            raise
    if result.server_errors and not result.error:
        log = (project / "server.log").read_text(errors="replace")
        result.error = result.failed_calls[0] + " | " + _first_error_line(log)
