"""custom/ overrides: a signature that drifted from the contract is named at startup and by mypy."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from generator.devtools.devserver import free_port
from tests.support import REPO, TEST_SECRET

DRIFTED = '''"""Task operations the contract leaves to us."""

from generated.deps import Context
from generated.models import TaskPublic
from generated.services.tasks import DefaultTasksService


class TasksOverrides(DefaultTasksService):
    def complete_task(self, ctx: Context, *, task_id: str) -> TaskPublic:
        return ctx.data.tasks.update(int(task_id), {"completed": True})
'''

RENAMED = DRIFTED.replace("*, task_id: str", "*, id: int").replace("int(task_id)", "id")


def _serve(project: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "generator", "serve", "--project", str(project), "--port", str(free_port())],
        env={"JWT_SECRET": TEST_SECRET, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_override_with_a_wrong_parameter_type_is_refused_at_startup_naming_the_operation(project_copy: Path) -> None:
    (project_copy / "custom" / "tasks.py").write_text(DRIFTED)
    result = _serve(project_copy)
    assert result.returncode == 1
    assert "completeTask" in result.stderr and "task_id" in result.stderr
    assert "Traceback" not in result.stderr


def test_override_with_a_renamed_parameter_is_refused_at_startup(project_copy: Path) -> None:
    (project_copy / "custom" / "tasks.py").write_text(RENAMED)
    result = _serve(project_copy)
    assert result.returncode == 1
    assert "completeTask" in result.stderr and "task_id" in result.stderr


def test_mypy_reports_an_override_that_drifted_from_the_contract(project_copy: Path) -> None:
    (project_copy / "custom" / "tasks.py").write_text(DRIFTED)
    mypy = REPO / ".venv" / "bin" / "mypy"
    result = subprocess.run(
        [str(mypy) if mypy.exists() else "mypy", "--config-file", str(REPO / "pyproject.toml"), "custom"],
        cwd=project_copy,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 1
    assert "complete_task" in result.stdout and "incompatible with supertype" in result.stdout


def test_server_refuses_to_start_without_a_key_or_with_a_short_one(project_copy: Path) -> None:
    for env in ({}, {"JWT_SECRET": "too-short"}):
        result = subprocess.run(
            [sys.executable, "-m", "generator", "serve", "--project", str(project_copy), "--port", str(free_port())],
            env={"PATH": "/usr/bin:/bin", **env},
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert result.returncode == 1
        assert "JWT_SECRET" in result.stderr and "Traceback" not in result.stderr


ASYNC_OVERRIDE = DRIFTED.replace(
    "    def complete_task(self, ctx: Context, *, task_id: str)",
    "    async def complete_task(self, ctx: Context, *, task_id: int)",
).replace("int(task_id)", "task_id")
UNANNOTATED = DRIFTED.replace(
    "def complete_task(self, ctx: Context, *, task_id: str) -> TaskPublic:",
    "def complete_task(self, ctx, *, task_id):  # type: ignore[no-untyped-def]",
).replace("int(task_id)", "task_id")


def test_async_or_unannotated_overrides_are_refused_at_startup(project_copy: Path) -> None:
    for source, words in ((ASYNC_OVERRIDE, "async"), (UNANNOTATED, "no annotation")):
        (project_copy / "custom" / "tasks.py").write_text(source)
        result = _serve(project_copy)
        assert result.returncode == 1, source
        assert "completeTask" in result.stderr and words in result.stderr, result.stderr
