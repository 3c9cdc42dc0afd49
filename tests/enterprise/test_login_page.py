"""The enterprise's own login page (/ent/login): headed 企业用户电脑端 (the seed's name of the enterprise portal),
where an anonymous visitor of the enterprise console is sent and where an enterprise's logout returns; the
government console's stays headed 政府用户电脑端."""

from __future__ import annotations

from typing import Any

from tests.enterprise.factories import enterprise


def test_the_enterprise_login_page_is_headed_for_the_enterprise_portal(client: Any) -> None:
    page = client.get("/ent/login")

    assert page.status_code == 200
    assert '<span class="portal">企业用户电脑端</span>' in page.text and "政府用户电脑端</span>" not in page.text
    assert 'action="http://testserver/ent/login"' in page.text


def test_the_government_login_page_stays_headed_for_the_government_portal(client: Any) -> None:
    page = client.get("/gov/login")

    assert '<span class="portal">政府用户电脑端</span>' in page.text and "/ent/login" in page.text


def test_the_enterprise_console_sends_an_anonymous_visitor_to_the_enterprise_login(client: Any) -> None:
    response = client.get("/ent/", follow_redirects=False)

    assert response.status_code == 303 and response.headers["location"].endswith("/ent/login?next=/ent/")


def test_signing_in_on_the_enterprise_login_and_out_again(client: Any, db: Any, freeze: Any) -> None:
    freeze("2020-02-24 09:00")
    org = enterprise(db, 1, "泉州示范制造有限公司")

    response = client.post("/ent/login", data={"username": org.username, "password": org.password,
                                               "next": "/ent/health"}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].endswith("/ent/health")
    out = client.post("/gov/logout", follow_redirects=False)

    assert out.headers["location"].endswith("/ent/login")
    assert client.get("/ent/", follow_redirects=False).status_code == 303


def test_a_refused_sign_in_stays_on_the_enterprise_login(client: Any, db: Any, freeze: Any) -> None:
    freeze("2020-02-24 09:00")
    org = enterprise(db, 1)

    response = client.post("/ent/login", data={"username": org.username, "password": "wrong-password"})

    assert response.status_code in (401, 403, 422)
    assert '<span class="portal">企业用户电脑端</span>' in response.text and 'role="alert"' in response.text
