"""退出登录 ends the account's API tokens (docs/decisions.md, "Logout ends every token of the account"): the scanner
page's sign-out and `POST /api/v1/auth/logout` bump the token version, so a bearer token kept from before, on this
phone or copied to another, is refused on the next scan (in the one-statement scan on PostgreSQL, in the steps on
SQLite); a fresh sign-in works again."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from sqlalchemy import func, select

from healthcode.accounts.models import Account
from healthcode.checkpoints.models import Scan
from tests.checkpoints.factories import NOW, PASSWORD, add_point, issue, org, person, scan, scanner, token
from tests.sessions.helpers import gov_admin, gov_signed_in, scanner_can_mint, stranger

LOGOUT = "/api/v1/auth/logout"


@pytest.fixture
def ready(client: Any, db: Any, freeze: Any) -> dict[str, Any]:
    """An authorised scanner with a token, a point it reported and a resident's issued code: ready to scan."""
    freeze(NOW)
    phone = scanner(db, org(db).username)
    headers = token(client, phone)
    point = add_point(client, headers)
    issued = issue(db, person(db), NOW)
    return {"phone": phone, "headers": headers, "point": point, "qr": issued.qr_text, "number": issued.number_code}


def scans(db: Any) -> int:
    db.rollback()  # a fresh snapshot: the app committed in its own transactions
    return int(db.scalar(select(func.count()).select_from(Scan)) or 0)


def refused_as_invalid_token(response: Any) -> bool:
    return response.status_code == 401 and response.json()["error"] == "invalid_token"


def test_after_the_scanner_pages_logout_the_token_kept_from_before_is_refused_on_a_scan(client, db, ready) -> None:
    # Given a scanner signed in to the page, whose token scans
    assert client.post("/scanner/login", data={"phone": ready["phone"], "password": PASSWORD},
                       follow_redirects=False).status_code == 303
    assert scan(client, ready["headers"], ready["point"], ready["qr"]).status_code == 201
    # When he presses 退出登录
    out = client.post("/scanner/logout", follow_redirects=False)
    assert out.status_code == 303 and out.headers["location"].endswith("/scanner/login")
    # Then the token he kept is refused, by QR and by number code, and nothing more is recorded
    assert refused_as_invalid_token(scan(client, ready["headers"], ready["point"], ready["qr"]))
    assert refused_as_invalid_token(scan(client, ready["headers"], ready["point"], ready["number"]))
    assert scans(db) == 1
    # And a fresh sign-in scans again
    assert scan(client, token(client, ready["phone"]), ready["point"], ready["qr"]).status_code == 201


def test_the_pages_logout_ends_the_tokens_of_every_device_and_the_pages_of_every_browser(client, db, ready) -> None:
    # Given the scanner's token copied to another phone, and a second browser signed in to the scanner's pages
    elsewhere = stranger(client)
    copied = {"Authorization": ready["headers"]["Authorization"]}
    assert elsewhere.post("/scanner/login", data={"phone": ready["phone"], "password": PASSWORD},
                          follow_redirects=False).status_code == 303
    assert client.post("/scanner/login", data={"phone": ready["phone"], "password": PASSWORD},
                       follow_redirects=False).status_code == 303
    # When one browser signs out
    assert client.post("/scanner/logout", follow_redirects=False).status_code == 303
    # Then the copy is refused and the other browser is signed out too (it gets no new token)
    assert refused_as_invalid_token(scan(elsewhere, copied, ready["point"], ready["qr"]))
    assert not scanner_can_mint(elsewhere)
    elsewhere.close()


def test_api_logout_answers_204_and_ends_the_token(client, db, ready) -> None:
    out = client.post(LOGOUT, headers=ready["headers"])

    assert out.status_code == 204 and out.content == b"" and out.headers["cache-control"] == "no-store"
    assert refused_as_invalid_token(scan(client, ready["headers"], ready["point"], ready["qr"]))
    assert refused_as_invalid_token(client.get("/api/v1/checkpoint/me", headers=ready["headers"]))
    assert refused_as_invalid_token(client.post(LOGOUT, headers=ready["headers"]))  # once only
    assert scans(db) == 0
    fresh = token(client, ready["phone"])
    assert scan(client, fresh, ready["point"], ready["qr"]).status_code == 201


def test_api_logout_ends_the_scanners_other_tokens_and_his_page(client, db, ready) -> None:
    other_phone = token(client, ready["phone"])
    assert client.post("/scanner/login", data={"phone": ready["phone"], "password": PASSWORD},
                       follow_redirects=False).status_code == 303

    assert client.post(LOGOUT, headers=other_phone).status_code == 204

    assert refused_as_invalid_token(scan(client, ready["headers"], ready["point"], ready["number"]))
    assert not scanner_can_mint(client)


def test_api_logout_without_a_valid_token_is_a_chinese_401_and_ends_nothing(client, db, ready) -> None:
    cases = [({}, "unauthorised"), ({"Authorization": "Basic eDp5"}, "unauthorised"),
             ({"Authorization": "Bearer not-a-token"}, "invalid_token")]
    for headers, error in cases:
        refused = client.post(LOGOUT, headers=headers)
        assert refused.status_code == 401, refused.text
        body = refused.json()
        assert set(body) == {"error", "message"} and body["error"] == error and "登录" in body["message"]
    assert scan(client, ready["headers"], ready["point"], ready["qr"]).status_code == 201


def test_an_admins_api_logout_ends_his_tokens_and_his_console_sessions(client, db, freeze) -> None:
    # Given a unit admin signed in to the console and holding an API token
    freeze(NOW)
    unit = gov_admin(client, db)
    headers = token(client, unit.username, unit.password)
    assert client.get("/api/v1/org/me", headers=headers).status_code == 200
    # When his API client signs out
    assert client.post(LOGOUT, headers=headers).status_code == 204
    # Then the token is refused and the console signs him out (the same account, the same version)
    assert refused_as_invalid_token(client.get("/api/v1/org/me", headers=headers))
    assert not gov_signed_in(client)
    assert client.get("/api/v1/org/me", headers=token(client, unit.username, unit.password)).status_code == 200


def test_the_logout_is_logged_by_account_id_without_the_phone(client, db, ready, caplog) -> None:
    account_id = db.scalars(select(Account.id).where(Account.username == ready["phone"])).one()
    with caplog.at_level(logging.INFO, logger="healthcode.accounts.service"):
        client.post(LOGOUT, headers=ready["headers"])
        client.post("/scanner/login", data={"phone": ready["phone"], "password": PASSWORD})
        client.post("/scanner/logout")

    lines = [r.getMessage() for r in caplog.records if r.name == "healthcode.accounts.service"]
    assert lines == [f"account {account_id} signed out (api): every token and session of it ended",
                     f"account {account_id} signed out (scanner page): every token and session of it ended"]
