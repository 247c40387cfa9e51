"""A stage run in a second process gives the same answer as run here, and its failures surface here."""

from __future__ import annotations

import os
import time

import pytest

from generator.base.background import Background


def child_pid(_: int) -> int:
    return os.getpid()


def broken(message: str) -> None:
    raise ValueError(message)


def test_the_stage_runs_in_another_process_and_its_result_comes_back() -> None:
    assert Background(child_pid, 1).result() != os.getpid()
    assert Background(sorted, [3, 1, 2]).result() == [1, 2, 3]


def test_a_failing_stage_is_run_again_here_so_the_real_error_is_raised() -> None:
    with pytest.raises(ValueError, match="the real error"):
        Background(broken, "the real error").result()


def test_a_cancelled_stage_is_stopped() -> None:
    job = Background(time.sleep, 60)
    process = job._process
    job.cancel()
    assert process is not None and not process.is_alive()


def test_without_fork_the_stage_runs_here(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SPECGEN_NO_FORK", "1")
    assert Background(child_pid, 1).result() == os.getpid()
