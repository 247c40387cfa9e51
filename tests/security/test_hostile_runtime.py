"""Hostile requests against the runtime (issue: hostile contracts / runtime): request heads past the
limits, Host-built redirects, unstorable text in tokens and bodies, unions, aborted bodies, echoed
keys, and a contract title written as HTML. Real servers on loopback, real tokens."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import select
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from specgen_runtime.problems import validation_errors
from tests.cli.helpers import generated_small_project
from tests.security.test_hostile_input import assert_clean_problem
from tests.support import Server, make_token, new_user, run_server


def raw_exchange(server: Server, request: bytes, timeout: float = 30) -> bytes:
    """Send `request` from a thread while reading the answer, as a client that streams would."""
    parts = urlsplit(server.url)
    with socket.create_connection((parts.hostname, parts.port), timeout=timeout) as sock:

        def push() -> None:
            try:
                sock.sendall(request)
            except OSError:
                pass  # the server may close once it has answered

        sender = threading.Thread(target=push)
        sender.start()
        reply = b""
        while b"\r\n\r\n" not in reply or len(reply) < reply.find(b"\r\n\r\n") + 4 + _length(reply):
            chunk = sock.recv(65536)
            if not chunk:
                break
            reply += chunk
        sender.join(timeout)
    return reply


def _length(reply: bytes) -> int:
    match = re.search(rb"\r\ncontent-length: (\d+)", reply, re.IGNORECASE)
    return int(match.group(1)) if match else 0


def status_of(reply: bytes) -> int:
    return int(reply.split(b" ", 2)[1])


def problem_of(reply: bytes) -> dict[str, object]:
    head, _, body = reply.partition(b"\r\n\r\n")
    assert b"content-type: application/problem+json" in head.lower(), head
    problem: dict[str, object] = json.loads(body)
    return problem


def peak_rss_kib(server: Server) -> int:
    for line in Path(f"/proc/{server.process.pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise AssertionError("no VmHWM")


@pytest.fixture
def client(example_server: Server) -> Iterator[httpx.Client]:
    with example_server.client(new_user()) as c:
        yield c


# --- the request line and headers -----------------------------------------------------------------


def test_anonymous_32_mb_header_is_431_and_never_buffered_whole(example_server: Server) -> None:
    before = peak_rss_kib(example_server)
    big = b"GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * (32 * 1024 * 1024) + b"\r\n\r\n"
    reply = raw_exchange(example_server, big)
    assert status_of(reply) == 431, reply[:200]
    assert problem_of(reply)["status"] == 431
    # httptools used to read all 32 MB (and more in copies) before the app answered 200
    assert peak_rss_kib(example_server) - before < 16 * 1024


def test_100_000_headers_are_431(example_server: Server) -> None:
    many = b"GET /health HTTP/1.1\r\nHost: x\r\n" + b"".join(b"X-%d: a\r\n" % i for i in range(100_000)) + b"\r\n"
    reply = raw_exchange(example_server, many)
    assert status_of(reply) == 431, reply[:200]
    assert problem_of(reply)["detail"] == "The request has more than 100 headers"


@pytest.mark.parametrize(
    ("headers", "detail"),
    [
        ({"X-Long": "a" * (16 * 1024)}, "A request header is longer than 16384 bytes"),
        ({f"X-Part-{i}": "a" * 15_000 for i in range(5)}, "The request headers are longer than 65536 bytes in total"),
        ({f"X-{i}": "a" for i in range(101)}, "The request has more than 100 headers"),
    ],
    ids=["one-over-16-kib", "over-64-kib-in-total", "over-100-headers"],
)
def test_headers_past_a_limit_are_a_431_problem(client: httpx.Client, headers: dict[str, str], detail: str) -> None:
    response = client.get("/backend/tasks", headers=headers)
    assert_clean_problem(response, 431)
    assert response.json()["detail"] == detail


def test_headers_at_the_limits_are_served(client: httpx.Client) -> None:
    one = {"X-Long": "a" * (16 * 1024 - len("x-long"))}  # name + value: exactly 16 KiB
    assert client.get("/backend/tasks", headers=one).status_code == 200
    assert client.get("/backend/tasks", headers={f"X-{i}": "a" for i in range(90)}).status_code == 200


def test_url_over_8_kib_is_a_414_problem(client: httpx.Client) -> None:
    response = client.get("/backend/tasks", params={"q": "a" * (8 * 1024)})
    assert_clean_problem(response, 414)
    assert response.json()["detail"] == "The request URL is longer than 8192 bytes"
    assert client.get("/backend/tasks", params={"q": "a" * 7000}).status_code == 200


@pytest.mark.parametrize("workers", [1, 2])
def test_head_limits_follow_the_settings_in_every_worker(project_copy: Path, workers: int) -> None:
    env = {"MAX_URL_BYTES": "512", "MAX_HEADER_BYTES": "1024", "MAX_HEADERS_BYTES": "4096", "MAX_HEADER_COUNT": "20"}
    with run_server(project_copy, env=env, workers=workers) as server, server.client(new_user()) as c:
        assert c.get("/backend/tasks", headers={"X-A": "a" * 900}).status_code == 200
        assert_clean_problem(c.get("/backend/tasks", headers={"X-A": "a" * 1100}), 431)
        assert_clean_problem(c.get("/backend/tasks", headers={f"X-{i}": "a" for i in range(20)}), 431)
        assert_clean_problem(c.get("/backend/tasks", params={"q": "a" * 600}), 414)
        # the server's own bound (not only the app's): a head that never ends is refused as it grows
        reply = unfinished_head(server, chunks=40, size=1000)
        assert status_of(reply) == 431, reply[:200]


def unfinished_head(server: Server, chunks: int, size: int) -> bytes:
    """A request head sent in pieces and never finished: the answer, if one comes while it grows."""
    parts = urlsplit(server.url)
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ")
        for _ in range(chunks):
            try:
                sock.sendall(b"a" * size)
            except OSError:
                break
            time.sleep(0.02)  # separate reads on the server's side
            if select.select([sock], [], [], 0)[0]:
                break
        return sock.recv(65536)


@pytest.mark.parametrize("value", ["0", "-1", "lots"])
@pytest.mark.parametrize("key", ["MAX_URL_BYTES", "MAX_HEADER_BYTES", "MAX_HEADERS_BYTES", "MAX_HEADER_COUNT"])
def test_a_head_limit_that_is_not_a_positive_number_stops_the_server(tmp_path: Path, key: str, value: str) -> None:
    from specgen_runtime.config import ConfigError, load_settings
    from tests.support import TEST_SECRET

    with pytest.raises(ConfigError, match=key if value != "lots" else "not a number"):
        load_settings(tmp_path, {"JWT_SECRET": TEST_SECRET, key: value})


@contextmanager
def in_process_server(tmp_path: Path, **config: Any) -> Iterator[Server]:
    """The committed example under uvicorn in this process, with the given uvicorn settings."""
    import uvicorn

    from specgen_runtime.server import load_app
    from tests.support import REPO, TEST_SECRET

    env = {"JWT_SECRET": TEST_SECRET, "SPECGEN_CREATE_TABLES": "1", "DATABASE_URL": f"sqlite:///{tmp_path / 'a.db'}"}
    app = load_app(REPO, env)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", **config))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 20
        while not server.started:
            assert time.monotonic() < deadline, "the in-process server did not start"
            time.sleep(0.05)
        yield Server(url=f"http://127.0.0.1:{port}", process=None, log=tmp_path / "none.log")  # type: ignore[arg-type]
    finally:
        server.should_exit = True
        thread.join(10)


def test_head_limits_answer_in_the_app_under_any_server(tmp_path: Path) -> None:
    """The ASGI check alone, under uvicorn's h11 with a large buffer: the same 431/414 problem."""
    with in_process_server(tmp_path, http="h11", h11_max_incomplete_event_size=2**20) as server:
        with server.client(new_user()) as c:
            assert_clean_problem(c.get("/backend/tasks", headers={"X-Long": "a" * 20_000}), 431)
            assert_clean_problem(c.get("/health", headers={f"X-{i}": "a" for i in range(120)}), 431)
            assert_clean_problem(c.get("/health", params={"q": "a" * 9000}), 414)
            assert c.get("/backend/tasks").status_code == 200


