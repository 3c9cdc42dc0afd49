"""Kept writes (healthcode/db/survive.py): a count written with `keep` survives the rollback of the request that
wrote it, on the request dependency's transaction, in a savepoint, and on the hot routes' kept connections, on SQLite
and on PostgreSQL alike; what the request wrote besides is rolled back."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, select
from sqlalchemy.orm import Session

from healthcode import db
from healthcode.accounts import repository
from healthcode.accounts.models import ThrottleHit
from healthcode.app import create_app
from healthcode.config import Settings
from healthcode.db import survive
from healthcode.errors import Invalid, RateLimited
from healthcode.web.forms import refusable
from tests.test_db_turns import run

NOW = datetime(2020, 2, 24, 9, 0)


def hit(key: str) -> Any:
    """A kept write: one throttle hit under `key`."""
    return lambda session: repository.add_throttle_hit(session, "test", key, NOW)


def keys(engine: Engine) -> list[str]:
    with db.session_factory(engine)() as session:
        return sorted(session.scalars(select(ThrottleHit.key)))


def request_transaction(engine: Engine) -> Any:
    """A request's transaction as `db.get_session` opens it."""
    session = db.session_factory(engine)()
    return session, survive.replayed(session, sqlite_immediate=True), session.begin()


def test_given_a_kept_write_when_the_request_fails_then_only_the_kept_write_is_committed(engine: Engine) -> None:
    session, replayed, transaction = request_transaction(engine)
    with pytest.raises(Invalid), session, replayed, transaction:
        session.connection(execution_options={"sqlite_immediate": True})
        repository.add_throttle_hit(session, "test", "not kept", NOW)
        survive.keep(session, hit("kept"))
        raise Invalid("拒绝")
    assert keys(engine) == ["kept"]


def test_given_a_kept_write_when_the_request_succeeds_then_it_is_committed_once(engine: Engine) -> None:
    session, replayed, transaction = request_transaction(engine)
    with session, replayed, transaction:
        survive.keep(session, hit("kept"))
    assert keys(engine) == ["kept"]


def test_a_kept_write_that_raises_leaves_nothing(engine: Engine) -> None:
    def refuse(session: Session) -> None:
        hit("half")(session)
        raise RateLimited("稍后再试")

    session, replayed, transaction = request_transaction(engine)
    with pytest.raises(RateLimited), session, replayed, transaction:
        survive.keep(session, refuse)
    assert keys(engine) == []


def test_given_a_refused_form_then_its_work_is_undone_but_its_kept_count_commits_with_the_request(
        engine: Engine) -> None:
    session, replayed, transaction = request_transaction(engine)
    with session, replayed, transaction:
        with refusable(session) as refused:
            repository.add_throttle_hit(session, "test", "undone", NOW)
            survive.keep(session, hit("kept"))
            raise Invalid("请重新填写")
        assert refused and (refused.status_code, refused.message) == (422, "请重新填写")
        repository.add_throttle_hit(session, "test", "after", NOW)  # the page goes on, the request commits
    assert keys(engine) == ["after", "kept"]


def test_given_a_kept_write_in_a_savepoint_when_the_request_then_fails_then_it_is_still_kept(engine: Engine) -> None:
    session, replayed, transaction = request_transaction(engine)
    with pytest.raises(Invalid), session, replayed, transaction:
        with refusable(session):
            survive.keep(session, hit("kept"))
            raise Invalid("请重新填写")
        raise Invalid("然后失败")
    assert keys(engine) == ["kept"]


def test_given_a_hot_route_that_keeps_a_count_and_fails_then_the_count_is_kept(engine: Engine,
                                                                               settings: Settings) -> None:
    app = create_app(settings, engine)

    def work(session: Session) -> None:
        repository.add_throttle_hit(session, "test", "not kept", NOW)
        survive.keep(session, hit("kept"))
        raise Invalid("拒绝")

    try:
        with pytest.raises(Invalid):
            run(db.in_transaction(app, work))
        assert keys(engine) == ["kept"]
        assert run(db.in_transaction(app, lambda s: survive.keep(s, hit("next")))) is None  # the next one runs
        assert keys(engine) == ["kept", "next"]
    finally:
        db.close_hot_connections(app)


def test_a_kept_write_needs_no_second_connection_from_the_request_s_pool(database_url: str, engine: Engine) -> None:
    """PostgreSQL writes the count on a pool of its own: requests that each hold one of the app's connections must
    not wait for a second (SQLite writes it on the request's own connection)."""
    sqlite = engine.dialect.name == "sqlite"
    small = db.make_engine(database_url) if sqlite else create_engine(database_url, pool_size=1, max_overflow=0,
                                                                      pool_timeout=2)
    try:
        session, replayed, transaction = request_transaction(small)
        with pytest.raises(Invalid), session, replayed, transaction:
            session.connection(execution_options={"sqlite_immediate": True})  # the pool's only connection
            survive.keep(session, hit("kept"))
            raise Invalid("拒绝")
    finally:
        small.dispose()
    assert keys(engine) == ["kept"]
