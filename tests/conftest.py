from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import Server, copy_project, run_server


@pytest.fixture(scope="session")
def example_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The example app as committed (generated/ + custom/), served over real HTTP on SQLite."""
    project = copy_project(tmp_path_factory.mktemp("example"))
    with run_server(project) as server:
        yield server


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    return copy_project(tmp_path / "project")
