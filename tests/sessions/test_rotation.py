"""A sign-in gives the browser a new token (no session fixation), and sessions cost the database nothing for
requests without the cookie, and no write for requests that change nothing."""

from __future__ import annotations

from typing import Any

from tests.checkpoints.factories import org
from tests.conftest import count_statements
from tests.identity.flow import make_account, open_login
from tests.sessions.helpers import COOKIE, copy, gov_admin, gov_signed_in, resident_signed_in, sessions, stranger


def test_signing_in_replaces_the_token_of_the_session_before_it(client: Any, db: Any) -> None:
    # Given a browser whose session started before sign-in (the sign-in's own state), or a token planted by someone
    make_account(db)
    authorize = str(open_login(client).url)
    planted = copy(client)
    assert sessions(db) == 1
    # When the resident signs in
    client.post(authorize, data={"step": "password", "id_number": "350102198001010011", "password": "Passw0rd"})
    assert client.post(authorize, data={"step": "face"}).status_code == 200
    # Then the browser holds a new token, and the one from before sign-in opens nothing
    assert copy(client) != planted
    assert resident_signed_in(client)
    assert not resident_signed_in(stranger(client, planted))
    assert sessions(db) == 1


def test_a_console_sign_in_never_adopts_the_token_the_browser_came_with(client: Any, db: Any) -> None:
    planted = stranger(client, "chosen-by-an-attacker")
    created = org(db)
    response = planted.post("/gov/login", data={"username": created.username, "password": created.password},
                            follow_redirects=False)
    assert response.status_code == 303
    issued = response.headers["set-cookie"].split(";")[0].removeprefix(f"{COOKIE}=")
    assert issued and issued != "chosen-by-an-attacker"
    assert gov_signed_in(stranger(client, issued))


def test_requests_without_the_cookie_or_not_using_the_session_touch_no_session_row(client: Any, db: Any,
                                                                                 engine: Any) -> None:
    gov_admin(client, db)
    token = copy(client)
    statements = count_statements(engine)
    assert client.get("/static/console.js").status_code == 200  # the cookie comes along, the session is not read
    anonymous = stranger(client)
    assert anonymous.get("/api/v1/me/code").status_code == 401
    assert anonymous.get("/gov/login").status_code == 200
    assert not [s for s in statements if "web_sessions" in s]
    # A page seen twice reads the session each time and writes nothing (last seen is fresh, the data unchanged)
    assert gov_signed_in(client) and gov_signed_in(client)
    used = [s.split()[0] for s in statements if "web_sessions" in s]
    assert used == ["SELECT", "SELECT"], used
    assert copy(client) == token
