"""What a handler receives: the verified caller and owner-scoped data access."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Generic, TypeVar

from fastapi import Depends, Request

from .auth import User
from .db import Database

D = TypeVar("D")


@dataclass(frozen=True)
class RequestContext(Generic[D]):
    user: User
    data: D


def current_user(request: Request) -> User:
    """The user the auth middleware verified; there is no other source of identity."""
    user: User = request.state.user
    return user


def owner_ids(request: Request) -> dict[str, str]:
    ids: dict[str, str] = request.state.owner_ids
    return ids


def database(request: Request) -> Database:
    db: Database = request.app.state.database
    return db


# async on purpose: a sync dependency costs a trip through the thread pool, and this does no I/O
async def _current_user(request: Request) -> User:
    return current_user(request)


CurrentUser = Annotated[User, Depends(_current_user)]
