"""Authentication attack cases against the example server: each is a request that must be
refused with 401 (RFC 6750 challenge) before anything else happens."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
import jwt
import pytest

from tests.support import TEST_SECRET, Server, copy_project, make_token, run_server

NO_ERROR = "Bearer"
INVALID = 'Bearer error="invalid_token"'


def _b64(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _unsigned(alg: str) -> str:
    now = int(time.time())
    return f"{_b64({'alg': alg, 'typ': 'JWT'})}.{_b64({'sub': 'alice', 'exp': now + 600, 'iat': now})}."


def _now() -> int:
    return int(time.time())


@dataclass(frozen=True)
class Attack:
    headers: Callable[[], list[tuple[str, str]]]
    challenge: str
    path: str = "/backend/tasks"
    method: str = "GET"
    params: dict[str, str] | None = None
    cookies: dict[str, str] | None = None


def bearer(token: str) -> Callable[[], list[tuple[str, str]]]:
    return lambda: [("Authorization", f"Bearer {token}")]


def bearer_lazy(make: Callable[[], str]) -> Callable[[], list[tuple[str, str]]]:
    return lambda: [("Authorization", f"Bearer {make()}")]


ATTACKS: dict[str, Attack] = {
    "no_authorization_header": Attack(lambda: [], NO_ERROR),
    "empty_authorization_header": Attack(lambda: [("Authorization", "")], NO_ERROR),
    "basic_scheme_instead_of_bearer": Attack(lambda: [("Authorization", "Basic YWxpY2U6cGFzcw==")], NO_ERROR),
    "token_without_scheme": Attack(lambda: [("Authorization", make_token())], NO_ERROR),
    "bearer_without_token": Attack(lambda: [("Authorization", "Bearer")], INVALID),
    "bearer_with_empty_quoted_token": Attack(lambda: [("Authorization", 'Bearer ""')], INVALID),
    "garbage_token": Attack(bearer("not-a-jwt"), INVALID),
    "three_garbage_segments": Attack(bearer("aaa.bbb.ccc"), INVALID),
    "alg_none": Attack(bearer_lazy(lambda: _unsigned("none")), INVALID),
    "alg_None_mixed_case": Attack(bearer_lazy(lambda: _unsigned("None")), INVALID),
    "alg_NONE_upper_case": Attack(bearer_lazy(lambda: _unsigned("NONE")), INVALID),
    "alg_nOnE_odd_case": Attack(bearer_lazy(lambda: _unsigned("nOnE")), INVALID),
    "wrong_signature_other_secret": Attack(
        bearer_lazy(lambda: make_token(secret="another-secret-" + "x" * 40)), INVALID
    ),
    "signature_stripped": Attack(bearer_lazy(lambda: make_token().rsplit(".", 1)[0] + "."), INVALID),
    "payload_tampered_to_other_sub": Attack(
        bearer_lazy(
            lambda: ".".join(
                [make_token().split(".")[0], _b64({"sub": "bob", "exp": _now() + 600}), make_token().split(".")[2]]
            )
        ),
        INVALID,
    ),
    "expired": Attack(bearer_lazy(lambda: make_token(ttl=-120)), INVALID),
    "expired_one_second_ago": Attack(bearer_lazy(lambda: make_token(ttl=-2)), INVALID),
    "not_before_in_the_future": Attack(bearer_lazy(lambda: make_token(nbf=_now() + 3600)), INVALID),
    "issued_in_the_future": Attack(bearer_lazy(lambda: make_token(iat=_now() + 3600)), INVALID),
    "missing_exp": Attack(
        bearer_lazy(lambda: jwt.encode({"sub": "alice", "iat": _now()}, TEST_SECRET, algorithm="HS256")), INVALID
    ),
    "missing_sub": Attack(bearer_lazy(lambda: make_token(None)), INVALID),
    "empty_sub": Attack(bearer_lazy(lambda: make_token("")), INVALID),
    "blank_sub": Attack(bearer_lazy(lambda: make_token("   ")), INVALID),
    "numeric_sub": Attack(
        bearer_lazy(lambda: jwt.encode({"sub": 42, "exp": _now() + 600}, TEST_SECRET, algorithm="HS256")), INVALID
    ),
    "sub_as_list": Attack(
        bearer_lazy(lambda: jwt.encode({"sub": ["alice"], "exp": _now() + 600}, TEST_SECRET, algorithm="HS256")),
        INVALID,
    ),
    "exp_not_a_number": Attack(
        bearer_lazy(lambda: jwt.encode({"sub": "alice", "exp": "tomorrow"}, TEST_SECRET, algorithm="HS256")), INVALID
    ),
    "hs512_outside_the_allow_list": Attack(bearer_lazy(lambda: make_token(algorithm="HS512")), INVALID),
    "hs384_outside_the_allow_list": Attack(bearer_lazy(lambda: make_token(algorithm="HS384")), INVALID),
    "token_in_query_string_only": Attack(lambda: [], NO_ERROR, params={"access_token": "PLACEHOLDER"}),
    "token_in_cookie_only": Attack(lambda: [], NO_ERROR, cookies={"access_token": "PLACEHOLDER"}),
    "two_authorization_headers": Attack(
        lambda: [("Authorization", f"Bearer {make_token()}"), ("Authorization", f"Bearer {make_token('bob')}")], INVALID
    ),
    "unknown_path_without_token": Attack(lambda: [], NO_ERROR, path="/backend/definitely-not-a-route"),
    "wrong_method_without_token": Attack(lambda: [], NO_ERROR, path="/backend/tasks", method="PUT"),
    "mount_path_itself_without_token": Attack(lambda: [], NO_ERROR, path="/backend"),
    "malformed_body_without_token": Attack(lambda: [("Content-Type", "application/json")], NO_ERROR, method="POST"),
}


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_attack_is_refused_with_401_and_an_rfc6750_challenge(example_server: Server, name: str) -> None:
    attack = ATTACKS[name]
    params = dict(attack.params or {})
    if params.get("access_token") == "PLACEHOLDER":
        params["access_token"] = make_token()
    cookies = {k: make_token() for k in (attack.cookies or {})}
    with httpx.Client(base_url=example_server.url, cookies=cookies) as client:
        response = client.request(
            attack.method,
            attack.path,
            params=params,
            headers=attack.headers(),
            content=b'{"title": ' if attack.method == "POST" else None,
        )
    assert response.status_code == 401, response.text
    assert response.headers["www-authenticate"] == attack.challenge
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 401 and body["title"] == "Unauthorized"
    assert "title" not in response.text.lower().replace('"title":"unauthorized"', ""), (
        "no hint of the route's body schema"
    )


def test_bearer_scheme_is_case_insensitive(example_server: Server) -> None:
    for scheme in ("bearer", "BEARER", "BeArEr"):
        response = httpx.get(
            f"{example_server.url}/backend/tasks", headers={"Authorization": f"{scheme} {make_token()}"}
        )
        assert response.status_code == 200, scheme


def test_a_token_accepted_before_is_refused_once_it_expires(example_server: Server) -> None:
    # Verified tokens are remembered so later requests skip the signature check; the memory
    # must never outlive the token.
    token = make_token("alice", ttl=2)
    headers = {"Authorization": f"Bearer {token}"}
    assert httpx.get(f"{example_server.url}/backend/tasks", headers=headers).status_code == 200
    assert httpx.get(f"{example_server.url}/backend/tasks", headers=headers).status_code == 200
    time.sleep(max(0.0, jwt.decode(token, options={"verify_signature": False})["exp"] - time.time()) + 1.1)
    expired = httpx.get(f"{example_server.url}/backend/tasks", headers=headers)
    assert expired.status_code == 401
    assert expired.headers["www-authenticate"].startswith(INVALID)


def test_a_remembered_token_with_its_signature_altered_is_refused(example_server: Server) -> None:
    token = make_token("alice")
    assert (
        httpx.get(f"{example_server.url}/backend/tasks", headers={"Authorization": f"Bearer {token}"}).status_code
        == 200
    )
    head, payload, signature = token.split(".")
    forged = f"{head}.{payload}.{signature[:-2]}{'AA' if signature[-2:] != 'AA' else 'BB'}"
    refused = httpx.get(f"{example_server.url}/backend/tasks", headers={"Authorization": f"Bearer {forged}"})
    assert refused.status_code == 401


def test_unknown_path_and_wrong_method_answer_only_after_authentication(example_server: Server) -> None:
    with example_server.client("alice") as c:
        assert c.get("/backend/definitely-not-a-route").status_code == 404
        wrong = c.put("/backend/tasks")
        assert wrong.status_code == 405
        assert wrong.headers["allow"] == "GET, POST"


def test_authenticated_responses_are_not_cacheable(example_server: Server) -> None:
    with example_server.client("alice") as c:
        for path in ("/backend/tasks", "/backend/profile", "/backend/nope"):
            assert c.get(path).headers["cache-control"] == "no-store", path


def test_unauthenticated_request_is_answered_before_its_body_arrives(example_server: Server) -> None:
    import socket
    from urllib.parse import urlsplit

    parts = urlsplit(example_server.url)
    with socket.create_connection((parts.hostname, parts.port), timeout=5) as sock:
        # promise a large body and never send it: only a server that reads bodies first would wait
        sock.sendall(
            b"POST /backend/tasks HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n"
        )
        reply = sock.recv(4096)
    assert reply.startswith(b"HTTP/1.1 401")


def test_unauthenticated_request_never_touches_the_database(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "p")
    env = {"DATABASE_URL": f"sqlite:///{tmp_path}/missing-dir/app.db", "SPECGEN_CREATE_TABLES": "0"}
    with run_server(project, env=env) as server:
        assert httpx.get(f"{server.url}/backend/tasks").status_code == 401
        bad = httpx.get(f"{server.url}/backend/tasks", headers={"Authorization": "Bearer x.y.z"})
        assert bad.status_code == 401
        with server.client("alice") as c:
            unavailable = c.get("/backend/tasks")
        assert unavailable.status_code == 503, "with a valid token the same request reaches the (broken) database"
        assert unavailable.headers["retry-after"].isdigit()
