"""Issue 13: on a PostgreSQL connection that does not prepare statements (behind PgBouncer: `prepare_threshold=none`),
the long hot statements run as PL/pgSQL functions made on first use (healthcode/db/hotfunc.py), with the same answers
and still one round trip a scan; a function is made once, whichever process needs it first."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, text

from healthcode.app import create_app
from healthcode.checkpoints.models import Scan
from healthcode.db import hotfunc, make_engine
from tests.checkpoints.factories import NOW, add_point, issue, org, person, scan, scanner, token
from tests.checkpoints.test_scan_round_trips import COLOURS, _facts, wire


@pytest.fixture
def unprepared(engine: Engine) -> Iterator[Engine]:
    """An engine on the test schema whose connections never prepare, as behind PgBouncer."""
    if engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's planning")
    own = make_engine(engine.url.update_query_dict({"prepare_threshold": "none"}).render_as_string(hide_password=False))
    yield own
    own.dispose()


def _functions(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        return set(conn.execute(text("SELECT proname FROM pg_proc WHERE proname LIKE 'healthcode_hot_%' "
                                     "AND pronamespace = current_schema()::regnamespace")).scalars())


def test_scans_behind_a_pooler_give_the_rules_colour_in_one_round_trip_through_a_function(db, unprepared, freeze,
                                                                                           settings):
    freeze(NOW)
    for n in COLOURS:
        _facts(db, n)
    residents = {n: person(db, n) for n in COLOURS}
    phone = scanner(db, org(db).username)
    db.commit()
    with wire(unprepared) as sent, TestClient(create_app(settings, unprepared)) as client:
        headers = token(client, phone)
        point_id = add_point(client, headers)
        codes = {n: issue(db, residents[n], NOW).qr_text for n in COLOURS}
        assert scan(client, headers, point_id, codes[1]).status_code == 201  # the first reads the signing key
        hotfunc.wait()  # the statement's function, made meanwhile by a thread of its own
        sent.mark()
        shown = {n: scan(client, headers, point_id, codes[n]).json()["color"] for n in COLOURS}
        per_scan = sent.since_mark()

    assert shown == COLOURS
    assert per_scan == (len(COLOURS), len(COLOURS))  # one statement, one round trip a scan
    stored = {person_id: color for person_id, color in db.execute(select(Scan.person_id, Scan.color)
                                                                  .where(Scan.id > 1))}
    assert {n: stored[residents[n].id] for n in COLOURS} == COLOURS
    made = _functions(unprepared)
    assert made  # the scan's statement (and the status query) as functions
    hotfunc._calls.clear()  # another process: finds them and makes none
    with TestClient(create_app(settings, unprepared)) as client:
        headers = token(client, phone)
        assert scan(client, headers, point_id, issue(db, residents[2], NOW).qr_text).json()["color"] == "orange"
        hotfunc.wait()
    assert _functions(unprepared) == made and hotfunc._calls[unprepared]


def test_only_long_statements_on_connections_that_do_not_prepare_go_through_a_function(engine, unprepared):
    long, short = "SELECT 1" + " " * hotfunc.MIN_LENGTH, "SELECT 1"
    with engine.connect() as prepared, unprepared.connect() as pooled:
        assert not hotfunc.wanted(prepared.connection.dbapi_connection, long)
        assert hotfunc.wanted(pooled.connection.dbapi_connection, long)
        assert not hotfunc.wanted(pooled.connection.dbapi_connection, short)


def test_a_function_that_cannot_be_made_leaves_the_statement_as_it_is(db, unprepared, freeze, settings, monkeypatch,
                                                                      caplog):
    def refused(engine: Engine, sql: str) -> str:
        raise PermissionError("permission denied for schema")

    monkeypatch.setattr(hotfunc, "_create", refused)
    hotfunc._calls.clear()
    hotfunc._retry.clear()
    freeze(NOW)
    resident, phone = person(db, 2), scanner(db, org(db).username)
    _facts(db, 2)
    db.commit()
    with caplog.at_level(logging.WARNING), TestClient(create_app(settings, unprepared)) as client:
        headers = token(client, phone)
        point_id = add_point(client, headers)
        colours = []
        for _ in range(2):
            colours.append(scan(client, headers, point_id, issue(db, resident, NOW).qr_text).json()["color"])
            hotfunc.wait()

    assert colours == ["orange", "orange"]
    assert caplog.text.count("runs without its function") == 1 and resident.id_number not in caplog.text
    assert not hotfunc._calls.get(unprepared)  # tried again a minute later
    hotfunc._retry.clear()


def test_a_function_dropped_under_a_running_process_is_made_again(db, unprepared, freeze, settings):
    freeze(NOW)
    resident, phone = person(db, 2), scanner(db, org(db).username)
    _facts(db, 2)
    db.commit()
    hotfunc._calls.clear()
    with TestClient(create_app(settings, unprepared)) as client:
        headers = token(client, phone)
        point_id = add_point(client, headers)
        assert scan(client, headers, point_id, issue(db, resident, NOW).qr_text).json()["color"] == "orange"
        hotfunc.wait()
        with unprepared.begin() as conn:  # e.g. a database restored without it
            for name in _functions(unprepared):
                conn.execute(text(f"DROP FUNCTION {name}"))
        colours = []
        for _ in range(2):  # the first finds it gone and sends the statement itself (a scan: outside a transaction)
            colours.append(scan(client, headers, point_id, issue(db, resident, NOW).qr_text).json()["color"])
            hotfunc.wait()

    assert colours == ["orange", "orange"]
    assert _functions(unprepared)  # made again
