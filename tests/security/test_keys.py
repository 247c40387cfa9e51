"""Key types: HS*, PEM public keys (RS256, ES256, EdDSA) and a JWKS served by a real local
HTTP server, with rotation, a refetch cooldown and an unreachable provider."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from generator.devtools.devserver import free_port
from tests.support import copy_project, run_server


def _pem_public(private: Any) -> str:
    return (
        private.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def _token(private: Any, algorithm: str, sub: str = "alice", kid: str | None = None, **claims: object) -> str:
    now = int(time.time())
    headers = {"kid": kid} if kid else None
    return jwt.encode(
        {"sub": sub, "iat": now, "exp": now + 600, **claims}, private, algorithm=algorithm, headers=headers
    )


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _hs256_signed_with(secret: bytes, sub: str = "alice") -> str:
    """An HS256 token whose HMAC secret is `secret`, built by hand: PyJWT refuses a PEM as an HMAC key."""
    now = int(time.time())
    header = _b64url(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    payload = _b64url(json.dumps({"sub": sub, "iat": now, "exp": now + 600}).encode())
    signature = hmac.new(secret, f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{header}.{payload}.{_b64url(signature)}"


def _public_key_bytes(private: Any) -> list[bytes]:
    """What an attacker can hold of the server's public key: the PEM as configured, stripped, and DER."""
    public = private.public_key()
    pem = _pem_public(private).encode()
    der = public.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return [pem, pem.strip(), der]


KEYS = {
    "RS256": lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048),
    "ES256": lambda: ec.generate_private_key(ec.SECP256R1()),
    "EdDSA": lambda: ed25519.Ed25519PrivateKey.generate(),
}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_project(tmp_path_factory.mktemp("keys"))


@pytest.mark.parametrize("algorithm", sorted(KEYS))
def test_pem_public_key_verifies_its_algorithm_and_refuses_others(project: Path, algorithm: str) -> None:
    private = KEYS[algorithm]()
    other = KEYS[algorithm]()
    env = {"JWT_SECRET": "", "JWT_ALGORITHMS": algorithm, "JWT_PUBLIC_KEY": _pem_public(private)}
    with run_server(project, env=env) as server:
        ok = httpx.get(f"{server.url}/backend/tasks", headers={"Authorization": f"Bearer {_token(private, algorithm)}"})
        assert ok.status_code == 200, ok.text
        forged = httpx.get(
            f"{server.url}/backend/tasks", headers={"Authorization": f"Bearer {_token(other, algorithm)}"}
        )
        assert forged.status_code == 401
        # algorithm confusion: an HS256 token whose HMAC secret is the server's own public key
        for secret in _public_key_bytes(private):
            confused = _hs256_signed_with(secret)
            signing_input, _, signature = confused.rpartition(".")
            naive = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
            assert _b64url(naive) == signature, "a verifier that trusts the token's alg would accept it"
            refused = httpx.get(f"{server.url}/backend/tasks", headers={"Authorization": f"Bearer {confused}"})
            assert refused.status_code == 401, refused.text
            assert refused.headers["www-authenticate"] == 'Bearer error="invalid_token"'


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"JWT_SECRET": ""}, "JWT_SECRET"),
        ({"JWT_SECRET": "short-secret-of-31-bytes-xxxxxx"}, "32 bytes"),
        ({"JWT_ALGORITHMS": "HS256,RS256"}, "one family"),
        ({"JWT_ALGORITHMS": "none"}, "unsupported"),
        ({"JWT_SECRET": "", "JWT_ALGORITHMS": "RS256"}, "JWT_PUBLIC_KEY"),
        ({"JWT_SECRET": "", "JWT_ALGORITHMS": "RS256", "JWT_PUBLIC_KEY": "not a pem"}, "PEM"),
    ],
    ids=["no-secret", "short-secret", "mixed-families", "alg-none", "no-public-key", "bad-pem"],
)
def test_server_refuses_to_start_with_a_bad_key_configuration(project: Path, env: dict[str, str], message: str) -> None:
    with pytest.raises(RuntimeError) as failed, run_server(project, env=env, startup_timeout=20):
        pass
    assert message in str(failed.value)
    assert "Traceback" not in str(failed.value)


class JWKSProvider:
    """A real HTTP server serving a key set that tests can rotate; it counts fetches."""

    def __init__(self) -> None:
        self.keys: dict[str, Any] = {}
        self.fetches = 0
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                provider.fetches += 1
                body = json.dumps({"keys": [provider._jwk(kid, key) for kid, key in provider.keys.items()]}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/.well-known/jwks.json"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @staticmethod
    def _jwk(kid: str, private: Any) -> dict[str, Any]:
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(private.public_key()))
        return {**jwk, "kid": kid, "use": "sig", "alg": "RS256"}

    def rotate(self) -> str:
        kid = uuid.uuid4().hex[:8]
        self.keys = {kid: KEYS["RS256"]()}
        return kid


