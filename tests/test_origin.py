"""Another site's page cannot post with the resident's or the admin's session cookie (web/origin.py)."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from healthcode.app import create_app
from healthcode.config import Settings
from tests.identity.flow import make_account, sign_in


def test_given_a_signed_in_resident_then_only_this_site_s_pages_can_post_with_the_session(client: Any, db: Any) -> None:
    make_account(db)
    assert sign_in(client).status_code == 200
    # Another site's page posting the sign-out form: refused before the route, the session stays
    refused = client.post("/citizen/logout", headers={"Origin": "https://evil.example"}, follow_redirects=False)
    assert refused.status_code == 403 and refused.json()["error"] == "cross_site"
    assert "跨站请求已拒绝" in refused.json()["message"]
    assert client.get("/api/v1/me/code").status_code == 200
    assert client.post("/citizen/logout", headers={"Origin": "null"}, follow_redirects=False).status_code == 403
    # This site's own page (any scheme: a TLS-terminating proxy) and a request without Origin go through
    assert client.post("/citizen/logout", headers={"Origin": "https://testserver"}, follow_redirects=False
                       ).status_code == 303
    assert sign_in(client).status_code == 200
    assert client.post("/citizen/logout", follow_redirects=False).status_code == 303


def test_bearer_api_calls_carry_no_cookie_and_are_not_affected(client: Any) -> None:
    response = client.post("/api/v1/checkpoint/scans", headers={"Origin": "https://evil.example",
                                                                 "Authorization": "Bearer nonsense"},
                           json={"point_id": 1, "code": "0"})
    assert response.status_code == 401


def test_an_allowed_origin_may_post(engine: Any, tmp_path: Any) -> None:
    settings = Settings(env="test", data_dir=tmp_path, allowed_origins=["https://jkm.example.gov.cn/"])
    with TestClient(create_app(settings, engine)) as client:
        client.cookies.set("healthcode_session", "x")
        assert client.post("/citizen/logout", headers={"Origin": "https://jkm.example.gov.cn"},
                           follow_redirects=False).status_code == 303
        assert client.post("/citizen/logout", headers={"Origin": "https://other.example.gov.cn"},
                           follow_redirects=False).status_code == 403
