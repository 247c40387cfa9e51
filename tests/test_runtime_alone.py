"""A generated project deploys without the compiler: a venv holding only the runtime distribution
(runtime/requirements.lock + runtime/) upgrades the tables and serves the example, custom code included."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from generator.devtools.devserver import free_port
from tests.support import REPO, TEST_SECRET, make_token, new_user

COMPILER_ONLY = {"jinja2", "datamodel-code-generator", "openapi-spec-validator", "ruff", "specgen"}

pytestmark = pytest.mark.timeout(600)


def _run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=480, check=False
    )


@pytest.fixture(scope="module")
def runtime_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("runtime-venv")
    venv = root / "venv"
    assert _run("python3", "-m", "venv", venv, cwd=root).returncode == 0
    python = venv / "bin" / "python"
    locked = _run(
        python,
        "-m",
        "pip",
        "install",
        "--quiet",
        "--require-hashes",
        "-r",
        REPO / "runtime/requirements.lock",
        cwd=root,
    )
    assert locked.returncode == 0, locked.stderr
    source = shutil.copytree(
        REPO / "runtime", root / "runtime", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info", "build")
    )
    built = _run(
        python, "-m", "pip", "install", "--quiet", "--no-deps", source, cwd=root
    )  # a copy: the build leaves files
    assert built.returncode == 0, built.stderr
    return python


def _installed(python: Path) -> set[str]:
    listed = _run(python, "-m", "pip", "list", "--format=freeze", cwd=python.parent)
    return {line.split("==")[0].lower() for line in listed.stdout.splitlines()}


def test_the_runtime_venv_holds_no_part_of_the_compiler(runtime_python: Path) -> None:
    installed = _installed(runtime_python)
    assert "specgen-runtime" in installed
    assert installed & COMPILER_ONLY == set()
    assert _run(runtime_python, "-c", "import generator", cwd=runtime_python.parent).returncode != 0


SERVERS = {
    "uvicorn": ["-m", "uvicorn", "generated.app:app"],  # the module's `app`, built on first use
    "specgen_runtime": ["-m", "specgen_runtime", "serve"],  # the same, with request heads bounded as read
}


@pytest.fixture(scope="module", params=sorted(SERVERS))
def deployed(
    request: pytest.FixtureRequest, runtime_python: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """The example's generated/, custom/ and migrations/ (no specs/, no compiler): upgraded, then served."""
    project = tmp_path_factory.mktemp("deployed")
    for part in ("generated", "custom", "migrations"):
        shutil.copytree(REPO / part, project / part, ignore=shutil.ignore_patterns("__pycache__"))
    env = {"PATH": os.environ["PATH"], "JWT_SECRET": TEST_SECRET, "DATABASE_URL": f"sqlite:///{project / 'app.db'}"}
    upgraded = _run(runtime_python, "-m", "specgen_runtime", "upgrade", "--project", project, cwd=project, env=env)
    assert upgraded.returncode == 0, upgraded.stderr
    port = free_port()
    log = (project / "server.log").open("w")
    command = [runtime_python, *SERVERS[request.param], "--port", str(port)]
    process = subprocess.Popen([str(c) for c in command], cwd=project, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, (project / "server.log").read_text()
            try:
                if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, (project / "server.log").read_text()
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


def _client(url: str, sub: str | None) -> httpx.Client:
    headers = {"Authorization": f"Bearer {make_token(sub)}"} if sub else {}
    return httpx.Client(base_url=url, headers=headers, timeout=10)


def test_the_runtime_alone_serves_the_example_with_its_custom_code(deployed: str) -> None:
    alice, bob = new_user(), new_user()
    with _client(deployed, alice) as a, _client(deployed, bob) as b, _client(deployed, None) as anonymous:
        assert anonymous.get("/backend/tasks").status_code == 401
        task = a.post("/backend/tasks", json={"title": "deployed"})
        assert task.status_code == 201, task.text
        task_id = task.json()["id"]
        assert [t["id"] for t in a.get("/backend/tasks").json()["items"]] == [task_id]
        assert b.get(f"/backend/tasks/{task_id}").status_code == 404
        assert b.get("/backend/tasks").json()["items"] == []
        completed = a.post(f"/backend/tasks/{task_id}/complete")  # custom/tasks.py
        assert completed.status_code == 200 and completed.json()["completed"] is True
        assert anonymous.get("/openapi.json").json()["info"]["title"] == "Tasks API"


def test_the_isolation_and_ownership_tests_pass_against_the_runtime_alone(runtime_python: Path) -> None:
    """The end-to-end and security tests that start servers, with every server from the runtime-only venv."""
    suites = [
        "tests/e2e/test_isolation.py",
        "tests/security/test_ownership.py",
        "tests/security/test_authentication.py",
    ]
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-k", "not postgresql", *suites],
        cwd=REPO,
        env={**os.environ, "SPECGEN_SERVER_PYTHON": str(runtime_python)},
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert " passed" in run.stdout and " failed" not in run.stdout