@pytest.fixture
def provider() -> Iterator[JWKSProvider]:
    p = JWKSProvider()
    yield p
    p.server.shutdown()


def _get(server_url: str, token: str) -> httpx.Response:
    return httpx.get(f"{server_url}/backend/tasks", headers={"Authorization": f"Bearer {token}"}, timeout=10)


def test_jwks_keys_verify_and_rotation_is_picked_up_after_the_cooldown(project: Path, provider: JWKSProvider) -> None:
    first = provider.rotate()
    env = {"JWT_SECRET": "", "JWT_ALGORITHMS": "RS256", "JWT_JWKS_URL": provider.url, "JWT_JWKS_COOLDOWN": "1"}
    with run_server(project, env=env) as server:
        assert _get(server.url, _token(provider.keys[first], "RS256", kid=first)).status_code == 200
        old_key = provider.keys[first]
        second = provider.rotate()
        time.sleep(1.1)
        assert _get(server.url, _token(provider.keys[second], "RS256", kid=second)).status_code == 200
        time.sleep(1.1)
        # the old key is gone from the provider: once refetched, tokens signed with it fail
        assert _get(server.url, _token(old_key, "RS256", kid=first)).status_code == 401


def test_a_flood_of_unknown_kids_costs_the_provider_at_most_one_fetch_per_cooldown(
    project: Path, provider: JWKSProvider
) -> None:
    kid = provider.rotate()
    env = {"JWT_SECRET": "", "JWT_ALGORITHMS": "RS256", "JWT_JWKS_URL": provider.url, "JWT_JWKS_COOLDOWN": "30"}
    with run_server(project, env=env) as server:
        assert _get(server.url, _token(provider.keys[kid], "RS256", kid=kid)).status_code == 200
        before = provider.fetches
        attacker = KEYS["RS256"]()
        for _ in range(50):
            response = _get(server.url, _token(attacker, "RS256", kid=uuid.uuid4().hex))
            assert response.status_code == 401
        assert provider.fetches - before <= 1
        assert _get(server.url, _token(provider.keys[kid], "RS256", kid=kid)).status_code == 200


def test_unreachable_jwks_answers_503_with_retry_after_not_500(project: Path) -> None:
    dead = f"http://127.0.0.1:{free_port()}/jwks.json"
    env = {"JWT_SECRET": "", "JWT_ALGORITHMS": "RS256", "JWT_JWKS_URL": dead}
    with run_server(project, env=env) as server:
        token = _token(KEYS["RS256"](), "RS256", kid="k1")
        response = _get(server.url, token)
        assert response.status_code == 503
        assert response.headers["retry-after"].isdigit()
        assert response.headers["content-type"] == "application/problem+json"


def test_jwks_token_without_kid_is_401(project: Path, provider: JWKSProvider) -> None:
    kid = provider.rotate()
    env = {"JWT_SECRET": "", "JWT_ALGORITHMS": "RS256", "JWT_JWKS_URL": provider.url}
    with run_server(project, env=env) as server:
        response = _get(server.url, _token(provider.keys[kid], "RS256"))
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == 'Bearer error="invalid_token"'


def test_issuer_audience_and_leeway_are_enforced_when_configured(project: Path) -> None:
    from tests.support import make_token

    env = {"JWT_ISSUER": "https://id.example", "JWT_AUDIENCE": "tasks-api", "JWT_LEEWAY": "30"}
    with run_server(project, env=env) as server:
        good = make_token(iss="https://id.example", aud="tasks-api")
        assert _get(server.url, good).status_code == 200
        assert _get(server.url, make_token(iss="https://evil.example", aud="tasks-api")).status_code == 401
        assert _get(server.url, make_token(iss="https://id.example", aud="other-api")).status_code == 401
        assert _get(server.url, make_token(aud="tasks-api")).status_code == 401, "missing iss"
        assert _get(server.url, make_token(iss="https://id.example")).status_code == 401, "missing aud"
        within = make_token(ttl=-10, iss="https://id.example", aud="tasks-api")
        beyond = make_token(ttl=-60, iss="https://id.example", aud="tasks-api")
        assert _get(server.url, within).status_code == 200, "expired 10 s ago is inside a 30 s leeway"
        assert _get(server.url, beyond).status_code == 401
