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
from typing import Any

import httpx

from generator.devtools.devserver import background_server, sign, throwaway_env
from generator.load.contract import load_contract

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
    located: bool = False  # a refusal whose diagnostics all name the place (file, pointer, so line:col)
    rules: list[str] = field(default_factory=list)  # the rule ids of a refusal
    crashed: bool = False  # specgen said "internal error" or a request raised
    notable_calls: list[str] = field(default_factory=list)  # calls answered other than 501, with the body
    first_server_error: str = ""
    served_as_input: bool | None = None  # GET /openapi.json equals the bundled input contract
    served_difference: str = ""
    seconds: float = 0.0
    steps: dict[str, float] = field(default_factory=dict)  # seconds of validate, generate, boot, calls


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
        result.rules = sorted({str(d.get("rule")) for d in diagnostics})
        # Located: names the place in the file. A diagnostic without a pointer (1:1, the whole document) is not,
        # and "could not be validated" is specgen's wording for a crash of the spec validator.
        result.located = all(
            d.get("file") and d.get("pointer") and d.get("message") and "could not be validated" not in d["message"]
            for d in diagnostics
        )
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


def _first_difference(served: Any, expected: Any, pointer: str = "") -> str:
    if isinstance(served, dict) and isinstance(expected, dict):
        for key in sorted(set(served) | set(expected)):
            if key not in served or key not in expected:
                return f"{pointer}/{key} {'missing from' if key not in served else 'added to'} the served contract"
            found = _first_difference(served[key], expected[key], f"{pointer}/{key}")
            if found:
                return found
        return ""
    return "" if served == expected else f"{pointer or '/'} differs"


def call_every_operation(url: str, project: Path, token: str, result: OursResult) -> None:
    contract, _ = load_contract(project)
    assert contract is not None  # generate succeeded, so the contract loads
    document = contract.document
    # The served contract is the input contract: with no table mapping nothing is derived, so they are equal
    # (as JSON: an integer response key of the YAML is a string there).
    served = httpx.get(f"{url}/openapi.json", timeout=60).json()
    result.served_difference = _first_difference(served, json.loads(json.dumps(document)))
    result.served_as_input = not result.served_difference
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
                result.notable_calls.append(f"{request.method} {path}: {type(exc).__name__}")
                continue
            result.calls += 1
            result.statuses[response.status_code] += 1
            if response.status_code == 501:
                continue
            call = f"{request.method} {path}: {response.status_code} {response.text[:200]}"
            result.notable_calls.append(call)
            if response.status_code >= 500:
                result.server_errors += 1
                result.first_server_error = result.first_server_error or call


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
    clock = time.perf_counter()

    def lap(step: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        result.steps[step] = now - clock
        clock = now

    validated = _specgen(project, "validate", "--format", "json", timeout=timeout)
    lap("validate")
    if validated.returncode != 0:
        _refusal(result, validated)
        return
    result.validated = True
    generated = _specgen(project, "generate", timeout=timeout)
    lap("generate")
    if generated.returncode != 0:
        result.error = _first_error_line(generated.stderr)
        result.crashed = INTERNAL_ERROR in generated.stderr
        return
    result.generated = True
    secret = secrets.token_urlsafe(48)
    env = throwaway_env(secret, f"sqlite:///{project / 'corpus.db'}")
    try:
        with background_server(project, env, project / "server.log", startup_timeout=timeout) as server:
            lap("boot")
            result.booted = True
            call_every_operation(server.url, project, sign(secret, "corpus-user", 3600), result)
            lap("calls")
    except RuntimeError as exc:
        if result.booted:
            raise
        lap("boot")
        reason, _, log = str(exc).partition("\n")
        result.error = f"boot: {reason}" + (f": {_first_error_line(log)}" if "error" in log.lower() else "")
    if result.server_errors and not result.error:
        log = (project / "server.log").read_text(errors="replace")
        result.error = result.first_server_error + " | " + _first_error_line(log)
