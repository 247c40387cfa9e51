"""Bounds on the request line and the headers: 414 beyond the URL limit, 431 beyond a header limit.

Enforced twice, by one set of rules (RequestLimits):

- in the server, while the request is parsed (`LimitedHttpToolsProtocol`, what `specgen serve`
  runs). This is the bound that protects memory: httptools buffers a header however long it is
  (a 32 MB header was read whole, then answered 200) and uvicorn has no limit for it. Here the
  bytes of an unfinished request head are counted as they arrive, and the request is refused as
  soon as it is past the limits, with the connection closed after a short linger. Where httptools
  is missing, `LimitedH11Protocol`: h11 buffers a head up to `h11_max_incomplete_event_size`,
  which is set to the same bound, and the 400 uvicorn would answer past it becomes the 431.
- in the app, as ASGI middleware (`RequestLimitsMiddleware`), on the parsed request: the answer
  under any server, as the same problem+json.
"""

from __future__ import annotations

from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, ClassVar

from starlette.types import ASGIApp, Receive, Scope, Send

from .config import HEAD_LIMITS, Settings
from .problems import PROBLEM_HEADERS, problem_body, send_problem

Refusal = tuple[int, str]

LINGER_SECONDS = 1.0  # after a refusal, input is read and dropped this long so the client sees the answer


@dataclass(frozen=True)
class RequestLimits:
    """A header's size is its name plus its value in bytes; the total is the sum over all headers;
    the URL is the request target (path and query) as sent."""

    url_bytes: int = HEAD_LIMITS["MAX_URL_BYTES"]
    header_bytes: int = HEAD_LIMITS["MAX_HEADER_BYTES"]
    headers_bytes: int = HEAD_LIMITS["MAX_HEADERS_BYTES"]
    header_count: int = HEAD_LIMITS["MAX_HEADER_COUNT"]

    @classmethod
    def from_settings(cls, settings: Settings) -> RequestLimits:
        return cls(
            url_bytes=settings.max_url_bytes,
            header_bytes=settings.max_header_bytes,
            headers_bytes=settings.max_headers_bytes,
            header_count=settings.max_header_count,
        )

    @property
    def head_bytes(self) -> int:
        """The most raw bytes a request line and header block within the limits can take: the
        limits plus framing (method, version, `: ` and CRLF per header)."""
        return self.url_bytes + self.headers_bytes + 4 * self.header_count + 64

    def url_refusal(self, length: int) -> Refusal | None:
        if length > self.url_bytes:
            return 414, f"The request URL is longer than {self.url_bytes} bytes"
        return None

    def header_refusal(self, count: int, size: int, total: int) -> Refusal | None:
        """After the `count`th header, of `size` bytes, with `total` bytes of headers so far."""
        if size > self.header_bytes:
            return 431, f"A request header is longer than {self.header_bytes} bytes"
        if total > self.headers_bytes:
            return 431, f"The request headers are longer than {self.headers_bytes} bytes in total"
        if count > self.header_count:
            return 431, f"The request has more than {self.header_count} headers"
        return None

    def head_refusal(self) -> Refusal:
        return 431, f"The request headers are longer than {self.headers_bytes} bytes in total"

    def scope_refusal(self, scope: Scope) -> Refusal | None:
        path = scope.get("raw_path") or scope["path"].encode("utf-8", "surrogateescape")
        query = scope.get("query_string") or b""
        refusal = self.url_refusal(len(path) + (len(query) + 1 if query else 0))
        if refusal is not None:
            return refusal
        total = 0
        for count, (name, value) in enumerate(scope["headers"], start=1):
            size = len(name) + len(value)
            total += size
            refusal = self.header_refusal(count, size, total)
            if refusal is not None:
                return refusal
        return None


class RequestLimitsMiddleware:
    """414/431 as problem+json for a parsed request past the limits (outermost: before CORS and auth)."""

    def __init__(self, app: ASGIApp, limits: RequestLimits) -> None:
        self.app = app
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            refusal = self.limits.scope_refusal(scope)
            if refusal is not None:
                await send_problem(send, *refusal)
                return
        await self.app(scope, receive, send)


class _HeadRefused(Exception):
    def __init__(self, refusal: Refusal) -> None:
        super().__init__(refusal[1])
        self.refusal = refusal


