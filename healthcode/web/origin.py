"""Cross-site requests refused: a state-changing request (POST, PUT, PATCH, DELETE) that carries cookies and comes
from a page of another site is answered 403 before it reaches a route.

The session cookie is SameSite=Lax, which keeps current browsers from sending it with another site's POST; this
covers those that do not honour SameSite (older in-app WebViews). Browsers send `Origin` with such requests. API
calls with a bearer token carry no cookie and are not affected, nor are requests without `Origin` (not from a web
page). The request's own host is accepted whatever the scheme (behind a TLS-terminating proxy the app sees http);
`HEALTHCODE_ALLOWED_ORIGINS` adds others, for a proxy that does not pass the public host on.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from starlette.responses import JSONResponse

UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class SameOriginOnly:
    def __init__(self, app: Any, allowed: Iterable[str] = ()) -> None:
        self.app = app
        self.allowed = {origin.rstrip("/").lower() for origin in allowed}

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["method"] in UNSAFE:
            origin = host = None
            cookie = False
            for name, value in scope["headers"]:
                if name == b"origin":
                    origin = value.decode("latin-1").lower()
                elif name == b"host":
                    host = value.decode("latin-1").lower()
                elif name == b"cookie":
                    cookie = True
            if cookie and origin is not None and not self._accepted(origin, host):
                response = JSONResponse({"error": "cross_site", "message": "跨站请求已拒绝：请在本平台的页面上操作"},
                                        status_code=403)
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)

    def _accepted(self, origin: str, host: str | None) -> bool:
        if origin in self.allowed:
            return True
        return host is not None and origin != "null" and origin.split("://", 1)[-1] == host
