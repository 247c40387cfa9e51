"""custom/ for the kitchen sinks: overrides of the 501 operations that take or return what JSON-only
generators cannot (files, forms, raw bytes, enums, unions, recursion, read/write views).

Copied to <project>/custom by test_kitchen_sink.py, type-checked there with the generated code.
"""

from __future__ import annotations

import datetime
import json
import uuid
from typing import Literal

from fastapi import UploadFile

from generated.deps import Context
from generated.models import (
    AccountRead,
    AccountWrite,
    Animal,
    Cat,
    Circle,
    Defaults,
    Pet,
    SearchAnimalsCreated,
    SetColorBody,
    SetColorResponse,
    SubmitFormAddress,
    TreeNode,
    UploadAvatarResponse,
)
from generated.services import Services
from generated.services.class_ import DefaultClassService
from generated.services.pets import DefaultPetsService
from generated.services.settings import DefaultSettingsService
from generated.services.unicode_things import DefaultUnicodeThingsService


class Things(DefaultUnicodeThingsService):
    def upload_avatar(self, ctx: Context, *, id_: int, file: UploadFile, caption: str | None) -> UploadAvatarResponse:
        return UploadAvatarResponse(size=len(file.file.read()))

    def get_tree(
        self, ctx: Context, *, id_: str, x_trace_id: uuid.UUID | None, session_hint: str | None, x_depth: int
    ) -> TreeNode:
        root = TreeNode(value=id_, children=[])
        return TreeNode(value=f"{session_hint}:{x_depth}", children=[root], parent=root)


class Blobs(DefaultClassService):
    def put_blob(self, ctx: Context, *, id_: str, body: bytes | None) -> None:
        _BLOBS[id_] = body or b""

    def get_report_text(self, ctx: Context, *, id_: str) -> bytes:
        return b"blob " + _BLOBS.get(id_, b"?")

    def submit_form(
        self,
        ctx: Context,
        *,
        name: str,
        age: int | None,
        tags: list[str] | None,
        address: SubmitFormAddress | None,
    ) -> None:
        _BLOBS["form"] = json.dumps([name, age, tags, address and address.model_dump()]).encode()


_BLOBS: dict[str, bytes] = {}


class Settings(DefaultSettingsService):
    def get_defaults(self, ctx: Context) -> Defaults:
        return Defaults()

    def create_account(self, ctx: Context, *, body: AccountWrite) -> AccountRead:
        created = datetime.datetime(2027, 1, 2, tzinfo=datetime.UTC)
        return AccountRead(id=uuid.UUID(int=len(body.password)), login=body.login, created=created)

    def set_color(self, ctx: Context, *, x_tenant: str, body: SetColorBody) -> SetColorResponse:
        return SetColorResponse({"tenant": x_tenant, "color": body.root})


class Pets(DefaultPetsService):
    def get_pet(self, ctx: Context, *, id_: int, session: str | None) -> Pet:
        return Pet(Cat(name=f"cat {id_}", petType="cat"))

    def search_animals(
        self,
        ctx: Context,
        *,
        class_: str | None,
        from_: datetime.date | None,
        import_: bool | None,
        sort_by: Literal["name", "age"] | None,
        sort_by2: str | None,
        page_size: int,
        _1st: str | None,
        naive: str | None,
        level: Literal[1, 2, 3] | None,
        tags: list[str] | None,
        ids: list[int] | None,
        colors: list[Literal["red", "green", "blue"]] | None,
        created: SearchAnimalsCreated | None,
        expand: list[str] | None,
        where: Circle | None,
        x_flags: list[str] | None,
        maybe: int | None,
    ) -> list[Animal]:
        """Every parameter as the route parsed it, as the name of one cat."""
        seen = {
            "class": class_,
            "from": from_ and from_.isoformat(),
            "import": import_,
            "sort-by": sort_by,
            "sort_by": sort_by2,
            "page.size": page_size,
            "1st": _1st,
            "naïve": naive,
            "level": level,
            "tags": tags,
            "ids": ids,
            "colors": colors,
            "created": created and created.model_dump(),
            "expand": expand,
            "where": where and where.model_dump(),
            "X-Flags": x_flags,
            "maybe": maybe,
        }
        return [Animal(Cat(name=json.dumps(seen), petType="cat"))]


def services() -> Services:
    return Services(unicode_things=Things(), class_=Blobs(), settings=Settings(), pets=Pets())
