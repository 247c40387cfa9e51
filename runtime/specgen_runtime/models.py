"""Serialization rules the contract implies and pydantic cannot express in a type."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict


class ContractModel(BaseModel):
    """The base of every generated request and response model.

    `defer_build`: a model's validator and serializer are built when first used, not at import.
    A contract with a thousand schemas then starts in a fraction of the time, and a request pays
    once, the first time it meets a model.
    """

    model_config = ConfigDict(defer_build=True)


def _is_none(value: Any) -> bool:
    return value is None


def omit_unset_optionals(omit: Mapping[type[BaseModel], Iterable[str]], rebuild: Iterable[type[BaseModel]]) -> None:
    """Leave out of responses the optional properties the contract does not allow to be null.

    The models type such a property `X | None = None` so that "not given" is representable; the
    contract's JSON must then omit it rather than send `null`. `rebuild` lists every model whose
    serializer embeds one of these, contained models first.
    """
    for model, properties in omit.items():
        wanted = set(properties)
        for name, field in model.model_fields.items():
            if (field.alias or name) in wanted:
                field.exclude_if = _is_none
    for model in rebuild:
        # A schema the contract names may come out as an enum, which embeds nothing; a deferred
        # model reads the changed fields when it is first built.
        if issubclass(model, BaseModel) and model.__pydantic_complete__:
            model.model_rebuild(force=True)