def test_under_h11_a_32_mb_header_is_the_431_problem_too(tmp_path: Path) -> None:
    from specgen_runtime.limits import LimitedH11Protocol, RequestLimits

    bound = RequestLimits().head_bytes  # what specgen serve passes as h11_max_incomplete_event_size
    with in_process_server(tmp_path, http=LimitedH11Protocol, h11_max_incomplete_event_size=bound) as server:
        big = b"GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * (32 * 1024 * 1024) + b"\r\n\r\n"
        reply = raw_exchange(server, big)
        assert status_of(reply) == 431, reply[:200]
        assert problem_of(reply)["detail"] == f"The request line and headers are longer than {bound} bytes"
        assert status_of(raw_exchange(server, b"GET /health HTTP/1.1\r\nHost: x\r\nBad header\r\n\r\n")) == 400
        assert httpx.get(f"{server.url}/health").status_code == 200


# --- redirects ------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/backend/tasks/", "/health/"])
def test_trailing_slash_is_a_404_problem_and_no_location_is_built_from_host(client: httpx.Client, path: str) -> None:
    response = client.get(path, headers={"Host": "evil.example"})
    assert_clean_problem(response, 404)
    assert "location" not in response.headers
    assert "evil.example" not in response.text


# --- text that cannot be stored -------------------------------------------------------------------


