"""A second contract (OpenAPI 3.0, other mount path, no custom/): its golden output serves."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.support import new_user, run_server

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "minimal"


def test_golden_minimal_app_serves_crud_and_answers_501_for_custom_operations(tmp_path: Path) -> None:
    project = tmp_path / "minimal"
    shutil.copytree(GOLDEN / "specs", project / "specs")
    shutil.copytree(GOLDEN / "expected", project / "generated")
    with run_server(project) as server, server.client(new_user()) as c:
        created = c.post("/api/bookmarks", json={"url": "https://example.org/a", "tags": ["x"]})
        assert created.status_code == 201, created.text
        body = created.json()
        assert body["url"] == "https://example.org/a" and body["tags"] == ["x"]
        assert c.get("/api/bookmarks").json() == [body]
        replaced = c.put(f"/api/bookmarks/{body['id']}", json={"url": "https://example.org/b"})
        assert replaced.status_code == 200
        assert "tags" not in replaced.json(), "an optional, non-nullable property is left out, not null"
        share = c.post(f"/api/bookmarks/{body['id']}/share", json={"with": "bob"})
        assert share.status_code == 501
        assert share.headers["content-type"] == "application/problem+json"
        assert c.get("/api/tags").status_code == 501
        other = server.client(new_user())
        assert other.get(f"/api/bookmarks/{body['id']}").status_code == 404
        assert other.get("/api/bookmarks").json() == []
        assert server.client().get("/api/tags").status_code == 401
