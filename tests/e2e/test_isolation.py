"""The two-user rule: whatever one user creates, another can neither read, list,
change, delete nor attach to, and cannot tell it exists."""

from __future__ import annotations

import httpx
import pytest

from tests.e2e.test_operations import create_project, create_task
from tests.support import Server, new_user


@pytest.fixture
def alice_and_bob(example_server: Server) -> tuple[httpx.Client, httpx.Client]:
    return example_server.client(new_user()), example_server.client(new_user())


def _same_as_missing(response: httpx.Response, missing: httpx.Response) -> None:
    assert response.status_code == 404
    assert response.content == missing.content, "another user's row must look exactly like a missing one"
    assert response.headers["content-type"] == missing.headers["content-type"]


def test_another_users_task_is_404_like_a_missing_one_on_every_item_operation(
    alice_and_bob: tuple[httpx.Client, httpx.Client],
) -> None:
    alice, bob = alice_and_bob
    task = create_task(alice, "secret")
    missing_id = 9_000_000_000
    for method, suffix, body in [
        ("GET", "", None),
        ("PATCH", "", {"title": "stolen"}),
        ("DELETE", "", None),
        ("POST", "/complete", None),
    ]:
        theirs = bob.request(method, f"/backend/tasks/{task['id']}{suffix}", json=body)
        missing = bob.request(method, f"/backend/tasks/{missing_id}{suffix}", json=body)
        _same_as_missing(theirs, missing)
    assert alice.get(f"/backend/tasks/{task['id']}").json() == task, "nothing bob did may change alice's task"


def test_another_users_project_is_404_on_get_update_delete(alice_and_bob: tuple[httpx.Client, httpx.Client]) -> None:
    alice, bob = alice_and_bob
    project = create_project(alice, "Private")
    for method, body in [("GET", None), ("PATCH", {"name": "Mine now"}), ("DELETE", None)]:
        theirs = bob.request(method, f"/backend/projects/{project['id']}", json=body)
        missing = bob.request(method, "/backend/projects/9000000000", json=body)
        _same_as_missing(theirs, missing)
    assert alice.get(f"/backend/projects/{project['id']}").json() == project


def test_lists_and_totals_show_only_the_callers_rows_whatever_the_filters(
    alice_and_bob: tuple[httpx.Client, httpx.Client],
) -> None:
    alice, bob = alice_and_bob
    project = create_project(alice)
    create_task(alice, "a1", project_id=project["id"], priority="high")
    create_task(alice, "a2")
    mine = create_task(bob, "b1")
    for params in [{}, {"priority": "high"}, {"project_id": project["id"]}, {"completed": "false"}, {"limit": 100}]:
        page = bob.get("/backend/tasks", params=params).json()
        assert all(t["owner_id"] == mine["owner_id"] for t in page["items"]), params
        assert page["total"] == len(page["items"]), params
    assert bob.get("/backend/projects").json()["total"] == 0


def test_the_total_of_a_page_past_the_end_is_the_callers_own_count(
    alice_and_bob: tuple[httpx.Client, httpx.Client],
) -> None:
    """A page past the end runs a count of its own; it must carry the owner filter too."""
    alice, bob = alice_and_bob
    for title in ("a1", "a2", "a3"):
        create_task(alice, title, priority="high")
    create_task(bob, "b1", priority="high")
    for params in [{"offset": 10}, {"offset": 10, "priority": "high"}, {"offset": 1, "limit": 5}]:
        page = bob.get("/backend/tasks", params=params)
        assert page.status_code == 200, page.text
        assert page.json()["items"] == [], params
        assert page.json()["total"] == 1, f"{params}: bob has one task, whatever alice has"
    assert alice.get("/backend/tasks", params={"offset": 10}).json()["total"] == 3


def test_a_task_cannot_be_attached_to_another_users_project(alice_and_bob: tuple[httpx.Client, httpx.Client]) -> None:
    alice, bob = alice_and_bob
    project = create_project(alice)
    before = bob.get("/backend/tasks").json()["total"]
    attach = bob.post("/backend/tasks", json={"title": "sneaky", "project_id": project["id"]})
    assert attach.status_code == 409
    assert attach.json()["errors"][0]["pointer"] == "/body/project_id"
    assert bob.get("/backend/tasks").json()["total"] == before, "a refused create writes nothing"

    own = create_task(bob, "own")
    moved = bob.patch(f"/backend/tasks/{own['id']}", json={"project_id": project["id"]})
    assert moved.status_code == 409
    assert bob.get(f"/backend/tasks/{own['id']}").json()["project_id"] is None, "a refused update writes nothing"


def test_owner_cannot_be_set_or_changed_by_the_client(alice_and_bob: tuple[httpx.Client, httpx.Client]) -> None:
    alice, bob = alice_and_bob
    bob_id = bob.get("/backend/profile")  # bob has nothing yet; only his token names him
    assert bob_id.status_code == 404
    forged = alice.post("/backend/tasks", json={"title": "x", "owner_id": "somebody-else"})
    assert forged.status_code == 422
    assert "token" in forged.json()["errors"][0]["detail"]
    task = create_task(alice, "mine")
    hijack = alice.patch(f"/backend/tasks/{task['id']}", json={"owner_id": "somebody-else"})
    assert hijack.status_code == 422
    assert alice.get(f"/backend/tasks/{task['id']}").json()["owner_id"] == task["owner_id"]
    profile = alice.put("/backend/profile", json={"display_name": "A", "owner_id": "x"})
    assert profile.status_code == 422


def test_three_users_each_see_only_their_own_profile_projects_and_tasks(example_server: Server) -> None:
    users = [new_user() for _ in range(3)]
    clients = [example_server.client(u) for u in users]
    for i, c in enumerate(clients):
        assert c.put("/backend/profile", json={"display_name": f"user {i}"}).status_code == 200
        create_project(c, "Same name for everyone")
        for j in range(i + 1):
            create_task(c, f"task {j}")
    for i, (user, c) in enumerate(zip(users, clients, strict=True)):
        assert c.get("/backend/profile").json()["display_name"] == f"user {i}"
        tasks = c.get("/backend/tasks").json()
        assert tasks["total"] == i + 1
        assert {t["owner_id"] for t in tasks["items"]} == {user}
        projects = c.get("/backend/projects").json()
        assert [p["owner_id"] for p in projects["items"]] == [user]
