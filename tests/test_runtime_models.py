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
