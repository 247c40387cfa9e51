"""500s carry a request id and nothing else; CORS, when configured, trusts only listed origins."""

from __future__ import annotations

import re
from pathlib import Path

import httpx

from tests.support import new_user, run_server

FAILING_OVERRIDE = """from generated.deps import Context
from generated.models import TaskPublic
from generated.services.tasks import DefaultTasksService


class TasksOverrides(DefaultTasksService):
    def complete_task(self, ctx: Context, *, task_id: int) -> TaskPublic:
        raise RuntimeError("SELECT password FROM users -- /srv/app/secret.py")
"""


def test_unhandled_error_is_a_generic_500_with_a_request_id_that_the_log_also_has(project_copy: Path) -> None:
    (project_copy / "custom" / "tasks.py").write_text(FAILING_OVERRIDE)
    with run_server(project_copy) as server, server.client(new_user()) as c:
        response = c.post("/backend/tasks/1/complete")
        assert response.status_code == 500
        assert response.headers["content-type"] == "application/problem+json"
        body = response.json()
        assert set(body) == {"type", "title", "status", "detail", "request_id"}
        assert re.fullmatch(r"[0-9a-f]{32}", body["request_id"])
        for leak in ("SELECT", "password", "/srv/app", "RuntimeError", "Traceback", "secret.py"):
            assert leak not in response.text
        log = server.output()
    assert body["request_id"] in log, "the server log must carry the id the client was given"
    assert "RuntimeError" in log


def test_configured_cors_allows_listed_origins_only_and_never_credentials(project_copy: Path) -> None:
    with run_server(project_copy, env={"CORS_ORIGINS": "https://app.example"}) as server:
        preflight = httpx.options(
            f"{server.url}/backend/tasks",
            headers={
                "Origin": "https://app.example",
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "authorization",
            },
        )
        assert preflight.status_code == 200
        assert preflight.headers["access-control-allow-origin"] == "https://app.example"
        assert "access-control-allow-credentials" not in preflight.headers
        evil = httpx.options(
            f"{server.url}/backend/tasks",
            headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"},
        )
        assert evil.headers.get("access-control-allow-origin") != "https://evil.example"
        with server.client(new_user()) as c:
            simple = c.get("/backend/tasks", headers={"Origin": "https://evil.example"})
            assert "access-control-allow-origin" not in simple.headers
            listed = c.get("/backend/tasks", headers={"Origin": "https://app.example"})
            assert listed.headers["access-control-allow-origin"] == "https://app.example"
        assert httpx.get(f"{server.url}/backend/tasks", headers={"Origin": "https://app.example"}).status_code == 401
