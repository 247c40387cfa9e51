"""Every scenario in specs/feature/ runs against the example served over real HTTP."""

from __future__ import annotations

import json

import httpx
import pytest

from generator.devtools.feature_runner import StepFailed, run_scenario
from generator.validate.features import Feature, Scenario, load_features
from tests.support import REPO, Server, make_token

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
