"""The composition root: generated app + custom overrides + settings.

`generated/` never imports `custom/`; this module, outside both, joins them.
uvicorn imports `create` as a factory (so `--workers` and `--reload` work).
"""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path
from typing import Any

from fastapi import FastAPI

from .config import load_settings
from .limits import HTTP_PROTOCOL, RequestLimits, configure_server
from .overrides import check_services

PROJECT_ENV = "SPECGEN_PROJECT"


def load_app(project: Path, environ: dict[str, str] | None = None) -> FastAPI:
    project = project.resolve()
    if str(project) not in sys.path:
        sys.path.insert(0, str(project))
    settings = load_settings(project, environ)
    configure_server(RequestLimits.from_settings(settings))  # in each worker, before it serves
    generated = importlib.import_module("generated.app")
    services = custom_services(project, generated.OPERATION_IDS)
    app: FastAPI = generated.create_app(settings=settings, services=services)
    return app


def custom_services(project: Path, operation_ids: dict[tuple[str, str], str]) -> Any:
    """custom/'s `services()`, checked against the contract; None without one (the generated defaults)."""
    if not (project / "custom" / "__init__.py").is_file():
        return None
    register = getattr(importlib.import_module("custom"), "services", None)
    if register is None:
        return None
    services = register()
    check_services(services, operation_ids)
    return services


def uvicorn_options(app: FastAPI) -> dict[str, Any]:
    """What `specgen serve` passes to uvicorn beside the app: the protocol that bounds request
    heads as they arrive (runtime/limits.py), h11's buffer bound should h11 be chosen, and logging
    that shows the runtime's info lines (the `specgen` logger) beside uvicorn's."""
    import copy

    from uvicorn.config import LOGGING_CONFIG

    limits: RequestLimits = app.state.request_limits
    log_config = copy.deepcopy(LOGGING_CONFIG)
    log_config["loggers"]["specgen"] = {"handlers": ["default"], "level": "INFO", "propagate": False}
    return {"http": HTTP_PROTOCOL, "h11_max_incomplete_event_size": limits.head_bytes, "log_config": log_config}


def create() -> FastAPI:
    return load_app(Path(os.environ.get(PROJECT_ENV, ".")))


def missing_tables(project: Path) -> list[str]:
    """Tables the compiled app needs that the database lacks (empty when it cannot be reached)."""
    from sqlalchemy import inspect
    from sqlalchemy.exc import SQLAlchemyError
    from sqlmodel import SQLModel

    from .config import database_url
    from .db import make_engine

    importlib.import_module("generated.tables")
    engine = make_engine(database_url(project))
    try:
        existing = set(inspect(engine).get_table_names())
    except SQLAlchemyError:
        return []  # unreachable now: the server starts and answers 503 until it is back
    finally:
        engine.dispose()
    return sorted(t for t in SQLModel.metadata.tables if t not in existing)


class ServeError(Exception):
    """Why the server cannot start, in one line for the person who started it."""


def serve(project: Path, host: str, port: int, workers: int = 1, reload: bool = False) -> None:
    """Serve the generated app with its custom overrides under uvicorn (`specgen serve`, and
    `python -m specgen_runtime serve` where the compiler is not installed)."""
    import uvicorn

    from .config import ConfigError
    from .overrides import OverrideMismatch

    project = project.resolve()
    os.environ[PROJECT_ENV] = str(project)
    try:
        app = load_app(project)  # fail here, with a clear message, rather than inside a worker
    except (ConfigError, OverrideMismatch) as exc:
        raise ServeError(str(exc)) from None
    except ModuleNotFoundError as exc:
        raise ServeError(f"cannot import {exc.name}: run `specgen generate` first") from None
    if not app.state.create_tables:
        missing = missing_tables(project)
        if missing:
            raise ServeError(f"the database lacks table(s) {', '.join(missing)}: run `specgen upgrade`")
    # One worker: serve the app already built (building it again in uvicorn's factory would
    # double the startup time). Several workers or --reload: each process builds its own.
    single = workers == 1 and not reload
    uvicorn.run(
        app if single else "specgen_runtime.server:create",
        factory=not single,
        host=host,
        port=port,
        workers=workers if not reload else None,
        reload=reload,
        reload_dirs=[str(project / "generated"), str(project / "custom")] if reload else None,
        app_dir=str(project),
        **uvicorn_options(app),
    )
