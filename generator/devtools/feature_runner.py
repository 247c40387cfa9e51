"""Running feature scenarios (see docs/features.md) against a real server."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from generator.validate.features import _ABSENT, ANONYMOUS, PLACEHOLDER, Feature, Scenario, load_features


class StepFailed(AssertionError):
    pass


def _lookup(context: dict[str, Any], name: str) -> Any:
    node: Any = context
    for part in name.split("."):
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            raise StepFailed(f"{{{name}}} has no value: {part!r} is missing")
    return node


def substitute(value: Any, context: dict[str, Any]) -> Any:
    if isinstance(value, str):
        whole = PLACEHOLDER.fullmatch(value)
        if whole:
            return _lookup(context, whole.group(1))  # keeps the captured type (an int stays an int)
        return PLACEHOLDER.sub(lambda m: str(_lookup(context, m.group(1))), value)
    if isinstance(value, dict):
        return {k: substitute(v, context) for k, v in value.items()}
    if isinstance(value, list):
        return [substitute(v, context) for v in value]
    return value


def mismatches(expected: Any, actual: Any, where: str = "") -> list[str]:
    """Where `actual` differs from the fragment `expected` (mappings: the keys given; lists: every item)."""
    if isinstance(expected, dict):
        if set(expected) == {"$length"}:
            ok = isinstance(actual, (list, str, dict)) and len(actual) == expected["$length"]
            return (
                []
                if ok
                else [
                    f"{where or '/'}: expected length {expected['$length']}, got {len(actual) if isinstance(actual, (list, str, dict)) else type(actual).__name__}"
                ]
            )
        if not isinstance(actual, dict):
            return [f"{where or '/'}: expected an object, got {json.dumps(actual)[:80]}"]
        out = []
        for key, value in expected.items():
            if key not in actual:
                out.append(f"{where}/{key}: missing")
            else:
                out += mismatches(value, actual[key], f"{where}/{key}")
        return out
    if isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) != len(expected):
            return [f"{where or '/'}: expected a list of {len(expected)}, got {json.dumps(actual)[:80]}"]
        return [
            m for i, (e, a) in enumerate(zip(expected, actual, strict=True)) for m in mismatches(e, a, f"{where}/{i}")
        ]
    if expected != actual or isinstance(expected, bool) != isinstance(actual, bool):
        return [f"{where or '/'}: expected {json.dumps(expected)}, got {json.dumps(actual)}"]
    return []


TokenFor = Callable[[str], str]


def run_scenario(
    feature: Feature, scenario: Scenario, client: httpx.Client, document: dict[str, Any], token_for: TokenFor
) -> None:
    """Run every step; raises StepFailed naming file, line, scenario and step, with request and response."""
    operations = feature.operations
    servers = document.get("servers")
    mount = (
        str(servers[0].get("url", "")).rstrip("/")
        if isinstance(servers, list) and servers and isinstance(servers[0], dict)
        else ""
    )
    users = {actor: f"{actor}-{uuid.uuid4().hex[:10]}" for actor in feature.actors}
    context: dict[str, Any] = {"actors": users}
    for step in scenario.steps:
        where = f"{feature.source.display}:{feature.line_of(step.pointer)}: scenario {scenario.name!r}, step {step.number} ({step.operation} as {step.actor})"
        operation = operations[step.operation]
        try:
            params = substitute(step.params, context)
            body = substitute(step.body, context) if step.body is not _ABSENT else _ABSENT
        except StepFailed as exc:
            raise StepFailed(f"{where}\n  {exc}") from None
        path = operation.path
        query: dict[str, Any] = {}
        headers: dict[str, str] = {}
        for name, value in params.items():
            location = operation.parameters[name]
            if location == "path":
                path = path.replace("{" + name + "}", str(value))
            elif location == "header":
                headers[name] = str(value)
            else:
                query[name] = json.dumps(value) if isinstance(value, bool) else value
        if step.actor != ANONYMOUS:
            headers["Authorization"] = f"Bearer {token_for(users[step.actor])}"
        request_body = None if body is _ABSENT else json.dumps(body)
        if request_body is not None:
            headers["Content-Type"] = "application/json"
        response = client.request(operation.method, mount + path, params=query, headers=headers, content=request_body)
        try:
            payload: Any = response.json() if response.content else None
        except ValueError:
            payload = response.text
        problems = []
        if response.status_code != step.status:
            problems.append(f"expected status {step.status}, got {response.status_code}")
        if step.expect_body is not _ABSENT:
            problems += mismatches(substitute(step.expect_body, context), payload)
        for name, value in step.expect_headers.items():
            expected = substitute(value, context)
            if response.headers.get(name) != expected:
                problems.append(f"header {name}: expected {expected!r}, got {response.headers.get(name)!r}")
        if problems:
            shown_query = f"?{httpx.QueryParams(query)}" if query else ""
            raise StepFailed(
                f"{where}\n  "
                + "\n  ".join(problems)
                + f"\n  request:  {operation.method} {mount}{path}{shown_query} {request_body or ''}".rstrip()
                + f"\n  response: {response.status_code} {response.text[:2000]}"
            )
        if step.save:
            context[step.save] = payload


def run_all(project: Path, database_url: str | None = None) -> tuple[list[str], int]:
    """Validate, serve the project on a fresh database, run every scenario; (failure messages, scenario count)."""
    import secrets
    import tempfile

    from generator.devtools.devserver import background_server, sign, throwaway_env
    from generator.pipeline import check_contracts

    _, result = check_contracts(project)
    if not result.ok or result.project is None:
        raise RuntimeError("the contracts or feature specs are invalid: run `specgen validate`")
    document = result.project.served_contract
    loaded, _ = load_features(project, document)
    secret = secrets.token_urlsafe(48)

    def token_for(sub: str) -> str:
        return sign(secret, sub, ttl=3600)

    failures = []
    total = 0
    with tempfile.TemporaryDirectory(prefix="specgen-features-") as tmp:
        env = throwaway_env(secret, database_url or f"sqlite:///{tmp}/features.db")
        with (
            background_server(project, env, Path(tmp) / "server.log") as server,
            httpx.Client(base_url=server.url, timeout=30) as client,
        ):
            for feature in loaded:
                for scenario in feature.scenarios:
                    total += 1
                    try:
                        run_scenario(feature, scenario, client, document, token_for)
                    except StepFailed as exc:
                        failures.append(str(exc))
    return failures, total
