"""A password change, a password reset and a scanner's revocation end the account's other sessions on the server."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from healthcode.checkpoints.models import Scanner
from healthcode.sessions.models import WebSession
from tests.checkpoints.factories import NOW, token
from tests.sessions.helpers import (
    copy,
    gov_admin,
    gov_signed_in,
    scanner_can_mint,
    scanner_user,
    sessions,
    stranger,
)

NEW_PASSWORD = "Changed2020ok"


def test_a_password_change_ends_the_accounts_other_sessions_and_renews_its_own(client: Any, db: Any,
                                                                              freeze: Any) -> None:
    freeze(NOW)
    created = gov_admin(client, db)
    other = stranger(client)
    other.post("/gov/login", data={"username": created.username, "password": created.password})
    assert gov_signed_in(other)
    before = copy(client)
    # When the admin changes the password in one browser
    changed = client.post("/gov/password", data={"old_password": created.password, "new_password": NEW_PASSWORD,
                                                 "confirm_password": NEW_PASSWORD}, follow_redirects=False)
    assert changed.status_code == 303, changed.text
    # Then the other browser is signed out, this one stays signed in under a new token, the old token is worthless
    assert not gov_signed_in(other)
    assert gov_signed_in(client) and copy(client) != before
    assert not gov_signed_in(stranger(client, before))
    assert sessions(db) == 1


def test_a_password_reset_by_the_token_api_ends_the_console_sessions(client: Any, db: Any, freeze: Any) -> None:
    freeze(NOW)
    created = gov_admin(client, db)
    headers = token(client, created.username, created.password)
    changed = client.post("/api/v1/auth/password", headers=headers,
                          data={"old_password": created.password, "new_password": NEW_PASSWORD})
    assert changed.status_code in (200, 204), changed.text
    assert not gov_signed_in(client)
    assert sessions(db) == 0


def test_revoking_a_scanner_ends_its_session(client: Any, db: Any, freeze: Any) -> None:
    freeze(NOW)
    unit, phone = scanner_user(client, db)
    copied = stranger(client, copy(client))
    scanner_id = db.scalar(select(Scanner.id).where(Scanner.phone == phone))
    admin = stranger(client)
    # When the unit's admin revokes the scanner
    revoked = admin.post(f"/api/v1/org/scanners/{scanner_id}/revoke", headers=token(admin, unit.username,
                                                                                    unit.password))
    assert revoked.status_code == 200, revoked.text
    # Then its session is gone: no page, no API token, from the browser or a copy of its cookie
    assert not scanner_can_mint(client) and not scanner_can_mint(copied)
    db.rollback()
    assert db.scalars(select(WebSession.scanner_account_id)).all() == []
