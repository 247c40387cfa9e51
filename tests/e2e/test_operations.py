"""Every operation of the example contract over real HTTP, on SQLite."""

from __future__ import annotations

import json

import httpx
import yaml

from tests.support import REPO, Server, new_user

PROBLEM = "application/problem+json"


def create_project(client: httpx.Client, name: str = "Garden", **extra: object) -> dict[str, object]:
    response = client.post("/backend/projects", json={"name": name, **extra})
    assert response.status_code == 201, response.text
    return dict(response.json())


def create_task(client: httpx.Client, title: str = "Water the roses", **extra: object) -> dict[str, object]:
    response = client.post("/backend/tasks", json={"title": title, **extra})
    assert response.status_code == 201, response.text
    return dict(response.json())


def test_project_lifecycle_create_get_list_update_delete(example_server: Server) -> None:
    user = new_user()
    with example_server.client(user) as c:
        project = create_project(c, "Garden", description="Flowers")
        assert project["owner_id"] == user
        assert project["name"] == "Garden" and project["description"] == "Flowers"
        assert isinstance(project["id"], int) and str(project["created_at"]).endswith("Z")

        assert c.get(f"/backend/projects/{project['id']}").json() == project
        page = c.get("/backend/projects").json()
        assert page == {"items": [project], "total": 1, "limit": 50, "offset": 0}

        updated = c.patch(f"/backend/projects/{project['id']}", json={"description": None})
        assert updated.status_code == 200
        assert updated.json() == {**project, "description": None}

        deleted = c.delete(f"/backend/projects/{project['id']}")
        assert deleted.status_code == 204 and deleted.content == b""
        assert c.get(f"/backend/projects/{project['id']}").status_code == 404


def test_task_create_applies_contract_defaults(example_server: Server) -> None:
    with example_server.client(new_user()) as c:
        task = create_task(c)
        assert task["completed"] is False
        assert task["priority"] == "medium"
        assert task["description"] is None and task["due_date"] is None and task["project_id"] is None
        assert task["created_at"] == task["updated_at"]


def test_task_lifecycle_with_project_and_due_date(example_server: Server) -> None:
    with example_server.client(new_user()) as c:
        project = create_project(c)
        task = create_task(c, "Plant", priority="high", due_date="2027-03-01", project_id=project["id"])
        assert task["project_id"] == project["id"] and task["due_date"] == "2027-03-01"
        assert c.get(f"/backend/tasks/{task['id']}").json() == task

        changed = c.patch(f"/backend/tasks/{task['id']}", json={"title": "Plant bulbs", "priority": "low"}).json()
        assert changed["title"] == "Plant bulbs" and changed["priority"] == "low"
        assert changed["due_date"] == "2027-03-01", "PATCH must leave fields it was not sent alone"
        assert changed["updated_at"] >= task["updated_at"]

        response = c.delete(f"/backend/tasks/{task['id']}")
        assert response.status_code == 204
        assert c.get(f"/backend/tasks/{task['id']}").status_code == 404
        assert c.delete(f"/backend/tasks/{task['id']}").status_code == 404


def test_complete_task_is_served_by_the_custom_override(example_server: Server) -> None:
    with example_server.client(new_user()) as c:
        task = create_task(c)
        response = c.post(f"/backend/tasks/{task['id']}/complete")
        assert response.status_code == 200, response.text
        assert response.json()["completed"] is True
        assert c.get(f"/backend/tasks/{task['id']}").json()["completed"] is True
        assert c.post("/backend/tasks/999999999/complete").status_code == 404


def test_task_list_filters_by_completed_priority_and_project(example_server: Server) -> None:
    with example_server.client(new_user()) as c:
        project = create_project(c)
        a = create_task(c, "a", priority="high", project_id=project["id"])
        b = create_task(c, "b", priority="low")
        c.post(f"/backend/tasks/{b['id']}/complete")

        def ids(**params: object) -> list[object]:
            response = c.get("/backend/tasks", params=params)
            assert response.status_code == 200, response.text
            return [t["id"] for t in response.json()["items"]]

        assert ids() == [a["id"], b["id"]]
        assert ids(completed="true") == [b["id"]]
        assert ids(completed="false") == [a["id"]]
        assert ids(priority="high") == [a["id"]]
        assert ids(project_id=project["id"]) == [a["id"]]
        assert ids(priority="medium") == []


