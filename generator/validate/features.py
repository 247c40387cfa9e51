"""Executable feature specs: scenarios in specs/feature/*.yaml, validated like contracts and
run against a real server. The format is documented in docs/features.md."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.base.diagnostics import Diagnostic, join_pointer
from generator.load.loader import SourceFile, load_yaml
from generator.model.openapi import iter_operations
from generator.model.schemas import deref, is_read_only

FEATURE_DIR = "specs/feature"
ANONYMOUS = "anonymous"  # the implicit actor that sends no token
PLACEHOLDER = re.compile(r"\{([A-Za-z_]\w*(?:\.[A-Za-z0-9_]+)*)\}")
STEP_KEYS = {"actor", "operation", "params", "body", "expect", "save", "note"}
EXPECT_KEYS = {"status", "body", "headers"}
_ABSENT = object()
CONTRACT_URI = "urn:specgen:contract"


@dataclass(frozen=True)
class Step:
    number: int
    pointer: str
    actor: str
    operation: str
    params: dict[str, Any]
    body: Any
    status: int
    expect_body: Any
    expect_headers: dict[str, str]
    save: str | None


@dataclass(frozen=True)
class Scenario:
    name: str
    pointer: str
    steps: tuple[Step, ...]


@dataclass
class Feature:
    source: SourceFile
    title: str
    actors: tuple[str, ...]
    operations: dict[str, OperationRef]  # of the contract the feature was checked against
    scenarios: list[Scenario] = field(default_factory=list)

    def line_of(self, pointer: str) -> int:
        return self.source.locate(pointer)[0]


@dataclass(frozen=True)
class OperationRef:
    method: str
    path: str
    parameters: dict[str, str]  # name -> location
    body_schema: Any


def operation_index(document: dict[str, Any]) -> dict[str, OperationRef]:
    out = {}
    for raw in iter_operations(document):
        op_id = raw.node.get("operationId")
        if not isinstance(op_id, str):
            continue
        body = raw.json_body(document)
        params = {str(p["name"]): str(p.get("in")) for p, _ in raw.parameters(document)}
        out[op_id] = OperationRef(raw.method.upper(), raw.path, params, body[0] if body else None)
    return out


def _feature_files(project: Path) -> list[Path]:
    directory = project / FEATURE_DIR
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())


def load_features(project: Path, document: dict[str, Any]) -> tuple[list[Feature], list[Diagnostic]]:
    """Parse and validate every feature file; diagnostics carry file and pointer like contract ones."""
    features: list[Feature] = []
    diags: list[Diagnostic] = []
    operations = operation_index(document)
    for path in _feature_files(project):
        source, errors = load_yaml(path, path.relative_to(project).as_posix())
        diags += errors
        if source is None:
            continue
        checker = _Checker(source, operations, document)
        feature = checker.feature()
        diags += checker.diags
        if feature is not None:
            features.append(feature)
    return features, diags


class _Checker:
    def __init__(self, source: SourceFile, operations: dict[str, OperationRef], document: dict[str, Any]) -> None:
        self.source = source
        self.operations = operations
        self.document = document
        self.diags: list[Diagnostic] = []

    def error(self, pointer: str, rule: str, message: str) -> None:
        self.diags.append(Diagnostic(self.source.display, pointer, rule, message))

    def feature(self) -> Feature | None:
        data = self.source.data
        if not isinstance(data, dict):
            self.error("", "feature-invalid", "a feature file is a mapping with feature, actors and scenarios")
            return None
        for key in sorted(set(map(str, data)) - {"feature", "actors", "scenarios", "description"}):
            self.error(
                join_pointer("", key),
                "feature-invalid",
                f"unknown key {key!r} (allowed: feature, description, actors, scenarios)",
            )
        title = data.get("feature")
        if not isinstance(title, str) or not title.strip():
            self.error(
                "/feature" if "feature" in data else "", "feature-invalid", "`feature` names what the file is about"
            )
        actors = data.get("actors")
        if (
            not isinstance(actors, list)
            or not actors
            or not all(isinstance(a, str) and re.fullmatch(r"[A-Za-z_]\w*", a) for a in actors)
        ):
            self.error(
                "/actors" if "actors" in data else "",
                "feature-invalid",
                "`actors` is a list of names such as [alice, bob]",
            )
            actors = []
        elif ANONYMOUS in actors:
            self.error("/actors", "feature-invalid", f"{ANONYMOUS!r} is built in: it is the actor that sends no token")
        feature = Feature(self.source, str(title or ""), tuple(actors), self.operations)
        scenarios = data.get("scenarios")
        if not isinstance(scenarios, list) or not scenarios:
            self.error(
                "/scenarios" if "scenarios" in data else "", "feature-invalid", "`scenarios` is a non-empty list"
            )
            return feature
        names: set[str] = set()
        for i, raw in enumerate(scenarios):
            scenario = self.scenario(raw, join_pointer("/scenarios", i), set(actors))
            if scenario is None:
                continue
            if scenario.name in names:
                self.error(
                    join_pointer(scenario.pointer, "name"),
                    "feature-invalid",
                    f"two scenarios are named {scenario.name!r}",
                )
            names.add(scenario.name)
            feature.scenarios.append(scenario)
        return feature

    def scenario(self, raw: Any, pointer: str, actors: set[str]) -> Scenario | None:
        if (
            not isinstance(raw, dict)
            or not isinstance(raw.get("name"), str)
            or not isinstance(raw.get("steps"), list)
            or not raw["steps"]
        ):
            self.error(pointer, "feature-invalid", "a scenario is a mapping with a name and a non-empty list of steps")
            return None
        saved: set[str] = set()
        steps = []
        for i, raw_step in enumerate(raw["steps"]):
            step = self.step(raw_step, join_pointer(pointer, "steps", i), i + 1, actors, saved)
            if step is not None:
                steps.append(step)
                if step.save:
                    saved.add(step.save)
        return Scenario(raw["name"], pointer, tuple(steps))

    def step(self, raw: Any, pointer: str, number: int, actors: set[str], saved: set[str]) -> Step | None:
        if not isinstance(raw, dict):
            self.error(pointer, "feature-invalid", "a step is a mapping: actor, operation, params, body, expect, save")
            return None
        ok = True
        for key in sorted(set(map(str, raw)) - STEP_KEYS):
            self.error(
                join_pointer(pointer, key),
                "feature-invalid",
                f"unknown step key {key!r} (allowed: {', '.join(sorted(STEP_KEYS))})",
            )
            ok = False
        actor = raw.get("actor")
        if actor != ANONYMOUS and not (isinstance(actor, str) and actor in actors):
            self.error(
                join_pointer(pointer, "actor") if "actor" in raw else pointer,
                "feature-unknown-actor",
                f"actor {actor!r} is not declared in `actors` (or use {ANONYMOUS!r})",
            )
            ok = False
        op_id = raw.get("operation")
        operation = self.operations.get(op_id) if isinstance(op_id, str) else None
        if operation is None:
            self.error(
                join_pointer(pointer, "operation") if "operation" in raw else pointer,
                "feature-unknown-operation",
                f"no operation with operationId {op_id!r} in the contract",
            )
            ok = False
        expect = raw.get("expect")
        if not isinstance(expect, dict) or not isinstance(expect.get("status"), int):
            self.error(
                join_pointer(pointer, "expect") if "expect" in raw else pointer,
                "feature-invalid",
                "`expect` needs a `status` (and optionally `body` and `headers`)",
            )
            return None
        for key in sorted(set(map(str, expect)) - EXPECT_KEYS):
            self.error(
                join_pointer(pointer, "expect", key),
                "feature-invalid",
                f"unknown expect key {key!r} (allowed: body, headers, status)",
            )
        params = raw.get("params", {})
        if not isinstance(params, dict):
            self.error(join_pointer(pointer, "params"), "feature-invalid", "`params` maps parameter names to values")
            params = {}
        headers = expect.get("headers", {})
        if not isinstance(headers, dict):
            self.error(
                join_pointer(pointer, "expect", "headers"),
                "feature-invalid",
                "`expect.headers` maps header names to values",
            )
            headers = {}
        save = raw.get("save")
        if save is not None and (
            not isinstance(save, str) or not re.fullmatch(r"[A-Za-z_]\w*", save) or save == "actors"
        ):
            self.error(
                join_pointer(pointer, "save"), "feature-invalid", "`save` is a name such as `task` (then use {task.id})"
            )
            save = None
        for where, value in (("params", params), ("body", raw.get("body")), ("expect", expect)):
            for name in _placeholders(value):
                root = name.split(".")[0]
                if root == "actors":
                    actor_name = name.split(".")[1] if "." in name else ""
                    if actor_name not in actors:
                        self.error(
                            join_pointer(pointer, where),
                            "feature-unknown-capture",
                            f"{{{name}}}: no actor {actor_name!r}",
                        )
                elif root not in saved:
                    self.error(
                        join_pointer(pointer, where),
                        "feature-unknown-capture",
                        f"{{{name}}}: no earlier step saves {root!r}",
                    )
        if operation is not None:
            ok = self.check_request(operation, params, raw, pointer, expect["status"]) and ok
        if not ok:
            return None
        return Step(
            number=number,
            pointer=pointer,
            actor=str(actor),
            operation=str(op_id),
            params=params,
            body=raw.get("body", _ABSENT),
            status=expect["status"],
            expect_body=expect.get("body", _ABSENT),
            expect_headers={str(k): str(v) for k, v in headers.items()},
            save=save,
        )

    def check_request(
        self, operation: OperationRef, params: dict[str, Any], raw: dict[str, Any], pointer: str, status: int
    ) -> bool:
        ok = True
        for name in params:
            if name not in operation.parameters:
                self.error(
                    join_pointer(pointer, "params", name),
                    "feature-unknown-parameter",
                    f"{operation.method} {operation.path} has no parameter {name!r}",
                )
                ok = False
        for name, location in operation.parameters.items():
            if location == "path" and name not in params:
                self.error(
                    join_pointer(pointer, "params") if "params" in raw else pointer,
                    "feature-unknown-parameter",
                    f"path parameter {name!r} of {operation.path} is not given",
                )
                ok = False
        if "body" in raw and operation.body_schema is None:
            self.error(
                join_pointer(pointer, "body"),
                "feature-body-invalid",
                f"{operation.method} {operation.path} takes no JSON body",
            )
            return False
        if "body" in raw and 200 <= status < 300:
            # a step that expects success must send a body the contract accepts; error scenarios may not
            for message, where in _schema_errors(self.document, operation.body_schema, raw["body"]):
                self.error(join_pointer(pointer, "body", *where), "feature-body-invalid", message)
                ok = False
        return ok


def _placeholders(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield from PLACEHOLDER.findall(value)
    elif isinstance(value, dict):
        for v in value.values():
            yield from _placeholders(v)
    elif isinstance(value, list):
        for v in value:
            yield from _placeholders(v)


def _schema_errors(document: dict[str, Any], schema: Any, body: Any) -> Iterator[tuple[str, list[str]]]:
    from openapi_schema_validator import OAS30Validator, OAS31Validator
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    validator_cls: Any = OAS30Validator if str(document.get("openapi", "")).startswith("3.0") else OAS31Validator
    registry: Registry[Any] = Registry().with_resource(
        CONTRACT_URI, Resource.from_contents(document, default_specification=DRAFT202012)
    )
    target = schema if isinstance(schema, dict) else {}
    validator = validator_cls(_strip_read_only(document, target), registry=registry)
    for error in validator.iter_errors(body):
        if isinstance(error.instance, str) and PLACEHOLDER.fullmatch(error.instance):
            continue  # a value captured at run time: its type is known only then
        yield (f"body does not fit the request schema: {error.message}", [str(p) for p in error.absolute_path])


def _strip_read_only(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """Requests leave out readOnly properties; `required` in a resource schema lists them for responses."""
    resolved = deref(document, schema)
    if not isinstance(resolved, dict) or not isinstance(resolved.get("properties"), dict):
        return dict(_absolute_refs(schema))
    props = {}
    read_only = set()
    for name, prop in resolved["properties"].items():
        if is_read_only(document, prop):
            read_only.add(name)
            continue
        props[name] = _absolute_refs(prop)
    out = {k: _absolute_refs(v) for k, v in resolved.items() if k not in ("properties", "required")}
    out["properties"] = props
    out["required"] = [
        r
        for r in resolved.get("required") or []
        if r not in read_only and "default" not in (deref(document, resolved["properties"].get(r)) or {})
    ]
    if "additionalProperties" not in out and read_only:
        out["additionalProperties"] = True
    return out


def _absolute_refs(node: Any) -> Any:
    if isinstance(node, dict):
        return {
            k: (CONTRACT_URI + v if k == "$ref" and isinstance(v, str) and v.startswith("#") else _absolute_refs(v))
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [_absolute_refs(v) for v in node]
    return node
