"""Sessions end after the idle limit of whoever is signed in (the platform clock, frozen, moves; no sleeps), and the
rows of those nobody came back to are purged."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select
from typer.testing import CliRunner

from healthcode import cli
from healthcode.sessions.models import WebSession
from tests.checkpoints.factories import NOW
from tests.sessions.helpers import gov_admin, gov_signed_in, resident, resident_signed_in, sessions, stranger


def test_a_console_session_lasts_while_used_and_ends_after_30_idle_minutes(client: Any, db: Any,
                                                                         freeze: Any) -> None:
    freeze(NOW)
    gov_admin(client, db)
    # Used every 29 minutes, it stays signed in for hours (each use counts from then)
    for step in range(1, 7):
        freeze(NOW + timedelta(minutes=29 * step))
        assert gov_signed_in(client), step
    # Then left for 30 minutes, it has ended, and its row is deleted when the browser comes back
    freeze(NOW + timedelta(minutes=29 * 6 + 30))
    assert not gov_signed_in(client)
    assert sessions(db) == 0


def test_a_citizen_session_lasts_12_idle_hours(client: Any, db: Any, freeze: Any) -> None:
    start = freeze(NOW)
    resident(client, db)
    freeze(start + timedelta(hours=11, minutes=50))
    assert resident_signed_in(client)
    freeze(start + timedelta(hours=23, minutes=39))
    assert resident_signed_in(client)
    freeze(start + timedelta(hours=35, minutes=40))
    assert not resident_signed_in(client)


def test_the_idle_limit_is_a_setting(engine: Any, tmp_path: Any, db: Any, freeze: Any) -> None:
    from fastapi.testclient import TestClient

    from healthcode.app import create_app
    from healthcode.config import Settings

    freeze(NOW)
    settings = Settings(env="test", data_dir=tmp_path, session_idle_console_minutes=5)
    with TestClient(create_app(settings, engine)) as client:
        gov_admin(client, db)
        freeze(NOW + timedelta(minutes=4))
        assert gov_signed_in(client)
        freeze(NOW + timedelta(minutes=9, seconds=1))
        assert not gov_signed_in(client)


def test_purge_deletes_the_sessions_nobody_came_back_to(client: Any, db: Any, freeze: Any,
                                                        cli_engine: Any) -> None:
    freeze(NOW)
    gov_admin(client, db)
    freeze(NOW + timedelta(minutes=10))
    gov_admin(stranger(client), db, 2)
    assert sessions(db) == 2
    # When the operator purges 35 minutes after the first sign-in
    freeze(NOW + timedelta(minutes=35))
    result = CliRunner().invoke(cli.app, ["purge"])
    # Then only the session idle past its limit is gone
    assert result.exit_code == 0, result.output
    assert "1 个已超时的登录会话" in result.output
    db.rollback()
    assert db.scalars(select(WebSession.expires_at)).all() == [NOW + timedelta(minutes=40)]


def test_the_scanner_gets_a_shift_and_a_browser_signed_in_twice_gets_the_shorter_limit(client: Any, db: Any,
                                                                                      freeze: Any) -> None:
    from tests.checkpoints.factories import PASSWORD, org, scanner

    freeze(NOW)
    unit = org(db, 3)
    phone = scanner(db, unit.username, 3)
    login = client.post("/scanner/login", data={"phone": phone, "password": PASSWORD}, follow_redirects=False)
    assert "Max-Age=43200" in login.headers["set-cookie"]  # 12 hours: a checkpoint shift
    both = client.post("/gov/login", data={"username": unit.username, "password": unit.password},
                       follow_redirects=False)
    assert "Max-Age=1800" in both.headers["set-cookie"]  # the console's 30 minutes
    freeze(NOW + timedelta(minutes=31))
    assert client.post("/scanner/token").status_code == 401


def test_each_new_session_clears_some_expired_ones(client: Any, db: Any, freeze: Any) -> None:
    from tests.identity.flow import open_login

    freeze(NOW)
    for _ in range(12):  # strangers open the sign-in page and leave
        open_login(stranger(client))
    assert sessions(db) == 12
    freeze(NOW + timedelta(minutes=16))
    open_login(stranger(client))
    assert sessions(db) == 3  # ten expired ones went with the new one
