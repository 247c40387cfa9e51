"""models.py rendered in parts side by side means the same as rendered in one run."""

from __future__ import annotations

import os
import subprocess
import sys
import types
from typing import Any

import pytest

from generator.model.schemas import referenced_schemas
from generator.render import model_parts
from generator.render.model_parts import PartsJob, deal, generate_in_parts
from generator.render.tree import _generate_models
from tests.support import REPO


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def many_schemas(count: int) -> dict[str, Any]:
    """A contract's worth of models: shared targets, inheritance, recursion, and the inline enums
    datamodel-code-generator names itself (Status, Status1, ...) in whichever part it renders them."""
    schemas: dict[str, Any] = {
        "Shared0": {"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]},
        "Shared1": {"type": "object", "properties": {"size": {"type": "integer", "minimum": 0}}},
        "TreeNode": {
            "type": "object",
            "properties": {"label": {"type": "string"}, "children": {"type": "array", "items": ref("TreeNode")}},
        },
    }
    for i in range(count):
        states = ["open", "closed"] if i % 2 else ["draft", "live", "gone"]
        schemas[f"Thing{i}"] = {
            "allOf": [
                ref(f"Shared{i % 2}"),
                {
                    "type": "object",
                    "properties": {
                        "id": {"type": "integer"},
                        "status": {"type": ["string", "null"], "enum": [*states, None]},
                        "tree": ref("TreeNode"),
                        "next": ref(f"Thing{(i + 1) % count}") if i % 3 == 0 else {"type": "string"},
                    },
                    "required": ["id"],
                },
            ]
        }
    return schemas


def expanded(schema: Any, defs: dict[str, Any], depth: int = 0) -> Any:
    """A JSON schema with its $refs replaced by their targets and class names (titles) left out."""
    if isinstance(schema, dict):
        if "$ref" in schema:
            target = schema["$ref"].split("/")[-1]
            return "<recursion>" if depth > 6 else expanded(defs[target], defs, depth + 1)
        return {k: expanded(v, defs, depth) for k, v in schema.items() if k not in ("title", "$defs")}
    if isinstance(schema, list):
        return [expanded(v, defs, depth) for v in schema]
    return schema


def loaded(code: str, name: str) -> types.ModuleType:
    """The code as a module pydantic can find (it resolves annotations through sys.modules)."""
    module = types.ModuleType(f"specgen_test_{name}")
    sys.modules[module.__name__] = module
    exec(compile(code, name, "exec"), module.__dict__)  # noqa: S102 - the code under test
    return module


def test_parts_define_every_model_with_the_same_meaning_as_one_run(monkeypatch: pytest.MonkeyPatch) -> None:
    schemas = many_schemas(700)
    assert len(deal(schemas, {n: {n} for n in schemas})) == 2  # this test is about merging parts

    renamed: list[str] = []
    rename = model_parts._renamed

    def spy(block: model_parts.Block, renames: dict[str, str]) -> model_parts.Block:
        renamed.extend(name for name in renames if name == block.name)
        return rename(block, renames)

    monkeypatch.setattr(model_parts, "_renamed", spy)
    merged, defined = generate_in_parts(schemas, "t", _generate_models)
    monkeypatch.setattr(model_parts, "MAX_PARTS", 1)
    whole, _ = generate_in_parts(schemas, "t", _generate_models)

    assert set(schemas) <= defined
    assert "Status" in renamed  # both parts invented the same names, so the second part's were renamed
    in_parts, in_one = loaded(merged, "in_parts"), loaded(whole, "in_one")
    for name in schemas:
        a, b = getattr(in_parts, name).model_json_schema(), getattr(in_one, name).model_json_schema()
        assert expanded(a, a.get("$defs", {})) == expanded(b, b.get("$defs", {})), name
    assert in_parts.Thing4.model_validate({"id": 1, "name": "x", "status": "live"}).status.value == "live"
    with pytest.raises(ValueError):
        in_parts.Thing4.model_validate({"id": 1, "name": "x", "status": "open"})  # Thing4's enum has no "open"


IN_A_FRESH_PROCESS = """
import sys
from generator.render.model_parts import generate_in_parts
from generator.render.tree import _generate_models
from tests.test_model_parts import many_schemas
sys.stdout.write(generate_in_parts(many_schemas(700), "t", _generate_models)[0])
"""


def test_the_output_does_not_depend_on_the_run_or_the_hash_seed() -> None:
    """Two interpreters with different string hashes: set and dict-of-set order differ between them."""
    outputs = []
    for seed in ("1", "2"):
        run = subprocess.run(
            [sys.executable, "-c", IN_A_FRESH_PROCESS],
            cwd=REPO,
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            timeout=240,
            check=False,
        )
        assert run.returncode == 0, run.stderr
        outputs.append(run.stdout)
    assert "class Thing699(" in outputs[0] and "class TreeNode(" in outputs[0]
    assert outputs[0] == outputs[1], "models.py differs between two runs with other hash seeds"


def test_each_model_is_dealt_once_and_each_part_holds_what_its_models_reference() -> None:
    schemas = many_schemas(700)
    refs = {n: referenced_schemas(s) & schemas.keys() for n, s in schemas.items()}
    closure = {n: model_parts._closure(n, refs) for n in schemas}
    homes = deal(schemas, closure)
    assert sorted(n for home in homes for n in home) == sorted(schemas)
    for home in homes:
        held = model_parts.part_document(schemas, home, closure, "t")["components"]["schemas"]
        assert all(refs[n] <= held.keys() for n in held)
        assert 250 < len(home) < 500  # balanced


PART_CODE = {
    "A": 'from enum import StrEnum\nfrom pydantic import BaseModel\n\n\nclass Status(StrEnum):\n    open = "open"\n\n\n'
    "class A(BaseModel):\n    status: Status | None = None\n",
    "B": 'from enum import StrEnum\nfrom pydantic import BaseModel\n\n\nclass Status(StrEnum):\n    done = "done"\n\n\n'
    "class B(BaseModel):\n    status: Status = Status.done\n",
}


def two_parts(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """Two parts for two models, run here so that a fake generator can record its calls."""
    monkeypatch.setattr(model_parts, "SCHEMAS_PER_PART", 1)
    monkeypatch.setenv("SPECGEN_NO_FORK", "1")
    return []


def test_a_name_two_parts_invented_is_renamed_in_the_second(monkeypatch: pytest.MonkeyPatch) -> None:
    two_parts(monkeypatch)
    schemas = {"A": {"type": "object"}, "B": {"type": "object"}}

    def generate(document: dict[str, Any]) -> str:
        return "".join(PART_CODE[name] for name in document["components"]["schemas"])

    code, defined = generate_in_parts(schemas, "t", generate)
    assert {"A", "B", "Status", "Status2"} == defined
    module = loaded(code, "renamed")
    assert module.A(status="open").status is module.Status.open
    assert module.B().status is module.Status2.done
    with pytest.raises(ValueError):
        module.B(status="open")


def test_parts_that_cannot_be_merged_are_rendered_again_in_one_run(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = two_parts(monkeypatch)
    schemas = {"A": {"type": "object"}, "B": {"type": "object"}}

    def generate(document: dict[str, Any]) -> str:
        names = list(document["components"]["schemas"])
        calls.append(names)
        if len(names) == 1:  # a statement the merge could not place
            return PART_CODE[names[0]] + "print('side effect')\n"
        return PART_CODE["A"] + "\n\nclass B(BaseModel):\n    status: Status | None = None\n"

    code, defined = PartsJob(schemas, "t", generate).result()
    assert calls[-1] == ["A", "B"] and len(calls) == 3
    assert defined == {"A", "B", "Status"}
    assert "Status2" not in code


def test_an_invented_class_never_takes_a_name_models_py_binds_to_an_alias(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SPECGEN_NO_FORK", "1")
    code, defined = PartsJob(
        {"A": {"type": "object"}}, "t", lambda document: PART_CODE["A"], reserved=frozenset({"Status"})
    ).result()
    assert defined == {"A", "Status2"}
    assert "status: Status2 | None" in code
