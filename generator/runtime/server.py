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
from .overrides import check_services

PROJECT_ENV = "SPECGEN_PROJECT"


def load_app(project: Path, environ: dict[str, str] | None = None) -> FastAPI:
    project = project.resolve()
    if str(project) not in sys.path:
        sys.path.insert(0, str(project))
    settings = load_settings(project, environ)
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
