"""Every response of every portal carries the security headers (web/headers.py); HSTS only in production."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from healthcode.app import create_app
from healthcode.config import Settings

PAGES = ["/", "/citizen/", "/gov/login", "/ent/", "/scanner/login", "/scanner/register", "/static/console.js",
         "/static/validation.js", "/api/v1/me/code", "/api/v1/checkpoint/scans", "/gov/no-such-page",
         "/api/openapi.json"]


@pytest.mark.parametrize("path", PAGES)
def test_every_portal_answers_with_the_security_headers(client: Any, path: str) -> None:
    response = client.get(path, follow_redirects=False)
    policy = response.headers["content-security-policy"]
    assert "script-src 'self';" in policy and "frame-ancestors 'none'" in policy and "default-src 'self'" in policy
    assert "unsafe-eval" not in policy and "script-src 'self' 'unsafe-inline'" not in policy
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "same-origin"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "strict-transport-security" not in response.headers  # not in development or tests: plain http there


def test_a_refused_cross_site_post_carries_them_too(client: Any) -> None:
    client.cookies.set("healthcode_session", "x")
    refused = client.post("/citizen/logout", headers={"Origin": "https://evil.example"})
    assert refused.status_code == 403 and refused.headers["x-frame-options"] == "DENY"


def test_the_api_docs_get_the_pages_policy_no_cdn_and_no_inline_script(client: Any) -> None:
    policy = client.get("/api/docs").headers["content-security-policy"]
    assert "script-src 'self';" in policy and "http" not in policy and "frame-ancestors 'none'" in policy


def test_production_adds_hsts_and_a_secure_session_cookie(engine: Any, tmp_path: Path) -> None:
    settings = Settings(env="prod", data_dir=tmp_path, secret_key="s" * 32, oidc_issuer="https://idp.example",
                        oidc_client_secret="x" * 32)
    with TestClient(create_app(settings, engine)) as client:
        response = client.get("/gov/login")
        assert response.headers["strict-transport-security"] == "max-age=31536000"
        created = _org(engine)
        login = client.post("/gov/login", data={"username": created.username, "password": created.password},
                            follow_redirects=False)
        cookie = login.headers["set-cookie"]
        assert "; Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
        assert "Max-Age=1800" in cookie  # the console's idle limit, not days


def test_no_template_runs_inline_script() -> None:
    """Inline handlers, javascript: links and executing <script> blocks would be blocked by the policy."""
    import re

    templates = Path(__file__).parents[1] / "healthcode" / "web" / "templates"
    for path in templates.rglob("*.html"):
        text = path.read_text()
        assert not re.search(r"\son[a-z]+=", text), path
        assert "javascript:" not in text and "hx-on" not in text, path
        for tag in re.findall(r"<script\b[^>]*>", text):
            assert "src=" in tag or 'type="application/json"' in tag, (path, tag)


def _org(engine: Any) -> Any:
    from healthcode.db import session_factory
    from tests.checkpoints.factories import org

    with session_factory(engine)() as db:
        return org(db)
