"""Hostile and oversized input: precise 4xx, one problem+json shape, nothing echoed, no 500."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from urllib.parse import urlsplit

import httpx
import pytest

from tests.cli.helpers import generated_small_project
from tests.support import Server, new_user, run_server

PROBLEM = "application/problem+json"
LEAKS = ("Traceback", "sqlalchemy", "sqlite", "psycopg", 'File "', "/work/", "site-packages", "pydantic", "SELECT ")


def assert_clean_problem(response: httpx.Response, status: int) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["status"] == status and isinstance(body["title"], str)
    for leak in LEAKS:
        assert leak.lower() not in response.text.lower(), leak


@pytest.fixture
def client(example_server: Server) -> Iterator[httpx.Client]:
    with example_server.client(new_user()) as c:
        yield c


def test_validation_errors_do_not_echo_a_submitted_secret(client: httpx.Client) -> None:
    secret = "hunter2-super-secret-value"
    for body in (
        {"title": secret, "unknown_password": secret},
        {"title": "x", "priority": secret},
        {"title": "x", "due_date": secret},
    ):
        response = client.post("/backend/tasks", json=body)
        assert_clean_problem(response, 422)
        assert secret not in response.text
        assert all(set(e) == {"pointer", "detail"} for e in response.json()["errors"])


# Fields whose messages quote what was sent: a UUID's bad character (`Ж`), an email's refused
# characters or a whole label of its domain ('hunter2§secret'); and a pattern, whose message quotes
# the pattern, never the value.
TYPED_FIELDS = """        ref: {type: string, format: uuid}
        email: {type: string, format: email}
        code: {type: string, pattern: "^[a-z]{3}-[0-9]{4}$"}
"""


@pytest.fixture(scope="module")
def typed_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    project = generated_small_project(tmp_path_factory.mktemp("typed") / "p", TYPED_FIELDS)
    with run_server(project) as server, server.client(new_user()) as c:
        yield c


@pytest.mark.parametrize(
    ("field", "value", "secret"),
    [
        ("ref", "Жhunter2-secret", "Ж"),
        ("ref", "0b7f3c9e-2f4b-4c55-9a56-4c1a9d5f9eЖ1", "Ж"),
        ("email", "alice@hunter2§secret.example", "hunter2"),
        ("email", "alice@hunter2.exampleЖ<", "<"),
        ("email", "hunter2Ж secret@example.org", "hunter2"),
        ("code", "hunter2-secret", "hunter2"),
    ],
    ids=["uuid-first", "uuid-last", "email-domain-label", "email-character", "email-local-part", "pattern"],
)
def test_validation_errors_quote_nothing_of_a_uuid_email_or_pattern_value(
    typed_client: httpx.Client, field: str, value: str, secret: str
) -> None:
    response = typed_client.post("/api/notes", json={"text": "x", field: value})
    assert_clean_problem(response, 422)
    [error] = response.json()["errors"]
    assert error["pointer"] == f"/body/{field}"
    assert secret not in error["detail"] and value not in error["detail"], error["detail"]
    assert secret not in response.text and secret.encode("unicode_escape").decode() not in response.text


def test_validation_error_does_not_echo_a_submitted_token(client: httpx.Client) -> None:
    token = client.headers["authorization"].split()[1]
    response = client.post("/backend/tasks", json={"title": "x", "completed": token})
    assert_clean_problem(response, 422)
    assert token not in response.text


@pytest.mark.parametrize("headers", [{}, {"content-type": "application/json"}], ids=["no-type", "json"])
def test_a_missing_body_is_422_pointing_at_the_body(client: httpx.Client, headers: dict[str, str]) -> None:
    response = client.post("/backend/tasks", headers=headers)
    assert_clean_problem(response, 422)
    assert response.json()["errors"] == [{"pointer": "/body", "detail": "A JSON body is required"}]


def test_unknown_field_is_422_with_its_pointer(client: httpx.Client) -> None:
    response = client.post("/backend/tasks", json={"title": "x", "colour": "red"})
    assert_clean_problem(response, 422)
    assert response.json()["errors"] == [{"pointer": "/body/colour", "detail": "Unknown field"}]


def test_a_value_outside_its_enum_keeps_the_contracts_message(client: httpx.Client) -> None:
    """Redaction takes what was sent out of a message, not the message: an enum's values are contract text."""
    response = client.post("/backend/tasks", json={"title": "x", "priority": "urgent"})
    assert_clean_problem(response, 422)
    assert response.json()["errors"] == [
        {"pointer": "/body/priority", "detail": "Input should be 'low', 'medium' or 'high'"}
    ]


def test_a_field_name_with_slash_or_tilde_is_escaped_in_its_pointer(client: httpx.Client) -> None:
    response = client.post("/backend/tasks", json={"title": "x", "a/b~c": 1})
    assert_clean_problem(response, 422)
    assert response.json()["errors"] == [{"pointer": "/body/a~1b~0c", "detail": "Unknown field"}]  # RFC 6901


