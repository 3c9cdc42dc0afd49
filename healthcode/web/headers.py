"""Security headers on every response: no framing (clickjacking), only the platform's own scripts, no referrer sent
to other sites, no content-type guessing, and HTTPS remembered by the browser in production.

Scripts: 'self' only, no inline script, no eval: the pages' scripts are files under /static (data for them travels in
`<script type="application/json">` blocks, which do not execute). Styles allow 'unsafe-inline': ECharts' tooltips
and htmx's indicator rules are inline styles, and a style cannot run script. Images allow data: (the citizen's QR PNG
comes as a data URL) and blob:. The API docs (Swagger UI and ReDoc from FastAPI, loaded from a CDN with one inline
script each) get a policy of their own that allows just that, until they are served from /static."""

from __future__ import annotations

from typing import Any

PAGE_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
               "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
DOCS_CDN = "https://cdn.jsdelivr.net"
DOCS_POLICY = (f"default-src 'self'; script-src 'self' 'unsafe-inline' {DOCS_CDN}; style-src 'self' 'unsafe-inline' "
               f"{DOCS_CDN} https://fonts.googleapis.com; font-src 'self' https://fonts.gstatic.com; img-src 'self' "
               "data: https://fastapi.tiangolo.com https://cdn.redoc.ly; worker-src 'self' blob:; object-src 'none'; "
               "base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
DOCS_PATHS = ("/api/docs", "/redoc")
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
        self.page = _headers(PAGE_POLICY, hsts)
        self.docs = _headers(DOCS_POLICY, hsts)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = self.docs if scope["path"].startswith(DOCS_PATHS) else self.page

        async def send_with_headers(message: Any) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", ()), *extra]}
            await send(message)

        await self.app(scope, receive, send_with_headers)
