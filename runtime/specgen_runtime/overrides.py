"""Startup check that custom/ overrides still match the contract's signatures.

mypy catches the same drift statically; this catches it for people who do not
run mypy, with a message that names the operation.
"""

from __future__ import annotations

import dataclasses
import inspect
import typing
from typing import Any


class OverrideMismatch(Exception):
    pass


class _Unresolvable:
    def __repr__(self) -> str:
        return "an annotation that cannot be resolved"


def _hints(func: Any) -> dict[str, Any]:
    try:
        return typing.get_type_hints(func)
    except Exception:  # noqa: BLE001 - an unresolvable annotation is itself a mismatch to report
        return dict.fromkeys(inspect.signature(func).parameters, _Unresolvable())


def _shape(func: Any) -> tuple[list[tuple[str, Any]], dict[str, Any]]:
    sig = inspect.signature(func)
    params = [(p.name, p.kind) for p in sig.parameters.values() if p.name != "self"]
    return params, _hints(func)


def check_services(services: Any, operation_ids: dict[tuple[str, str], str]) -> None:
    """Compare every service method with its Protocol; raise naming each operation that drifted."""
    problems = []
    hints = typing.get_type_hints(type(services))
    for field in dataclasses.fields(services):
        protocol = hints[field.name]
        impl = getattr(services, field.name)
        for name, member in vars(protocol).items():
            if name.startswith("_") or not callable(member):
                continue
            op = operation_ids.get((field.name, name), name)
            method = getattr(impl, name, None)
            if method is None:
                problems.append(f"operation {op}: {type(impl).__name__} has no method {name}")
                continue
            implementation = getattr(type(impl), name, method)
            if inspect.iscoroutinefunction(implementation):
                problems.append(
                    f"operation {op}: {type(impl).__name__}.{name} is async; the contract's handlers are plain functions"
                )
                continue
            want_params, want_hints = _shape(member)
            got_params, got_hints = _shape(implementation)
            if want_params != got_params:
                problems.append(
                    f"operation {op}: {type(impl).__name__}.{name} takes ({', '.join(n for n, _ in got_params)}); "
                    f"the contract says ({', '.join(n for n, _ in want_params)})"
                )
                continue
            for key, want in want_hints.items():
                got = got_hints.get(key, "no annotation")
                if got != want:
                    what = "returns" if key == "return" else f"parameter {key} is"
                    problems.append(
                        f"operation {op}: {type(impl).__name__}.{name} {what} {_name(got)}; the contract says {_name(want)}"
                    )
    if problems:
        raise OverrideMismatch("custom/ no longer matches the contract:\n  " + "\n  ".join(problems))


def _name(tp: Any) -> str:
    if isinstance(tp, str):
        return tp
    return getattr(tp, "__name__", None) or repr(tp).replace("typing.", "")
