"""A JWKS client that cannot be turned against the identity provider.

Keys are cached for `ttl`; an unknown `kid` triggers at most one refetch per
`cooldown`, so a flood of made-up kids costs the provider one request, not one
per token. Fetches have a short timeout and run off the event loop. When no
key can be had because the provider is unreachable, callers get
KeySetUnavailable (a 503), never a 500.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from typing import Any

import jwt

MAX_JWKS_BYTES = 1024 * 1024


class KeySetUnavailable(Exception):
    pass


class UnknownKey(Exception):
    pass


class JWKSCache:
    def __init__(
        self, url: str, algorithms: list[str], timeout: float = 2.0, ttl: float = 300.0, cooldown: float = 30.0
    ) -> None:
        self.url = url
        self.algorithms = set(algorithms)
        self.timeout = timeout
        self.ttl = ttl
        self.cooldown = cooldown
        self.keys: dict[str, Any] = {}
        self.fetched_at = float("-inf")  # last successful fetch
        self.attempted_at = float("-inf")  # last fetch attempt, successful or not
        self.fetches = 0
        self._lock = threading.Lock()

    def needs_fetch(self, kid: str) -> bool:
        now = time.monotonic()
        if now - self.attempted_at < self.cooldown:
            return False
        return kid not in self.keys or now - self.fetched_at > self.ttl

    def refresh(self) -> None:
        """Fetch the key set unless another thread just did; never raises."""
        with self._lock:
            if time.monotonic() - self.attempted_at < self.cooldown:
                return
            self.attempted_at = time.monotonic()
            self.fetches += 1
            try:
                # the scheme is checked at startup (http/https only)
                request = urllib.request.Request(self.url, headers={"Accept": "application/json"})  # noqa: S310
                with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                    document = json.loads(response.read(MAX_JWKS_BYTES + 1)[:MAX_JWKS_BYTES])
                keyset = jwt.PyJWKSet.from_dict(document)
            except Exception:  # noqa: BLE001 - network, JSON and key errors all mean "no fresh keys"
                return
            self.keys = {k.key_id: k.key for k in keyset.keys if k.key_id}
            self.fetched_at = time.monotonic()

    def key_for(self, kid: str) -> Any:
        key = self.keys.get(kid)
        if key is not None:
            return key
        if self.fetched_at == float("-inf"):
            raise KeySetUnavailable("the JWKS could not be fetched")
        raise UnknownKey(kid)
