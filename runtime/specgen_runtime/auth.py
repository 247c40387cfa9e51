"""Bearer JWT verification, done in ASGI middleware before routing.

Because it runs before the router, the body parser and any database session,
a request without a valid token learns nothing: not whether the route exists,
not what its body should look like (RFC 6750 headers on every 401).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import anyio.to_thread
import jwt
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .config import HS_ALGORITHMS, ConfigError, Settings
from .db import all_text_storable
from .jwks import JWKSCache, KeySetUnavailable, UnknownKey
from .problems import PROBLEM_HEADERS, problem_body, send_problem


@dataclass(frozen=True)
class User:
    """The verified caller: `id` is the token's `sub`, `claims` the whole verified token."""

    id: str
    claims: dict[str, Any] = field(default_factory=dict, compare=False)


class InvalidToken(Exception):
    pass


class VerifiedTokens:
    """Tokens that passed verification, so a client's next requests skip the signature check.

    Keyed by the whole token, signature included: only a token that verified can hit. An entry
    lasts until the token expires (with the configured leeway) and never more than `ttl`
    seconds, so a key withdrawn from a JWKS stops being honoured within `ttl`. Every other
    claim check is a property of the token itself and cannot change while it is cached, except
    `nbf`, which only becomes more true. Bounded: the oldest entries go first.
    """

    def __init__(self, *, ttl: float = 60.0, size: int = 10_000) -> None:
        self.ttl = ttl
        self.size = size
        self._entries: dict[str, tuple[dict[str, Any], float]] = {}

    def get(self, token: str) -> dict[str, Any] | None:
        entry = self._entries.get(token)
        if entry is None:
            return None
        claims, until = entry
        if time.time() >= until:
            del self._entries[token]
            return None
        return dict(claims)  # a copy: a handler that edits its claims must not edit the cache

    def put(self, token: str, claims: dict[str, Any], leeway: float) -> None:
        until = min(float(claims["exp"]) + leeway, time.time() + self.ttl)
        if len(self._entries) >= self.size:
            for old in list(self._entries)[: self.size // 10]:
                del self._entries[old]
        self._entries[token] = (dict(claims), until)


class TokenVerifier:
    def __init__(self, settings: Settings) -> None:
        self.algorithms = list(settings.jwt_algorithms)
        self.key: Any = None
        self.jwks: JWKSCache | None = None
        if settings.jwt_algorithms[0] in HS_ALGORITHMS:
            self.key = settings.jwt_secret
        elif settings.jwt_jwks_url:
            self.jwks = JWKSCache(
                settings.jwt_jwks_url, self.algorithms, ttl=settings.jwt_jwks_ttl, cooldown=settings.jwt_jwks_cooldown
            )
        else:
            try:
                self.key = load_pem_public_key(str(settings.jwt_public_key).encode())
            except (ValueError, TypeError) as exc:
                raise ConfigError(f"JWT_PUBLIC_KEY is not a PEM public key ({type(exc).__name__})") from None
        self.issuer = settings.jwt_issuer
        self.audience = settings.jwt_audience
        self.leeway = settings.jwt_leeway
        self.options = {"require": ["exp", "sub"], "verify_aud": self.audience is not None}
        self.verified = VerifiedTokens()

    async def verify_async(self, token: str) -> dict[str, Any]:
        """verify(), with the JWKS fetched off the event loop when a key is missing or stale."""
        claims = self.verified.get(token)
        if claims is not None:
            return claims
        if self.jwks is not None:
            kid = _kid(token)
            if self.jwks.needs_fetch(kid):
                await anyio.to_thread.run_sync(self.jwks.refresh)
        return self.verify(token)

    def verify(self, token: str) -> dict[str, Any]:
        key = self.key
        if self.jwks is not None:
            try:
                key = self.jwks.key_for(_kid(token))
            except UnknownKey:
                raise InvalidToken("unknown kid") from None
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=self.algorithms,  # from configuration, never from the token
                options=self.options,  # type: ignore[arg-type]
                audience=self.audience,
                issuer=self.issuer,
                leeway=self.leeway,
            )
        except (jwt.PyJWTError, ValueError, TypeError) as exc:
            raise InvalidToken(type(exc).__name__) from None
        sub = claims.get("sub")
        if not isinstance(sub, str) or not sub.strip():
            raise InvalidToken("sub")
        if not all_text_storable(claims):
            # A signed NUL or lone surrogate (JSON's \u0000, \ud800) would reach a query as the
            # caller's id and fail there: text no database can store names no one.
            raise InvalidToken("unstorable text")
        self.verified.put(token, claims, self.leeway)
        return claims


