"""The HTML the runtime serves (`/docs`): contract text escaped, and a Content-Security-Policy under
which the page runs its own scripts and nothing else.

A contract is untrusted input: its `info.title` lands in the page's `<title>`, which FastAPI's
`get_swagger_ui_html` writes unescaped. The policy is the second wall: scripts only from the
asset host FastAPI's page loads Swagger UI from, plus the one inline script the page itself
carries, allowed by its hash (never `'unsafe-inline'`).
"""

from __future__ import annotations

import base64
import hashlib
import html
import inspect
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from fastapi.openapi.docs import get_swagger_ui_html

_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)


@dataclass(frozen=True)
class Page:
    html: bytes
    headers: dict[str, str]


def _default(name: str) -> str:
    """One of get_swagger_ui_html's asset URLs, as FastAPI chooses it (kept in step with FastAPI)."""
    value: Any = inspect.signature(get_swagger_ui_html).parameters[name].default
    return str(value)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _script_hash(script: str) -> str:
    digest = hashlib.sha256(script.encode()).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


def swagger_page(title: str, openapi_url: str = "/openapi.json") -> Page:
    """Built once at startup: the page is the same for every request."""
    js, css, icon = (_default(n) for n in ("swagger_js_url", "swagger_css_url", "swagger_favicon_url"))
    response = get_swagger_ui_html(
        openapi_url=openapi_url,
        title=html.escape(f"{title} - docs"),
        swagger_js_url=js,
        swagger_css_url=css,
        swagger_favicon_url=icon,
    )
    body = bytes(response.body)
    inline = " ".join(_script_hash(s) for s in _INLINE_SCRIPT.findall(body.decode()))
    policy = "; ".join(
        [
            "default-src 'none'",
            f"script-src {_origin(js)} {inline}",
            # Swagger UI sets style attributes as it renders; styles cannot run code
            f"style-src {_origin(css)} 'unsafe-inline'",
            f"img-src 'self' data: {_origin(icon)}",
            "connect-src 'self'",
            "base-uri 'none'",
            "form-action 'none'",
            "frame-ancestors 'none'",
        ]
    )
    headers = {"Content-Security-Policy": policy, "X-Content-Type-Options": "nosniff"}
    return Page(html=body, headers=headers)
