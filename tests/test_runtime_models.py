"""Serialization rules applied to generated models at import time."""

from __future__ import annotations

from enum import StrEnum

from specgen_runtime.models import ContractModel, omit_unset_optionals


class Colour(StrEnum):
    red = "red"


class Paint(ContractModel):
    colour: Colour | None = None
    note: str | None = None


class Can(ContractModel):
    paint: Paint


def test_unset_optionals_are_left_out_of_nested_responses() -> None:
    omit_unset_optionals({Paint: ("colour", "note")}, rebuild=(Paint, Can))
    assert Can(paint=Paint(note="matt")).model_dump_json() == '{"paint":{"note":"matt"}}'


class Label(ContractModel):
    colour: Colour | None = None


def test_a_named_schema_that_became_an_enum_is_skipped_when_rebuilding() -> None:
    # GitHub's contract lists such a schema among the models to rebuild; it embeds nothing
    Label(colour=Colour.red).model_dump_json()  # built, so it is rebuilt below
    omit_unset_optionals({Label: ("colour",)}, rebuild=(Colour, Label))  # type: ignore[arg-type]
    assert Label().model_dump_json() == "{}"


class Crate(ContractModel):
    # a class defined further down: the field stays unresolved until the models are all defined
    lid: Lid | None = None
    label: str | None = None


class Lid(ContractModel):
    hinge: str | None = None


def test_a_field_naming_a_later_class_is_left_out_too_and_nothing_is_built_at_import() -> None:
    assert not Crate.__pydantic_fields_complete__
    omit_unset_optionals({Crate: ("lid", "label"), Lid: ("hinge",)}, rebuild=(Lid, Crate))
    assert not Crate.__pydantic_complete__ and not Lid.__pydantic_complete__  # still deferred
    assert Crate(label="pine").model_dump_json() == '{"label":"pine"}'
    assert Crate(lid=Lid()).model_dump_json() == '{"lid":{}}'
