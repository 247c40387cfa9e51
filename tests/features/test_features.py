"""Every scenario in specs/feature/ runs against the example served over real HTTP."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from generator.devtools.feature_runner import StepFailed, run_scenario
from generator.validate.features import Feature, Scenario, load_features
from tests.support import REPO, Server, copy_project, make_token

SERVED = json.loads((REPO / "generated" / "openapi.json").read_text())
FEATURES, DIAGNOSTICS = load_features(REPO, SERVED)
CASES = [(f, s) for f in FEATURES for s in f.scenarios]


def test_feature_files_are_valid_and_there_are_at_least_15_scenarios() -> None:
    assert DIAGNOSTICS == []
    assert len(CASES) >= 15


@pytest.mark.parametrize(("feature", "scenario"), CASES, ids=[f"{f.source.path.name}::{s.name}" for f, s in CASES])
def test_scenario(example_server: Server, feature: Feature, scenario: Scenario) -> None:
    failure = None
    with httpx.Client(base_url=example_server.url, timeout=30) as client:
        try:
            run_scenario(feature, scenario, client, SERVED, lambda sub: make_token(sub))
        except StepFailed as exc:
            failure = str(exc)
    if failure:
        pytest.fail(failure, pytrace=False)


def test_specgen_features_serves_the_project_and_runs_every_scenario() -> None:
    from tests.support import specgen

    result = specgen("features", "--project", str(REPO))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().endswith(f"{len(CASES)} passed, 0 failed")


# The runner decides every test above: it must report a scenario whose expectations are wrong.
WRONG = """feature: Wrong on purpose
actors: [alice]
scenarios:
  - name: A create expected to answer 200
    steps:
      - {actor: alice, operation: createTask, body: {title: Weed}, expect: {status: 200}}
  - name: A create expected to echo another title
    steps:
      - actor: alice
        operation: createTask
        body: {title: Weed}
        expect: {status: 201, body: {title: Sow, completed: false}}
  - name: An empty list expected to hold one task
    steps:
      - {actor: alice, operation: listTasks, expect: {status: 200, body: {items: {$length: 1}}}}
  - name: A missing task expected as plain JSON
    steps:
      - actor: alice
        operation: getTask
        params: {task_id: 9000000001}
        expect: {status: 404, headers: {content-type: application/json}}
  - name: A create that is right
    steps:
      - {actor: alice, operation: createTask, body: {title: Weed}, expect: {status: 201, body: {title: Weed}}}
"""
# scenario name -> what the failure must say differed
WRONG_FAILURES = {
    "A create expected to answer 200": "expected status 200, got 201",
    "A create expected to echo another title": '/title: expected "Sow", got "Weed"',
    "An empty list expected to hold one task": "/items: expected length 1, got 0",
    "A missing task expected as plain JSON": "header content-type: expected 'application/json', got 'application/problem+json'",
}


@pytest.fixture(scope="module")
def wrong_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = copy_project(tmp_path_factory.mktemp("wrong-features"))
    (project / "specs" / "feature" / "wrong.yaml").write_text(WRONG, encoding="utf-8")
    return project


def test_the_runner_fails_each_wrong_scenario_naming_it_and_what_differed(
    example_server: Server, wrong_project: Path
) -> None:
    loaded, diagnostics = load_features(wrong_project, SERVED)
    assert diagnostics == []
    [wrong] = [f for f in loaded if f.source.path.name == "wrong.yaml"]
    outcomes: dict[str, str | None] = {}
    with httpx.Client(base_url=example_server.url, timeout=30) as client:
        for scenario in wrong.scenarios:
            try:
                run_scenario(wrong, scenario, client, SERVED, lambda sub: make_token(sub))
                outcomes[scenario.name] = None
            except StepFailed as exc:
                outcomes[scenario.name] = str(exc)
    assert outcomes["A create that is right"] is None
    for name, differed in WRONG_FAILURES.items():
        failure = outcomes[name]
        assert failure is not None, f"{name!r} passed, yet its expectation is wrong"
        assert "specs/feature/wrong.yaml:" in failure and f"scenario {name!r}, step 1" in failure, failure
        assert differed in failure, failure


def test_specgen_features_exits_1_and_names_each_failing_scenario(wrong_project: Path) -> None:
    from tests.support import specgen

    result = specgen("features", "--project", str(wrong_project))
    assert result.returncode == 1, result.stdout + result.stderr
    failures = result.stderr.split("FAIL ")[1:]
    assert len(failures) == len(WRONG_FAILURES), result.stderr
    for name, differed in WRONG_FAILURES.items():
        [block] = [b for b in failures if f"scenario {name!r}" in b]
        assert block.startswith("specs/feature/wrong.yaml:") and differed in block, block
    passed = len(CASES) + 1  # every committed scenario, and the right one
    assert result.stdout.strip().endswith(f"{passed} passed, {len(WRONG_FAILURES)} failed"), result.stdout