def _kid(token: str) -> str:
    try:
        kid = jwt.get_unverified_header(token).get("kid")
    except jwt.PyJWTError:
        raise InvalidToken("header") from None
    if not isinstance(kid, str) or not kid:
        raise InvalidToken("kid")
    return kid


def _unauthorized(error: bool, detail: str) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    challenge = b'Bearer error="invalid_token"' if error else b"Bearer"
    return 401, [*PROBLEM_HEADERS, (b"www-authenticate", challenge)], problem_body(401, detail)


class BearerAuthMiddleware:
    """Authenticates every request under `mount_path`; marks authenticated responses no-store."""

    def __init__(
        self, app: ASGIApp, verifier: TokenVerifier, mount_path: str, owner_claims: tuple[str, ...] = ("sub",)
    ) -> None:
        self.app = app
        self.verifier = verifier
        self.mount = mount_path.rstrip("/")
        self.prefix = self.mount + "/"
        self.owner_claims = owner_claims

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not (
            scope["path"] == self.mount or scope["path"].startswith(self.prefix) or not self.mount
        ):
            await self.app(scope, receive, send)
            return
        auth = [v for k, v in scope["headers"] if k == b"authorization"]
        failure = await self._authenticate(scope, auth)
        if failure is not None:
            status, headers, body = failure
            await send({"type": "http.response.start", "status": status, "headers": headers})
            await send({"type": "http.response.body", "body": body})
            return

        async def send_no_store(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [h for h in message.get("headers", []) if h[0].lower() != b"cache-control"]
                message["headers"] = [*headers, (b"cache-control", b"no-store")]
            await send(message)

        await self.app(scope, receive, send_no_store)

    async def _authenticate(
        self, scope: Scope, auth: list[bytes]
    ) -> tuple[int, list[tuple[bytes, bytes]], bytes] | None:
        if not auth:
            return _unauthorized(False, "A bearer token is required")
        if len(auth) > 1:
            return _unauthorized(True, "Send exactly one Authorization header")
        scheme, _, token = auth[0].decode("latin-1").strip().partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer":
            # RFC 6750 3.1: no bearer credentials at all -> a bare challenge, no error code
            return _unauthorized(False, "A bearer token is required")
        if not token:
            return _unauthorized(True, "The bearer token is empty")
        try:
            claims = await self.verifier.verify_async(token)
        except InvalidToken:
            return _unauthorized(True, "The token is invalid or expired")
        except KeySetUnavailable:
            headers = [*PROBLEM_HEADERS, (b"retry-after", b"5")]
            return 503, headers, problem_body(503, "The identity provider's keys are unavailable; retry shortly")
        owner_ids = {}
        for claim in self.owner_claims:
            value = claims.get(claim)
            if not isinstance(value, (str, int)) or isinstance(value, bool) or str(value) == "":
                return _unauthorized(True, f"The token lacks the {claim} claim")
            owner_ids[claim] = str(value)
        scope.setdefault("state", {})["user"] = User(id=claims["sub"], claims=claims)
        scope["state"]["owner_ids"] = owner_ids
        return None


class BodyLimitMiddleware:
    """413 for bodies over the limit, whether Content-Length says so or chunks add up to it."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for key, value in scope["headers"]:
            if key == b"content-length":
                if not value.isdigit() or int(value) > self.max_bytes:
                    await send_problem(
                        send,
                        413 if value.isdigit() else 400,
                        "The request body is too large" if value.isdigit() else "Invalid Content-Length",
                    )
                    return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    # Bodies are read by json_body (runtime/body.py), which lets this through to
                    # the except below, where the 413 is sent.
                    raise _BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _BodyTooLarge:
            if not started:
                await send_problem(send, 413, "The request body is too large")


class _BodyTooLarge(Exception):
    pass