def _limited_httptools_protocol() -> type[Any] | None:
    try:
        import httptools
        from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol
    except ImportError:  # pragma: no cover - uvicorn[standard] brings httptools
        return None

    class LimitedHttpToolsProtocol(HttpToolsProtocol):
        """uvicorn's httptools protocol, refusing a request head past the limits while it arrives.

        The per-header and URL rules run in the parser's callbacks. httptools hands a header over
        only once it is complete, so the bytes of an unfinished head are counted too: every chunk
        that arrives while a head is unfinished, and began before the chunk, adds its length.
        (The chunk in which a request begins is not counted, so nothing but head bytes ever is.)
        """

        limits: ClassVar[RequestLimits] = RequestLimits()

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._in_head = False
            self._head_began = False
            self._head_bytes = 0
            self._header_count = 0
            self._headers_total = 0
            self._refused = False

        def on_message_begin(self) -> None:
            super().on_message_begin()
            self._in_head = self._head_began = True
            self._head_bytes = self._header_count = self._headers_total = 0

        def on_url(self, url: bytes) -> None:
            super().on_url(url)
            refusal = self.limits.url_refusal(len(self.url))
            if refusal is not None:
                raise _HeadRefused(refusal)

        def on_header(self, name: bytes, value: bytes) -> None:
            super().on_header(name, value)
            size = len(name) + len(value)
            self._header_count += 1
            self._headers_total += size
            refusal = self.limits.header_refusal(self._header_count, size, self._headers_total)
            if refusal is not None:
                raise _HeadRefused(refusal)

        def on_headers_complete(self) -> None:
            self._in_head = False
            super().on_headers_complete()

        def data_received(self, data: bytes) -> None:
            if self._refused:
                return  # lingering: what the client still sends is dropped
            self._unset_keepalive_if_required()
            was_in_head, self._head_began = self._in_head, False
            try:
                self.parser.feed_data(data)
            except httptools.HttpParserUpgrade:
                if self._should_upgrade():
                    self.handle_websocket_upgrade()
                else:
                    self._unsupported_upgrade_warning()
                return
            except httptools.HttpParserError as exc:
                if isinstance(exc.__context__, _HeadRefused):
                    self._refuse(exc.__context__.refusal)
                    return
                msg = "Invalid HTTP request received."
                self.logger.warning(msg)
                self.send_400_response(msg)
                return
            if self._in_head and was_in_head and not self._head_began:
                self._head_bytes += len(data)
                if self._head_bytes > self.limits.head_bytes:
                    self._refuse(self.limits.head_refusal())

        def _refuse(self, refusal: Refusal) -> None:
            self._refused = True
            if self.cycle is not None and not self.cycle.response_complete:
                # a pipelined request past the limits while an earlier one is being answered
                self.transport.close()
                return
            status, detail = refusal
            body = problem_body(status, detail)
            content = [STATUS_LINE[status]]
            for name, value in [*self.server_state.default_headers, *PROBLEM_HEADERS]:
                content += [name, b": ", value, b"\r\n"]
            content += [b"content-length: ", str(len(body)).encode(), b"\r\n", b"connection: close\r\n\r\n", body]
            self.transport.write(b"".join(content))
            self.loop.call_later(LINGER_SECONDS, self.transport.close)

    return LimitedHttpToolsProtocol


def _limited_h11_protocol() -> type[Any]:
    import h11
    from h11._connection import DEFAULT_MAX_INCOMPLETE_EVENT_SIZE  # as uvicorn imports it
    from uvicorn.protocols.http.h11_impl import H11Protocol

    class LimitedH11Protocol(H11Protocol):
        """uvicorn's h11 protocol (where httptools is missing), answering h11's own bound on a
        request head (`h11_max_incomplete_event_size`, which `specgen serve` sets to the limits plus
        framing) with the 431 problem, then lingering, instead of a plain 400 and a reset."""

        _refused = False

        def data_received(self, data: bytes) -> None:
            if not self._refused:
                super().data_received(data)

        def send_400_response(self, msg: str) -> None:
            bound = self.config.h11_max_incomplete_event_size or DEFAULT_MAX_INCOMPLETE_EVENT_SIZE
            if len(self.conn.trailing_data[0]) <= bound:
                super().send_400_response(msg)  # a malformed request, not an oversized head
                return
            self._refused = True
            body = problem_body(431, f"The request line and headers are longer than {bound} bytes")
            headers = [*PROBLEM_HEADERS, (b"connection", b"close")]
            reason = HTTPStatus(431).phrase.encode()
            for event in (h11.Response(status_code=431, headers=headers, reason=reason), h11.Data(data=body)):
                self.transport.write(self.conn.send(event))
            self.transport.write(self.conn.send(h11.EndOfMessage()))
            self.loop.call_later(LINGER_SECONDS, self.transport.close)

    return LimitedH11Protocol


LimitedHttpToolsProtocol = _limited_httptools_protocol()
LimitedH11Protocol = _limited_h11_protocol()
HTTP_PROTOCOL = (
    "specgen_runtime.limits:LimitedHttpToolsProtocol"
    if LimitedHttpToolsProtocol
    else "specgen_runtime.limits:LimitedH11Protocol"
)


def configure_server(limits: RequestLimits) -> None:
    """The limits the server's protocol enforces in this process (set where the app is built, so
    every uvicorn worker has them)."""
    if LimitedHttpToolsProtocol is not None:
        LimitedHttpToolsProtocol.limits = limits
