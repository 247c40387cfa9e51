"""The baseline: the example's Task endpoints as the FastAPI docs and the full-stack template teach.

A sync Session dependency per request, `select(...).where(owner == user)`, `response_model`,
PyJWT decoding in a dependency, the Base/Create/Public model family. Nothing here is slowed down
on purpose; it is what a careful developer writes by hand.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Iterator
from typing import Annotated, Literal

import jwt
from fastapi import Depends, FastAPI, HTTPException, Query, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlmodel import Field, Session, SQLModel, create_engine, func, select

DATABASE_URL = os.environ["DATABASE_URL"].replace("postgresql://", "postgresql+psycopg://", 1)
SECRET = os.environ["JWT_SECRET"]

connect_args = {"check_same_thread": False} if DATABASE_URL.startswith("sqlite") else {}
engine = create_engine(DATABASE_URL, connect_args=connect_args)


class TaskBase(SQLModel):
    title: str = Field(min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=2000)
    completed: bool = False
    priority: Literal["low", "medium", "high"] = "medium"
    due_date: datetime.date | None = None
    project_id: int | None = None


class Task(TaskBase, table=True):
    __tablename__ = "tasks"
    id: int | None = Field(default=None, primary_key=True)
    priority: str = "medium"
    owner_id: str = Field(index=True)
    created_at: datetime.datetime
    updated_at: datetime.datetime


class TaskCreate(TaskBase):
    pass


class TaskPublic(TaskBase):
    id: int
    owner_id: str
    created_at: datetime.datetime
    updated_at: datetime.datetime


class TasksPublic(SQLModel):
    items: list[TaskPublic]
    total: int
    limit: int
    offset: int


def get_db() -> Iterator[Session]:
    with Session(engine) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_db)]
bearer = HTTPBearer()


def get_current_user(credentials: Annotated[HTTPAuthorizationCredentials, Depends(bearer)]) -> str:
    try:
        payload = jwt.decode(credentials.credentials, SECRET, algorithms=["HS256"], options={"require": ["exp", "sub"]})
    except jwt.PyJWTError:
        raise HTTPException(status_code=status.HTTP_401_UNAUTHORIZED, detail="Could not validate credentials") from None
    return str(payload["sub"])


CurrentUser = Annotated[str, Depends(get_current_user)]

app = FastAPI()


@app.on_event("startup")
def create_tables() -> None:
    SQLModel.metadata.create_all(engine)


@app.get("/backend/tasks", response_model=TasksPublic)
def read_tasks(
    session: SessionDep,
    user: CurrentUser,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> TasksPublic:
    count = session.exec(select(func.count()).select_from(Task).where(Task.owner_id == user)).one()
    tasks = session.exec(select(Task).where(Task.owner_id == user).order_by(Task.id).offset(offset).limit(limit)).all()
    return TasksPublic(items=[TaskPublic.model_validate(t) for t in tasks], total=count, limit=limit, offset=offset)


@app.get("/backend/tasks/{task_id}", response_model=TaskPublic)
def read_task(session: SessionDep, user: CurrentUser, task_id: int) -> Task:
    task = session.exec(select(Task).where(Task.id == task_id, Task.owner_id == user)).first()
    if task is None:
        raise HTTPException(status_code=404, detail="Task not found")
    return task


@app.post("/backend/tasks", response_model=TaskPublic, status_code=201)
def create_task(session: SessionDep, user: CurrentUser, task_in: TaskCreate) -> Task:
    now = datetime.datetime.now(datetime.UTC)
    task = Task.model_validate(task_in, update={"owner_id": user, "created_at": now, "updated_at": now})
    session.add(task)
    session.commit()
    session.refresh(task)
    return task


@app.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}
