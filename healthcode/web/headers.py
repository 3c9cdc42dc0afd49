"""Security headers on every response: no framing (clickjacking), only the platform's own scripts, no referrer sent
to other sites, no content-type guessing, and HTTPS remembered by the browser in production.

Scripts: 'self' only, no inline script, no eval: the pages' scripts are files under /static (data for them travels in
`<script type="application/json">` blocks, which do not execute). Styles allow 'unsafe-inline': ECharts' tooltips
and htmx's indicator rules are inline styles, and a style cannot run script. Images allow data: (Swagger UI's
stylesheet draws its icons as data URLs; the citizen's QR is drawn on a canvas) and blob:. The API docs (Swagger UI)
are served from /static with a script file of their own, so the one policy serves every page."""

from __future__ import annotations

from typing import Any

PAGE_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
               "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
HSTS = "max-age=31536000"  # a year; no includeSubDomains: the platform does not speak for its domain's other hosts


def _headers(policy: str, hsts: bool) -> list[tuple[bytes, bytes]]:
    headers = [(b"content-security-policy", policy), (b"x-frame-options", "DENY"),
               (b"referrer-policy", "same-origin"), (b"x-content-type-options", "nosniff")]
    if hsts:
        headers.append((b"strict-transport-security", HSTS))
    return [(name, value.encode()) for name, value in headers]


class SecurityHeaders:
    """Pure ASGI: the headers are appended to the response's start message (no response object rebuilt).

    Referrer-Policy is same-origin, not no-referrer: under no-referrer browsers send `Origin: null` with the
    platform's own form posts, which `web.origin.SameOriginOnly` must refuse."""

    def __init__(self, app: Any, *, hsts: bool) -> None:
        self.app = app
        self.headers = _headers(PAGE_POLICY, hsts)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = self.headers

        async def send_with_headers(message: Any) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", ()), *extra]}
            await send(message)

        await self.app(scope, receive, send_with_headers)