@pytest.mark.parametrize("field", ["id", "created_at", "updated_at"])
def test_read_only_field_in_a_body_is_422(client: httpx.Client, field: str) -> None:
    response = client.post("/backend/tasks", json={"title": "x", field: 1})
    assert_clean_problem(response, 422)
    assert response.json()["errors"][0] == {"pointer": f"/body/{field}", "detail": f"{field} is read-only"}


def test_body_over_the_limit_is_413(client: httpx.Client) -> None:
    response = client.post("/backend/tasks", json={"title": "x", "description": "a" * (1024 * 1024 + 10)})
    assert_clean_problem(response, 413)


def test_chunked_body_over_the_limit_without_content_length_is_413(client: httpx.Client) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"title": "x", "description": "'
        for _ in range(20):
            yield b"a" * 65536
        yield b'"}'

    response = client.post("/backend/tasks", content=chunks(), headers={"content-type": "application/json"})
    assert "content-length" not in response.request.headers
    assert_clean_problem(response, 413)


def test_invalid_content_length_is_400(example_server: Server) -> None:
    parts = urlsplit(example_server.url)
    token = example_server.client(new_user()).headers["authorization"]
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        sock.sendall(
            b"POST /backend/tasks HTTP/1.1\r\nHost: x\r\nAuthorization: "
            + token.encode()
            + b"\r\nContent-Type: application/json\r\nContent-Length: -5\r\n\r\n"
        )
        reply = sock.recv(4096)
    assert reply.startswith(b"HTTP/1.1 400")


@pytest.mark.parametrize(
    "path",
    [
        "/backend/tasks/99999999999999999999999",
        "/backend/tasks/-99999999999999999999",
        "/backend/projects/18446744073709551616",
    ],
)
def test_integer_beyond_64_bits_in_a_path_is_404_like_any_id_that_names_nothing(
    client: httpx.Client, path: str
) -> None:
    response = client.get(path)
    assert_clean_problem(response, 404)
    assert response.content == client.get("/backend/tasks/8999999999").content


@pytest.mark.parametrize(
    "params",
    [
        {"project_id": "99999999999999999999999"},
        {"offset": "9223372036854775808"},
        {"limit": "1e3"},
        {"completed": "perhaps"},
    ],
)
def test_out_of_range_or_malformed_query_is_422(client: httpx.Client, params: dict[str, str]) -> None:
    assert_clean_problem(client.get("/backend/tasks", params=params), 422)


def test_integer_beyond_64_bits_in_a_body_is_422(client: httpx.Client) -> None:
    response = client.post("/backend/tasks", json={"title": "x", "project_id": 2**70})
    assert_clean_problem(response, 422)


@pytest.mark.parametrize("text", ["nul\x00byte", "lone \ud800 surrogate"], ids=["nul", "surrogate"])
def test_unstorable_text_is_422_not_500(client: httpx.Client, text: str) -> None:
    import json

    payload = json.dumps({"title": text})  # json escapes both as \u0000 / \ud800
    response = client.post("/backend/tasks", content=payload, headers={"content-type": "application/json"})
    assert_clean_problem(response, 422)
    assert client.get("/backend/tasks").json()["total"] == 0


def test_deeply_nested_json_is_a_4xx(client: httpx.Client) -> None:
    payload = "[" * 100_000 + "]" * 100_000
    response = client.post("/backend/tasks", content=payload, headers={"content-type": "application/json"})
    assert 400 <= response.status_code < 500
    assert response.headers["content-type"] == PROBLEM


@pytest.mark.parametrize(
    "content",
    [b'{"title": ', b"\xff\xfe\x00garbage", b"[1, 2, 3]", b"null", b'"just a string"'],
    ids=["truncated", "not-utf8", "array", "null", "string"],
)
def test_malformed_json_body_is_422_problem(client: httpx.Client, content: bytes) -> None:
    response = client.post("/backend/tasks", content=content, headers={"content-type": "application/json"})
    assert_clean_problem(response, 422)


def test_unknown_route_is_a_404_problem(client: httpx.Client) -> None:
    assert_clean_problem(client.get("/backend/tasks/1/nope"), 404)
    assert_clean_problem(httpx.get(client.base_url.join("/not-under-backend")), 404)


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("PUT", "/backend/tasks", "GET, POST"),
        ("POST", "/backend/tasks/1", "DELETE, GET, PATCH"),
        ("DELETE", "/backend/profile", "GET, PUT"),
    ],
)
def test_undeclared_method_is_405_with_the_full_allow_header(
    client: httpx.Client, method: str, path: str, allow: str
) -> None:
    response = client.request(method, path)
    assert_clean_problem(response, 405)
    assert response.headers["allow"] == allow


def test_cors_is_off_by_default(client: httpx.Client) -> None:
    response = client.options(
        "/backend/tasks", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"}
    )
    assert "access-control-allow-origin" not in response.headers
    get = client.get("/backend/tasks", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in get.headers