def test_task_list_pages_in_a_stable_order_with_total(example_server: Server) -> None:
    with example_server.client(new_user()) as c:
        created = [create_task(c, f"t{i}")["id"] for i in range(7)]
        first = c.get("/backend/tasks", params={"limit": 3}).json()
        second = c.get("/backend/tasks", params={"limit": 3, "offset": 3}).json()
        last = c.get("/backend/tasks", params={"limit": 3, "offset": 6}).json()
        assert [t["id"] for t in first["items"] + second["items"] + last["items"]] == created
        assert (first["total"], first["limit"], first["offset"]) == (7, 3, 0)
        assert second["offset"] == 3 and len(last["items"]) == 1
        assert c.get("/backend/tasks", params={"offset": 50}).json()["items"] == []


def test_list_limit_outside_1_to_100_is_422(example_server: Server) -> None:
    with example_server.client(new_user()) as c:
        for limit in (0, 101, -1):
            response = c.get("/backend/tasks", params={"limit": limit})
            assert response.status_code == 422, limit
            assert response.headers["content-type"] == PROBLEM
        assert c.get("/backend/tasks", params={"offset": -1}).status_code == 422


def test_profile_is_404_until_put_then_replaced(example_server: Server) -> None:
    user = new_user()
    with example_server.client(user) as c:
        missing = c.get("/backend/profile")
        assert missing.status_code == 404 and missing.headers["content-type"] == PROBLEM
        created = c.put("/backend/profile", json={"display_name": "Ada", "bio": "Engines"})
        assert created.status_code == 200
        assert created.json() == {"display_name": "Ada", "bio": "Engines", "owner_id": user}
        replaced = c.put("/backend/profile", json={"display_name": "Ada L."})
        assert replaced.json() == {"display_name": "Ada L.", "bio": None, "owner_id": user}
        assert c.get("/backend/profile").json() == replaced.json()


def test_duplicate_project_name_is_409_for_one_owner_but_free_for_another(example_server: Server) -> None:
    with example_server.client(new_user()) as alice, example_server.client(new_user()) as bob:
        create_project(alice, "Shared name")
        duplicate = alice.post("/backend/projects", json={"name": "Shared name"})
        assert duplicate.status_code == 409
        body = duplicate.json()
        assert body["status"] == 409 and "name" in body["detail"]
        assert duplicate.headers["content-type"] == PROBLEM
        create_project(bob, "Shared name")
        other = create_project(alice, "Other")
        renamed = alice.patch(f"/backend/projects/{other['id']}", json={"name": "Shared name"})
        assert renamed.status_code == 409


def test_constraints_of_the_contract_are_enforced(example_server: Server) -> None:
    with example_server.client(new_user()) as c:
        cases = [
            {"title": ""},
            {"title": "x" * 201},
            {"title": "ok", "priority": "urgent"},
            {"title": "ok", "due_date": "not-a-date"},
            {"title": "ok", "description": "x" * 2001},
            {"title": "ok", "completed": "maybe"},
            {},
        ]
        for body in cases:
            response = c.post("/backend/tasks", json=body)
            assert response.status_code == 422, body
            problem = response.json()
            assert problem["status"] == 422 and problem["errors"], body
            assert all(e["pointer"].startswith("/body") for e in problem["errors"])


def test_patch_with_null_for_a_required_field_is_422(example_server: Server) -> None:
    with example_server.client(new_user()) as c:
        task = create_task(c)
        for field in ("title", "completed", "priority"):
            response = c.patch(f"/backend/tasks/{task['id']}", json={field: None})
            assert response.status_code == 422, field
        assert c.get(f"/backend/tasks/{task['id']}").json() == task


def test_health_needs_no_token(example_server: Server) -> None:
    response = httpx.get(f"{example_server.url}/health")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_openapi_json_serves_the_contract_itself_bundled(example_server: Server) -> None:
    served = httpx.get(f"{example_server.url}/openapi.json").json()
    source = yaml.safe_load((REPO / "specs/api/openapi.yaml").read_text())
    assert served["paths"].keys() == source["paths"].keys()
    assert served["components"]["schemas"]["Task"]["x-owner-scoped"] == {"field": "owner_id"}
    assert served["servers"] == [{"url": "/backend"}]
    # refs into common.yaml are hoisted, so the served document stands alone
    assert "common.yaml" not in json.dumps(served)
    assert "Problem" in served["components"]["schemas"]
    assert "Limit" in served["components"]["parameters"]


def test_docs_page_points_at_the_served_contract(example_server: Server) -> None:
    response = httpx.get(f"{example_server.url}/docs")
    assert response.status_code == 200
    assert "/openapi.json" in response.text