@pytest.mark.parametrize(
    "claims",
    [
        {"sub": "alice\x00"},
        {"sub": "alice\ud800"},
        {"sub": "alice", "profile": {"names": ["ok", "bad\x00"]}},
        {"sub": "alice", "\ud800": 1},
    ],
    ids=["nul-sub", "surrogate-sub", "nul-nested-claim", "surrogate-claim-name"],
)
def test_signed_token_with_unstorable_text_is_401(example_server: Server, claims: dict[str, object]) -> None:
    claims = dict(claims)
    sub = claims.pop("sub")
    token = make_token(str(sub), **claims)
    with example_server.client(token=token) as c:
        for response in (c.get("/backend/tasks"), c.post("/backend/tasks", json={"title": "x"})):
            assert_clean_problem(response, 401)
            assert response.headers["www-authenticate"] == 'Bearer error="invalid_token"'


@pytest.mark.parametrize("text", ["nul\x00byte", "lone \ud800 surrogate"], ids=["nul", "surrogate"])
def test_unstorable_text_in_an_update_is_422(client: httpx.Client, text: str) -> None:
    task = client.post("/backend/tasks", json={"title": "ok"}).json()
    payload = json.dumps({"title": text})
    response = client.patch(
        f"/backend/tasks/{task['id']}", content=payload, headers={"content-type": "application/json"}
    )
    assert_clean_problem(response, 422)
    assert client.get(f"/backend/tasks/{task['id']}").json()["title"] == "ok"


# --- a contract with a union, a JSON field, a long enum and an HTML title --------------------------

EVIL_TITLE = "</title><script>alert(1)</script>"
COLOURS = [f"colour-number-{i:02d}" for i in range(30)]
EXTRA_PROPERTIES = (
    "        value:\n          type: [integer, string]\n"
    "        meta:\n          type: object\n          additionalProperties: true\n"
    f"        colour:\n          type: string\n          enum: [{', '.join(COLOURS)}]\n"
)


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory: pytest.TempPathFactory, database: str | None) -> Iterator[Server]:
    project = generated_small_project(tmp_path_factory.mktemp("hostile") / "p", EXTRA_PROPERTIES, EVIL_TITLE)
    with run_server(project, env={"DATABASE_URL": database} if database else {}) as server:
        yield server


@pytest.fixture
def notes(hostile_server: Server) -> Iterator[httpx.Client]:
    with hostile_server.client(new_user()) as c:
        yield c


def post_raw(client: httpx.Client, path: str, payload: str) -> httpx.Response:
    return client.post(path, content=payload, headers={"content-type": "application/json"})


@pytest.mark.parametrize(("sent", "stored"), [("5.0", 5), ("5", 5), ('"5"', "5"), ("-7.0", -7)])
def test_union_of_integer_and_string_takes_an_integral_float_as_the_integer(
    notes: httpx.Client, sent: str, stored: int | str
) -> None:
    response = post_raw(notes, "/api/notes", f'{{"text": "t", "value": {sent}}}')
    assert response.status_code == 201, response.text
    assert response.json()["value"] == stored
    assert notes.get(f"/api/notes/{response.json()['id']}").json()["value"] == stored


