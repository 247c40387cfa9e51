"""Object- and property-level authorization attacks (OWASP API1 and API3) between two and three
users: another user's rows are invisible, the owner comes only from the token, and references
must point at the caller's own rows."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from tests.support import Server, new_user


@dataclass
class World:
    alice: httpx.Client
    bob: httpx.Client
    alice_id: str
    bob_id: str
    project: dict[str, object]
    task: dict[str, object]


@pytest.fixture
def world(example_server: Server) -> Iterator[World]:
    alice_id, bob_id = new_user(), new_user()
    with example_server.client(alice_id) as alice, example_server.client(bob_id) as bob:
        project = alice.post("/backend/projects", json={"name": "Alice's"}).json()
        task = alice.post("/backend/tasks", json={"title": "Alice's task", "project_id": project["id"]}).json()
        alice.put("/backend/profile", json={"display_name": "Alice"})
        yield World(alice, bob, alice_id, bob_id, project, task)


ITEM_ATTACKS = {
    "read_task": ("GET", "/backend/tasks/{task}", None),
    "patch_task_title": ("PATCH", "/backend/tasks/{task}", {"title": "pwned"}),
    "patch_task_completed": ("PATCH", "/backend/tasks/{task}", {"completed": True}),
    "delete_task": ("DELETE", "/backend/tasks/{task}", None),
    "complete_task_through_custom_code": ("POST", "/backend/tasks/{task}/complete", None),
    "read_project": ("GET", "/backend/projects/{project}", None),
    "rename_project": ("PATCH", "/backend/projects/{project}", {"name": "pwned"}),
    "delete_project": ("DELETE", "/backend/projects/{project}", None),
}


@pytest.mark.parametrize("name", sorted(ITEM_ATTACKS))
def test_other_users_row_answers_exactly_like_a_missing_one(world: World, name: str) -> None:
    method, template, body = ITEM_ATTACKS[name]
    path = template.format(task=world.task["id"], project=world.project["id"])
    missing_path = template.format(task=8_999_999_999, project=8_999_999_999)
    theirs = world.bob.request(method, path, json=body)
    missing = world.bob.request(method, missing_path, json=body)
    assert theirs.status_code == 404
    assert (theirs.content, theirs.headers["content-type"]) == (missing.content, missing.headers["content-type"])
    assert world.alice.get(f"/backend/tasks/{world.task['id']}").json() == world.task
    assert world.alice.get(f"/backend/projects/{world.project['id']}").json() == world.project


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"project_id": "{project}"},
        {"completed": "false"},
        {"priority": "medium"},
        {"owner_id": "{alice}"},
        {"user_id": "{alice}"},
        {"limit": "100", "offset": "0"},
    ],
    ids=["plain", "alices-project-filter", "completed", "priority", "owner-id-param", "user-id-param", "max-page"],
)
def test_list_never_shows_or_counts_another_users_rows(world: World, params: dict[str, str]) -> None:
    query = {k: v.format(project=world.project["id"], alice=world.alice_id) for k, v in params.items()}
    page = world.bob.get("/backend/tasks", params=query)
    assert page.status_code == 200
    assert page.json()["items"] == [] and page.json()["total"] == 0
    projects = world.bob.get("/backend/projects", params=query).json()
    assert projects["total"] == 0


def test_owner_field_in_a_create_body_is_422_and_says_it_comes_from_the_token(world: World) -> None:
    for path, body in [
        ("/backend/tasks", {"title": "x", "owner_id": world.alice_id}),
        ("/backend/projects", {"name": "x", "owner_id": world.alice_id}),
    ]:
        response = world.bob.post(path, json=body)
        assert response.status_code == 422
        error = response.json()["errors"][0]
        assert error["pointer"] == "/body/owner_id" and "token" in error["detail"]
    assert world.alice.get("/backend/tasks").json()["total"] == 1


def test_owner_field_in_an_update_or_replace_body_is_422(world: World) -> None:
    own = world.bob.post("/backend/tasks", json={"title": "bob's"}).json()
    assert world.bob.patch(f"/backend/tasks/{own['id']}", json={"owner_id": world.alice_id}).status_code == 422
    assert world.bob.put("/backend/profile", json={"display_name": "B", "owner_id": world.alice_id}).status_code == 422
    assert world.bob.get(f"/backend/tasks/{own['id']}").json()["owner_id"] == world.bob_id


def test_writing_the_id_or_timestamps_is_422(world: World) -> None:
    own = world.bob.post("/backend/tasks", json={"title": "bob's"}).json()
    for body in (
        {"id": world.task["id"]},
        {"created_at": "2000-01-01T00:00:00Z"},
        {"updated_at": "2000-01-01T00:00:00Z"},
    ):
        assert world.bob.patch(f"/backend/tasks/{own['id']}", json=body).status_code == 422, body
    assert world.bob.post("/backend/tasks", json={"title": "x", "id": world.task["id"]}).status_code == 422


def test_create_cannot_reference_another_users_project_and_writes_nothing(world: World) -> None:
    response = world.bob.post("/backend/tasks", json={"title": "attach", "project_id": world.project["id"]})
    assert response.status_code == 409
    assert response.json()["errors"] == [{"pointer": "/body/project_id", "detail": "No Project with this id"}]
    assert world.bob.get("/backend/tasks").json()["total"] == 0


def test_update_cannot_move_a_task_into_another_users_project(world: World) -> None:
    own = world.bob.post("/backend/tasks", json={"title": "bob's"}).json()
    response = world.bob.patch(
        f"/backend/tasks/{own['id']}", json={"project_id": world.project["id"], "title": "changed"}
    )
    assert response.status_code == 409
    assert world.bob.get(f"/backend/tasks/{own['id']}").json() == own, "nothing of a refused update is written"


def test_profile_is_per_user_and_put_never_overwrites_someone_elses(world: World) -> None:
    assert world.bob.get("/backend/profile").status_code == 404
    assert world.bob.put("/backend/profile", json={"display_name": "Bob"}).json()["owner_id"] == world.bob_id
    assert world.alice.get("/backend/profile").json()["display_name"] == "Alice"


def test_identity_headers_from_the_client_are_ignored(world: World) -> None:
    for header in ("X-User-Id", "X-Forwarded-User", "X-Remote-User"):
        page = world.bob.get("/backend/tasks", headers={header: world.alice_id})
        assert page.json()["total"] == 0, header


def test_deleting_a_project_does_not_touch_other_users_rows(world: World, example_server: Server) -> None:
    carol_id = new_user()
    with example_server.client(carol_id) as carol:
        carols = carol.post("/backend/projects", json={"name": "Alice's"}).json()
        assert carols["id"] != world.project["id"]
        assert carol.delete(f"/backend/projects/{carols['id']}").status_code == 204
        assert carol.delete(f"/backend/projects/{world.project['id']}").status_code == 404
    assert world.alice.get(f"/backend/projects/{world.project['id']}").status_code == 200
    assert world.alice.get(f"/backend/tasks/{world.task['id']}").json()["project_id"] == world.project["id"]
