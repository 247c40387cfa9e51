"""Assembling a FastAPI app from generated routers and runtime parts."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.routing import APIRoute
from sqlalchemy import MetaData
from starlette.responses import HTMLResponse, JSONResponse, Response

from .auth import BearerAuthMiddleware, BodyLimitMiddleware, TokenVerifier
from .config import Settings
from .db import Database, make_engine
from .limits import RequestLimits, RequestLimitsMiddleware
from .pages import swagger_page
from .problems import allow_table, install_problem_handlers


def build_app(
    *,
    title: str,
    settings: Settings,
    mount_path: str,
    contract_file: Path,
    routers: Sequence[APIRouter],
    metadata: MetaData,
    owner_claims: tuple[str, ...],
    owner_fields: tuple[str, ...],
    read_only_fields: tuple[str, ...],
) -> FastAPI:
    verifier = TokenVerifier(settings)  # fails fast on a bad key, before serving
    contract = contract_file.read_bytes()  # generated/openapi.json: the bundled contract (see served.py)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = make_engine(
            settings.database_url,
            sqlite_busy_timeout_ms=settings.sqlite_busy_timeout_ms,
            pool_size=settings.db_pool_size,
            max_overflow=settings.db_max_overflow,
            pool_timeout=settings.db_pool_timeout,
        )
        if settings.create_tables:
            metadata.create_all(engine)
        app.state.engine = engine
        app.state.database = Database(engine, sqlite_busy_timeout_ms=settings.sqlite_busy_timeout_ms)
        # Everything built so far lives as long as the process: keep it out of the collector's
        # full passes, whose pauses would otherwise show in the latency tail.
        gc.freeze()
        try:
            yield
        finally:
            engine.dispose()

    # redirect_slashes=False: Starlette's 307 to the other spelling of a path builds its Location
    # from the Host header, which the client chooses. `/backend/tasks/` is a 404 problem instead.
    app = FastAPI(
        title=title, lifespan=lifespan, openapi_url=None, docs_url=None, redoc_url=None, redirect_slashes=False
    )
    app.state.create_tables = settings.create_tables
    limits = app.state.request_limits = RequestLimits.from_settings(settings)
    for router in routers:
        app.include_router(router, prefix=mount_path)
    declared = [
        (mount_path + r.path, set(r.methods or ()))
        for router in routers
        for r in router.routes
        if isinstance(r, APIRoute)
    ]
    declared += [(path, {"GET"}) for path in ("/health", "/openapi.json", "/docs")]
    install_problem_handlers(app, owner_fields, read_only_fields, allow_table(declared))

    @app.get("/health", include_in_schema=False)
    def health() -> JSONResponse:
        return JSONResponse({"status": "ok"})

    @app.get("/openapi.json", include_in_schema=False)
    def openapi() -> Response:
        return Response(contract, media_type="application/json")

    docs_page = swagger_page(title)

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return HTMLResponse(docs_page.html, headers=docs_page.headers)

    # Added innermost first. Authentication wraps everything under the mount path (before the
    # body limit, the router and any session); CORS sits outside it so preflights can be answered.
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(BearerAuthMiddleware, verifier=verifier, mount_path=mount_path, owner_claims=owner_claims)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),  # an explicit list: never "*", never reflected
            allow_credentials=False,
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=["Authorization", "Content-Type"],
        )
    # Outermost: a request line or headers past the limits are refused before anything reads them.
    app.add_middleware(RequestLimitsMiddleware, limits=limits)
    return app
