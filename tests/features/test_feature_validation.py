"""Feature specs are validated like contracts: located diagnostics, one rule each."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support import copy_project, specgen

GOOD_STEP = "      - {actor: alice, operation: createTask, body: {title: ok}, expect: {status: 201}, save: task}\n"
CASES = {
    "feature-unknown-actor": ("      - {actor: mallory, operation: listTasks, expect: {status: 200}}\n", 7),
    "feature-unknown-operation": ("      - {actor: alice, operation: listTaskz, expect: {status: 200}}\n", 7),
    "feature-unknown-parameter": (
        "      - {actor: alice, operation: getTask, params: {task_id: 1, id: 1}, expect: {status: 200}}\n",
        7,
    ),
    "feature-body-invalid": (
        "      - {actor: alice, operation: createTask, body: {title: ok, priority: urgent}, expect: {status: 201}}\n",
        7,
    ),
    "feature-unknown-capture": (
        '      - {actor: alice, operation: getTask, params: {task_id: "{project.id}"}, expect: {status: 200}}\n',
        7,
    ),
    "feature-invalid": ("      - {actor: alice, operation: listTasks, expect: {code: 200}}\n", 7),
}


def _feature(step: str) -> str:
    return "feature: Broken\nactors: [alice]\nscenarios:\n  - name: one\n    steps:\n" + GOOD_STEP + step


@pytest.mark.parametrize("rule", sorted(CASES))
def test_broken_feature_step_is_reported_at_its_line(tmp_path: Path, rule: str) -> None:
    project = copy_project(tmp_path / "p")
    step, line = CASES[rule]
    (project / "specs" / "feature" / "broken.yaml").write_text(_feature(step))
    result = specgen("validate", "--project", str(project), "--format", "json")
    assert result.returncode == 1, result.stdout
    diags = json.loads(result.stdout)
    assert [(d["file"], d["rule"]) for d in diags] == [("specs/feature/broken.yaml", rule)], diags
    assert diags[0]["line"] == line


def test_an_error_scenario_may_send_a_body_that_breaks_the_schema(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "p")
    step = "      - {actor: alice, operation: createTask, body: {title: ''}, expect: {status: 422}}\n"
    (project / "specs" / "feature" / "errors2.yaml").write_text(_feature(step))
    assert specgen("validate", "--project", str(project)).returncode == 0


def test_captured_values_may_stand_where_the_schema_wants_another_type(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "p")
    step = '      - {actor: alice, operation: createTask, body: {title: x, project_id: "{task.id}"}, expect: {status: 201}}\n'
    (project / "specs" / "feature" / "capture.yaml").write_text(_feature(step))
    result = specgen("validate", "--project", str(project))
    assert result.returncode == 0, result.stderr


def test_malformed_feature_yaml_is_a_located_yaml_syntax_error(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "p")
    (project / "specs" / "feature" / "bad.yaml").write_text("feature: x\nactors: [alice\n")
    result = specgen("validate", "--project", str(project), "--format", "json")
    assert result.returncode == 1
    diags = json.loads(result.stdout)
    assert diags[0]["file"] == "specs/feature/bad.yaml" and diags[0]["rule"] == "yaml-syntax"
