"""Inline object schemas become model schemas named after where they are declared."""

from __future__ import annotations

import copy
from typing import Any

from generator.ir.hoist import hoist_inline_objects

POINT = {"type": "object", "properties": {"x": {"type": "integer"}}}


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def hoisted(
    schemas: dict[str, Any], families: dict[str, str] | None = None
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    schemas = copy.deepcopy(schemas)
    users = hoist_inline_objects(schemas, families or {}, set())
    return schemas, users


def test_a_nested_object_is_named_after_its_model_and_property() -> None:
    schemas, owners = hoisted({"Task": {"type": "object", "properties": {"place": POINT}}})
    assert schemas["Task"]["properties"]["place"] == ref("TaskPlace")
    assert schemas["TaskPlace"] == POINT
    assert owners == {"TaskPlace": ["Task"]}


def test_array_items_map_values_and_deeper_objects_get_names_too() -> None:
    inner = {"type": "object", "properties": {"corner": POINT}}
    schemas, owners = hoisted(
        {
            "Shape": {
                "type": "object",
                "properties": {
                    "points": {"type": "array", "items": POINT},
                    "labels": {"type": "object", "additionalProperties": POINT},
                    "box": inner,
                },
            }
        }
    )
    props = schemas["Shape"]["properties"]
    assert props["points"] == {"type": "array", "items": ref("ShapePointsItem")}
    assert props["labels"] == {"type": "object", "additionalProperties": ref("ShapeLabelsValue")}
    assert props["box"] == ref("ShapeBox")
    assert schemas["ShapeBox"]["properties"]["corner"] == ref("ShapeBoxCorner")
    assert owners["ShapeBoxCorner"] == ["ShapeBox"]


def test_how_the_property_uses_the_object_stays_beside_the_ref() -> None:
    place = {**POINT, "description": "Where", "default": {"x": 1}, "readOnly": True}
    schemas, _ = hoisted({"Task": {"type": "object", "properties": {"place": place}}})
    assert schemas["Task"]["properties"]["place"] == {
        **ref("TaskPlace"),
        "default": {"x": 1},
        "readOnly": True,
        "description": "Where",
    }
    assert schemas["TaskPlace"] == {**POINT, "description": "Where"}


def test_a_nullable_object_becomes_a_nullable_ref_in_both_openapi_versions() -> None:
    schemas, _ = hoisted(
        {
            "Task": {
                "type": "object",
                "properties": {
                    "old": {**POINT, "nullable": True},
                    "new": {**POINT, "type": ["object", "null"]},
                },
            }
        }
    )
    props = schemas["Task"]["properties"]
    assert props["old"] == {"anyOf": [ref("TaskOld"), {"type": "null"}]}
    assert props["new"] == {"anyOf": [ref("TaskNew"), {"type": "null"}]}
    assert schemas["TaskOld"] == POINT and schemas["TaskNew"] == POINT


def test_inline_options_of_a_union_are_numbered_only_when_there_are_several() -> None:
    other = {"type": "object", "properties": {"y": {"type": "string"}}}
    schemas, _ = hoisted(
        {
            "Task": {
                "type": "object",
                "properties": {
                    "one": {"oneOf": [POINT, {"type": "string"}]},
                    "two": {"anyOf": [POINT, other]},
                },
            }
        }
    )
    props = schemas["Task"]["properties"]
    assert props["one"] == {"oneOf": [ref("TaskOne"), {"type": "string"}]}
    assert props["two"] == {"anyOf": [ref("TaskTwoOption1"), ref("TaskTwoOption2")]}


def test_a_models_own_all_of_parts_stay_but_objects_inside_them_move() -> None:
    schemas, _ = hoisted(
        {"Task": {"allOf": [ref("Base"), {"type": "object", "properties": {"place": POINT}}]}, "Base": POINT}
    )
    assert schemas["Task"]["allOf"][1] == {"type": "object", "properties": {"place": ref("TaskPlace")}}


def test_a_taken_name_is_never_reused_and_the_contracts_nodes_are_not_changed() -> None:
    task: dict[str, Any] = {"type": "object", "properties": {"place": POINT}}
    schemas: dict[str, Any] = {"Task": task, "TaskPlace": POINT}
    taken = {"Service"}
    hoist_inline_objects(schemas, {}, taken)
    assert schemas["Task"]["properties"]["place"] == ref("TaskPlace2")
    assert task["properties"]["place"] is POINT  # the model was replaced, its old node left alone
    assert POINT == {"type": "object", "properties": {"x": {"type": "integer"}}}
    assert {"Task", "TaskPlace", "TaskPlace2", "Service"} <= taken


def test_a_resources_models_share_a_part_they_agree_on_and_only_that() -> None:
    wide = {"type": "object", "properties": {"x": {"type": "integer"}, "note": {"type": "string"}}}
    schemas, users = hoisted(
        {
            "TaskCreate": {"type": "object", "properties": {"place": POINT, "box": POINT}},
            "TaskPublic": {"type": "object", "properties": {"place": POINT, "box": wide}},
            "Other": {"type": "object", "properties": {"place": POINT}},
        },
        families={"TaskCreate": "Task", "TaskPublic": "Task"},
    )
    assert schemas["TaskCreate"]["properties"]["place"] == schemas["TaskPublic"]["properties"]["place"]
    assert users["TaskPlace"] == ["TaskCreate", "TaskPublic"]  # a response uses it: it obeys the response rules
    assert schemas["TaskCreate"]["properties"]["box"] == ref("TaskBox")
    assert schemas["TaskPublic"]["properties"]["box"] == ref("TaskBox2")  # another shape, another class
    assert users["OtherPlace"] == ["Other"]


def test_schemas_that_make_no_class_stay_inline() -> None:
    plain = {
        "type": "object",
        "properties": {
            "tags": {"type": "object", "additionalProperties": {"type": "string"}},
            "anything": {"type": "object"},
            "name": {"type": "string"},
            "owner": ref("User"),
        },
    }
    schemas, owners = hoisted({"Task": plain})
    assert schemas["Task"] == plain and owners == {}