@pytest.mark.parametrize("sent", ["5.5", "true", "[5]"])
def test_union_of_integer_and_string_refuses_other_values_with_422(notes: httpx.Client, sent: str) -> None:
    assert_clean_problem(post_raw(notes, "/api/notes", f'{{"text": "t", "value": {sent}}}'), 422)


@pytest.mark.parametrize(
    "meta",
    ['{"k": "nul\\u0000"}', '{"nul\\u0000key": 1}', '{"k": ["a", {"deep": "\\u0000"}]}'],
    ids=["value", "key", "nested"],
)
def test_unstorable_text_inside_a_json_field_is_422(notes: httpx.Client, meta: str) -> None:
    response = post_raw(notes, "/api/notes", f'{{"text": "t", "meta": {meta}}}')
    assert_clean_problem(response, 422)
    assert response.json()["errors"] == [
        {"pointer": "/body/meta", "detail": "Contains a character that cannot be stored"}
    ]
    assert notes.get("/api/notes").json() == []


def test_422_clips_a_500_kb_key_in_its_pointer(notes: httpx.Client) -> None:
    key = "k" * 500_000
    response = notes.post("/api/notes", json={"text": "t", key: 1})
    assert_clean_problem(response, 422)
    assert response.json()["errors"] == [{"pointer": "/body/" + "k" * 63 + "\u2026", "detail": "Unknown field"}]
    assert len(response.content) < 1000


def test_422_clips_a_long_detail(notes: httpx.Client) -> None:
    response = notes.post("/api/notes", json={"text": "t", "colour": "mauve"})
    assert_clean_problem(response, 422)
    [error] = response.json()["errors"]
    assert error["pointer"] == "/body/colour"
    assert len(error["detail"]) == 200 and error["detail"].endswith("\u2026")


def test_pointer_keys_are_clipped_before_escaping() -> None:
    key = "a" * 62 + "~/" + "b" * 10  # the cut falls after `~`: it must not leave a half escape
    [error] = validation_errors(
        [{"loc": ("body", key), "msg": "x" * 500, "type": "extra_forbidden"}], frozenset(), frozenset()
    )
    assert error["pointer"] == "/body/" + "a" * 62 + "~0\u2026"
    assert error["detail"] == "Unknown field"


def test_docs_page_escapes_the_contract_title_and_allows_only_its_own_scripts(hostile_server: Server) -> None:
    response = httpx.get(f"{hostile_server.url}/docs")
    assert response.status_code == 200
    page = response.text
    assert "<script>alert(1)</script>" not in page
    assert "&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt; - docs</title>" in page
    policy = dict((d.split(" ", 1) + [""])[:2] for d in response.headers["content-security-policy"].split("; "))
    scripts = policy["script-src"].split()
    assert "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts
    assert policy["default-src"] == "'none'" and policy["frame-ancestors"] == "'none'"
    inline = re.findall(r"<script>(.*?)</script>", page, re.DOTALL)
    assert len(inline) == 1
    digest = base64.b64encode(hashlib.sha256(inline[0].encode()).digest()).decode()
    assert f"'sha256-{digest}'" in scripts
    [bundle] = re.findall(r'<script src="([^"]+)"', page)
    assert f"{urlsplit(bundle).scheme}://{urlsplit(bundle).netloc}" in scripts


# --- a client that hangs up -----------------------------------------------------------------------


def test_client_that_hangs_up_mid_body_is_one_info_line_not_a_traceback(example_server: Server) -> None:
    start = len(example_server.output())
    parts = urlsplit(example_server.url)
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        sock.sendall(
            b"POST /backend/tasks HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
            + make_token(new_user()).encode()
            + b'\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"title": '
        )
        time.sleep(0.3)
    deadline = time.monotonic() + 10
    while "client disconnected" not in example_server.output()[start:] and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(0.3)
    log = example_server.output()[start:]
    lines = [line for line in log.splitlines() if "client disconnected" in line]
    assert lines == ["INFO:     client disconnected before its request body was read: POST '/backend/tasks'"], log
    assert "Traceback" not in log and "ClientDisconnect" not in log and "unhandled error" not in log
