"""Signing in to each portal with a TestClient, and using a cookie copied from a browser on another one."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from healthcode.sessions.models import WebSession
from tests.checkpoints.factories import PASSWORD, org, scanner
from tests.enterprise.factories import enterprise
from tests.identity.flow import make_account, sign_in

COOKIE = "healthcode_session"


def copy(client: Any) -> str:
    """The session cookie a thief would copy from the browser."""
    token = client.cookies.get(COOKIE)
    assert token, "the client has no session cookie"
    return str(token)


def stranger(client: Any, token: str | None = None) -> TestClient:
    """Another browser on the same app, with a copied session cookie (or none)."""
    other = TestClient(client.app)
    if token is not None:
        other.cookies.set(COOKIE, token)
    return other


def sessions(db: Session) -> int:
    db.rollback()  # a fresh snapshot: the app committed in its own transactions
    return int(db.scalar(select(func.count()).select_from(WebSession)) or 0)


def gov_admin(client: Any, db: Session, n: int = 1) -> Any:
    """A government unit's admin signed in to the console; returns the unit (username and password)."""
    created = org(db, n)
    response = client.post("/gov/login", data={"username": created.username, "password": created.password},
                           follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].endswith("/gov/"), response.text
    return created


def gov_signed_in(client: Any) -> bool:
    response = client.get("/gov/", follow_redirects=False)
    assert response.status_code in (200, 303), response.status_code
    return response.status_code == 200


def ent_admin(client: Any, db: Session, n: int = 1) -> Any:
    created = enterprise(db, n)
    response = client.post("/gov/login", data={"username": created.username, "password": created.password},
                           follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].endswith("/ent/"), response.text
    return created


def ent_signed_in(client: Any) -> bool:
    response = client.get("/ent/", follow_redirects=False)
    assert response.status_code in (200, 303), response.status_code
    return response.status_code == 200


def resident(client: Any, db: Session) -> None:
    make_account(db)
    assert sign_in(client).status_code == 200


def resident_signed_in(client: Any) -> bool:
    response = client.get("/api/v1/me/code")
    assert response.status_code in (200, 401), response.text
    return response.status_code == 200


def scanner_user(client: Any, db: Session) -> tuple[Any, str]:
    """An authorised scanner signed in to the scanner's pages; returns its unit and phone number."""
    created = org(db, 7)
    phone = scanner(db, created.username, 7)
    response = client.post("/scanner/login", data={"phone": phone, "password": PASSWORD}, follow_redirects=False)
    assert response.status_code == 303, response.text
    return created, phone


def scanner_can_mint(client: Any) -> bool:
    """Whether the session gets a fresh bearer token for the checkpoint API."""
    response = client.post("/scanner/token")
    assert response.status_code in (200, 401), response.text
    return response.status_code == 200
