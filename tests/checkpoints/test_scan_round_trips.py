"""Issue 13: on PostgreSQL a recorded scan is one statement and one round trip (counted on the wire: libpq's trace of
the connection), whose colour, computed in SQL from the rule set, is the rules' colour; on SQLite the scan runs in
steps as before. Refusals go through the steps (tests/checkpoints/test_refusals.py and the others)."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, event, select

from healthcode.checkpoints import onetrip, repository
from healthcode.checkpoints.models import Scan
from healthcode.regions.service import set_level
from healthcode.rules.service import status_for
from healthcode.rules.status import Status
from tests.checkpoints.factories import GULOU, NOW, SIMING, add_point, issue, org, person, scan, scanner, token
from tests.rules import factories as f


class Wire:
    """What the engine's connections send: statements (SQLAlchemy's cursor events, the hot statements included) and
    round trips (ReadyForQuery messages in libpq's trace of each connection checked out since the start: one a
    round trip, BEGIN and COMMIT included), counted from the last `mark()`."""

    def __init__(self) -> None:
        self.trace = tempfile.TemporaryFile()
        self.statements = 0
        self._marked = (0, 0)

    def _round_trips(self) -> int:
        self.trace.seek(0)
        return sum(1 for line in self.trace.read().decode("utf-8", "replace").splitlines()
                   if line.startswith("B\t") and "\tReadyForQuery" in line)

    def mark(self) -> None:
        self._marked = (self.statements, self._round_trips())

    def since_mark(self) -> tuple[int, int]:
        return self.statements - self._marked[0], self._round_trips() - self._marked[1]


@contextmanager
def wire(engine: Engine) -> Iterator[Wire]:
    from psycopg import pq

    sent = Wire()
    traced: list[Any] = []

    def checkout(dbapi_connection: Any, *_: Any) -> None:
        pgconn = dbapi_connection.pgconn
        pgconn.trace(sent.trace.fileno())
        pgconn.set_trace_flags(pq.Trace.SUPPRESS_TIMESTAMPS | pq.Trace.REGRESS_MODE)
        traced.append(pgconn)

    def statement(*_: Any) -> None:
        sent.statements += 1

    event.listen(engine, "checkout", checkout)
    event.listen(engine, "before_cursor_execute", statement)
    try:
        yield sent
    finally:
        event.remove(engine, "checkout", checkout)
        event.remove(engine, "before_cursor_execute", statement)
        for pgconn in traced:
            pgconn.untrace()
        sent.trace.close()


def test_a_recorded_scan_is_one_statement_and_one_round_trip_on_postgresql(db, client, freeze, engine, settings):
    if engine.dialect.name != "postgresql":
        pytest.skip("the SQLite path scans in steps (tests/checkpoints/test_scan_api.py bounds them)")
    freeze(NOW)
    headers = token(client, scanner(db, org(db).username))
    gulou, siming = add_point(client, headers, GULOU), add_point(client, headers, SIMING, "中山路")
    set_level(db, SIMING, 2, "test", now=NOW - timedelta(days=3))
    db.commit()
    resident, other = person(db, 1), person(db, 2)
    f.clinic_visit(db, resident.id_number, "2020-02-20 10:00")  # orange
    db.commit()
    codes = [issue(db, other, NOW).qr_text, issue(db, resident, NOW).qr_text, issue(db, resident, NOW).number_code]

    answers, sent_by_scan = [], []
    with wire(engine) as sent:
        # The first scan of the process reads the signing key too (kept a minute: keys.verification_key).
        assert scan(client, headers, siming, codes[0]).status_code == 201
        for point_id, code in ((siming, codes[1]), (gulou, codes[2])):
            sent.mark()
            answers.append(scan(client, headers, point_id, code))
            sent_by_scan.append(sent.since_mark())

    assert sent_by_scan == [(1, 1), (1, 1)]  # (statements, round trips) of the QR scan, then the number's

    assert [a.status_code for a in answers] == [201, 201]
    qr, number = (a.json() for a in answers)
    assert (qr["color"], number["color"]) == ("orange", "orange")
    assert number["most_severe_region"]["code"] == SIMING and number["most_severe_region"]["higher_than_here"]
    assert [s["address"] for s in number["recent_scans"]] == ["思明区中山路"]
    stored = db.scalars(select(Scan).where(Scan.person_id == resident.id).order_by(Scan.id)).all()
    assert [(s.via, s.color, s.point_id) for s in stored] == [("qr", "orange", siming), ("number", "orange", gulou)]


# Each resident's facts, and the colour the rules give them on NOW (2020-02-24): every rule kind, at both sides of its
# boundaries, so that the rule set's SQL form (rules/color_repository.py) is held to `status.evaluate`.
def _facts(db: Any, n: int) -> None:
    a = f.person_id(n)
    facts = {
        1: lambda: None,
        2: lambda: f.case(db, a, "confirmed", "2020-02-20 08:00"),
        3: lambda: (f.case(db, a, "confirmed", "2020-02-10 08:00"), f.case(db, a, "cleared", "2020-02-21 08:00")),
        4: lambda: f.case(db, a, "suspected", "2020-02-25 08:00"),  # reported tomorrow: not yet
        5: lambda: (f.case(db, a, "suspected", "2020-02-20 08:00"), f.case(db, a, "cleared", "2020-02-20 08:00")),
        6: lambda: f.close_contact(db, a, "2020-02-11"),
        7: lambda: f.close_contact(db, a, "2020-02-10"),
        8: lambda: (f.case(db, f.person_id(900), "confirmed", "2020-02-15 08:00"),  # a fellow bus passenger's
                    f.travel(db, f.person_id(900), "K1", "bus", "2020-02-14"),
                    f.travel(db, a, "K1", "bus", "2020-02-14")),
        9: lambda: f.arrival(db, a, "2020-01-20", abnormal=True),
        10: lambda: f.arrival(db, a, "2020-02-10"),
        11: lambda: f.arrival(db, a, "2020-02-11"),
        12: lambda: (f.household(db, a, "福建省福州市鼓楼区软件园社区3号楼"),
                     f.closure(db, "软件园社区", "鼓楼区软件园社区", "2020-02-20", None)),
        13: lambda: (f.household(db, a, "福建省福州市鼓楼区温泉社区1号楼"),
                     f.closure(db, "温泉社区", "鼓楼区温泉社区", "2020-02-01", "2020-02-23")),
        14: lambda: f.clinic_visit(db, a, "2020-02-11 00:00"),
        15: lambda: f.clinic_visit(db, a, "2020-02-20 10:00", "呼吸内科"),
        16: lambda: (f.fever_drug_code(db, "Y001"), f.drug_purchase(db, a, "2020-02-24 08:59", "Y001")),
        17: lambda: f.drug_purchase(db, a, "2020-02-20 08:00", "Z999"),
    }
    facts[n]()


COLOURS = {1: "green", 2: "orange", 3: "green", 4: "green", 5: "green", 6: "orange", 7: "green", 8: "orange",
           9: "orange", 10: "green", 11: "orange", 12: "orange", 13: "green", 14: "orange", 15: "green",
           16: "orange", 17: "green"}


def test_the_colour_computed_in_the_statement_is_the_rules_colour(db, client, freeze, engine, settings, monkeypatch):
    corrected: list[int] = []
    monkeypatch.setattr(repository, "set_scan_color", lambda session, scan_id, at, color: corrected.append(scan_id))
    freeze(NOW)
    headers = token(client, scanner(db, org(db).username))
    point_id = add_point(client, headers)
    for n in COLOURS:
        _facts(db, n)
    residents = {n: person(db, n) for n in COLOURS}

    shown = {n: scan(client, headers, point_id, issue(db, residents[n], NOW).qr_text).json()["color"]
             for n in COLOURS}

    assert shown == COLOURS
    assert {n: status_for(db, settings, residents[n].id_number, NOW).color for n in COLOURS} == COLOURS
    stored = {person_id: color for person_id, color in db.execute(select(Scan.person_id, Scan.color))}
    assert {n: stored[residents[n].id] for n in COLOURS} == COLOURS
    assert corrected == []  # the statement's colour was the rules' every time


def test_when_the_rules_disagree_with_the_statement_their_colour_is_answered_and_stored(db, client, freeze, engine,
                                                                                       monkeypatch, caplog):
    if engine.dialect.name != "postgresql":
        pytest.skip("only the one-statement scan (PostgreSQL) computes a colour in SQL")
    freeze(NOW)
    headers = token(client, scanner(db, org(db).username))
    point_id = add_point(client, headers)
    resident = person(db)  # green by the facts, and so by the statement
    monkeypatch.setattr(onetrip, "evaluate", lambda *args: Status("orange", (), "fj-2020-02", "橙码"))

    answer = scan(client, headers, point_id, issue(db, resident, NOW).qr_text)

    assert answer.status_code == 201 and answer.json()["color"] == "orange"
    assert db.scalars(select(Scan.color)).one() == "orange"
    assert "stored colour corrected" in caplog.text and resident.id_number not in caplog.text


RESTARTED = "healthcode-scan-restart-test"


def test_the_first_scan_after_a_database_restart_is_recorded_once(db, engine, settings, freeze):
    """The kept connection found gone when the statement is sent: the scan runs again on a fresh one (db/kept.py)."""
    if engine.dialect.name != "postgresql":
        pytest.skip("a lost connection is a client-server database's case")
    import psycopg
    from fastapi.testclient import TestClient

    from healthcode.app import create_app
    from healthcode.db import make_engine

    freeze(NOW)
    own = make_engine(engine.url.update_query_dict({"application_name": RESTARTED})
                      .render_as_string(hide_password=False))
    admin_url = engine.url.set(drivername="postgresql").difference_update_query(["application_name"])
    phone, resident = scanner(db, org(db).username), person(db)
    try:
        with TestClient(create_app(settings, own)) as client:
            headers = token(client, phone)
            point_id = add_point(client, headers)
            assert scan(client, headers, point_id, issue(db, resident, NOW).qr_text).status_code == 201
            with psycopg.connect(admin_url.render_as_string(hide_password=False), autocommit=True) as admin:
                ended = admin.execute("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                                      "WHERE application_name = %s", [RESTARTED]).fetchone()
            assert ended is not None and ended[0] >= 1

            again = scan(client, headers, point_id, issue(db, resident, NOW).number_code)

        assert again.status_code == 201, again.text
        assert len(db.scalars(select(Scan.id)).all()) == 2
    finally:
        own.dispose()
