"""Sign-out ends the session on the server: a cookie copied before it is refused after it, in every portal."""

from __future__ import annotations

from typing import Any

from tests.checkpoints.factories import NOW
from tests.sessions.helpers import (
    copy,
    ent_admin,
    ent_signed_in,
    gov_admin,
    gov_signed_in,
    resident,
    resident_signed_in,
    scanner_can_mint,
    scanner_user,
    sessions,
    stranger,
)


def test_gov_console_cookie_copied_before_logout_is_refused_after_it(client: Any, db: Any, freeze: Any) -> None:
    freeze(NOW)
    gov_admin(client, db)
    copied = stranger(client, copy(client))
    assert gov_signed_in(copied)  # the copy works while the admin is signed in
    # When the admin signs out
    out = client.post("/gov/logout", follow_redirects=False)
    assert out.status_code == 303 and "Max-Age=0" in out.headers["set-cookie"]
    # Then neither the browser nor the copy is signed in, and nothing of the session is left on the server
    assert not gov_signed_in(client)
    assert not gov_signed_in(copied)
    assert sessions(db) == 0


def test_ent_console_cookie_copied_before_logout_is_refused_after_it(client: Any, db: Any, freeze: Any) -> None:
    freeze(NOW)
    ent_admin(client, db)
    copied = stranger(client, copy(client))
    assert ent_signed_in(copied)
    assert client.post("/gov/logout", follow_redirects=False).status_code == 303
    assert not ent_signed_in(copied)
    assert not ent_signed_in(client)


def test_citizen_cookie_copied_before_logout_is_refused_after_it(client: Any, db: Any) -> None:
    resident(client, db)
    copied = stranger(client, copy(client))
    assert resident_signed_in(copied)
    assert client.post("/citizen/logout", follow_redirects=False).status_code == 303
    assert not resident_signed_in(copied)
    assert copied.get("/citizen/", follow_redirects=False).status_code == 200  # the signed-out home page
    assert "闽政通实名登录" in copied.get("/citizen/").text
    assert sessions(db) == 0


def test_scanner_cookie_copied_before_logout_can_no_longer_mint_api_tokens(client: Any, db: Any,
                                                                          freeze: Any) -> None:
    freeze(NOW)
    scanner_user(client, db)
    copied = stranger(client, copy(client))
    assert scanner_can_mint(copied)
    assert client.post("/scanner/logout", follow_redirects=False).status_code == 303
    # Then the copy gets no API token and no page
    assert not scanner_can_mint(copied)
    page = copied.get("/scanner/service", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].endswith("/scanner/login")


def test_signing_out_of_one_portal_keeps_the_other_signed_in_under_a_new_token(client: Any, db: Any) -> None:
    # Given one browser signed in to the citizen portal and the government console
    resident(client, db)
    gov_admin(client, db)
    both = copy(client)
    # When it signs out of the console
    client.post("/gov/logout")
    # Then the resident stays signed in, under a new token; the old cookie is worth nothing
    assert resident_signed_in(client) and not gov_signed_in(client)
    assert copy(client) != both
    assert not resident_signed_in(stranger(client, both))
    assert sessions(db) == 1
