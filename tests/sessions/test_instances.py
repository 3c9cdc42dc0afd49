"""Several server processes on one database serve any request of any session: sign in on one, use the session on
another, sign out on one, and the others refuse the cookie."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from healthcode.app import create_app
from tests.sessions.helpers import COOKIE, copy, gov_admin, gov_signed_in, resident, resident_signed_in


@pytest.fixture
def second(engine: Any, settings: Any) -> Iterator[TestClient]:
    """A second app instance on the same database (another server process, another machine)."""
    with TestClient(create_app(settings, engine)) as other:
        yield other


def test_a_console_session_signed_in_on_one_instance_is_used_and_ended_on_another(client: Any, second: Any,
                                                                                 db: Any) -> None:
    assert client.app is not second.app
    gov_admin(client, db)
    second.cookies.set(COOKIE, copy(client))
    assert gov_signed_in(second)
    # When the admin signs out through the second instance
    assert second.post("/gov/logout", follow_redirects=False).status_code == 303
    # Then the first instance refuses the cookie too
    assert not gov_signed_in(client)


def test_a_citizen_signed_in_on_one_instance_gets_codes_from_another(client: Any, second: Any, db: Any) -> None:
    resident(client, db)
    second.cookies.set(COOKIE, copy(client))
    assert resident_signed_in(second)
    client.post("/citizen/logout")
    assert not resident_signed_in(second)
