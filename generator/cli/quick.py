"""The console entry point. `specgen generate` with nothing changed is answered here, before
click or any compiler module is imported; everything else goes to cli.py."""

from __future__ import annotations

import sys
import time

SKIPPED = "generated/ is up to date: no input changed since the last run ({:.2f}s)."


def _plain_generate_project(args: list[str]) -> str | None:
    """The project of `generate [--project DIR]`; None for any other command line."""
    if not args or args[0] != "generate":
        return None
    rest = args[1:]
    if not rest:
        return "."
    if len(rest) == 2 and rest[0] == "--project":
        return rest[1]
    if len(rest) == 1 and rest[0].startswith("--project="):
        return rest[0].removeprefix("--project=")
    return None


def entry() -> None:
    started = time.perf_counter()
    project = _plain_generate_project(sys.argv[1:])
    if project is not None:
        import os

        from generator.emit.manifest import up_to_date

        try:
            skip = up_to_date(project, os.path.join(project, "generated"))
        except Exception:  # noqa: BLE001 - the full command will say what is wrong
            skip = False
        if skip:
            print(SKIPPED.format(time.perf_counter() - started))
            return
    from generator.cli.commands import entry as full

    full()
