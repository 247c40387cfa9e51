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


def _complete_fields(model: type[BaseModel]) -> None:
    """Resolve the annotations of a deferred model's fields now (models.py calls this after its last
    class), without building its validator. pydantic recreates a field whose annotation named a class
    not defined yet when it builds the model, and the recreated field would not have the
    `exclude_if` set below."""
    if model.__pydantic_fields_complete__:
        return
    try:
        from pydantic._internal._config import ConfigWrapper
        from pydantic._internal._fields import rebuild_model_fields
        from pydantic._internal._generics import get_model_typevars_map
        from pydantic._internal._namespace_utils import NsResolver

        model.__pydantic_fields__, model.__pydantic_extra_info__ = rebuild_model_fields(
            model,
            config_wrapper=ConfigWrapper(model.model_config, check=False),
            ns_resolver=NsResolver(),
            typevars_map=get_model_typevars_map(model),
        )
    except Exception:  # noqa: BLE001 - pydantic's internals moved: the public way, which builds the validator too
        model.model_rebuild()


def omit_unset_optionals(omit: Mapping[type[BaseModel], Iterable[str]], rebuild: Iterable[type[BaseModel]]) -> None:
    """Leave out of responses the optional properties the contract does not allow to be null.

    The models type such a property `X | None = None` so that "not given" is representable; the
    contract's JSON must then omit it rather than send `null`. `rebuild` lists every model whose
    serializer embeds one of these, contained models first.
    """
    for model, properties in omit.items():
        _complete_fields(model)
        wanted = set(properties)
        for name, field in model.model_fields.items():
            if (field.alias or name) in wanted:
                field.exclude_if = _is_none
    for model in rebuild:
        # A schema the contract names may come out as an enum, which embeds nothing; a deferred
        # model reads the changed fields when it is first built.
        if issubclass(model, BaseModel) and model.__pydantic_complete__:
            model.model_rebuild(force=True)
