"""The rule set in force (rules/in_force.py): the settings' default until the authority switches; a switch stored with
who and when, logged, at once in this process and within IN_FORCE_TTL_SECONDS in the others; and followed by a code
refresh and by a scan (whose colour the one statement computes in SQL on PostgreSQL)."""

from __future__ import annotations

import json
import logging

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from healthcode.app import create_app
from healthcode.checkpoints import repository
from healthcode.checkpoints.models import Scan
from healthcode.errors import NotFound
from healthcode.rules import in_force, in_force_repository
from healthcode.rules.models import RuleSetSwitch
from healthcode.rules.service import status_for
from tests.checkpoints.factories import NOW, add_point, issue, org, person, scan, scanner, token
from tests.checkpoints.test_scan_round_trips import _facts
from tests.identity.flow import ZHANG, make_account, sign_in
from tests.residents.citizen import fever_visit


def test_the_default_until_switched_then_the_switch_stored_logged_and_in_force(db, settings, caplog) -> None:
    assert in_force.in_force_id(db, settings) == "fj-2020-02" == settings.rule_set
    with caplog.at_level(logging.INFO, logger="healthcode.rules.in_force"):
        in_force.switch(db, settings, "fj-2021-09", operator="authority-1", org_id=None, now=NOW,
                        preview={"residents": 0})
        db.commit()
    assert in_force.in_force_id(db, settings) == "fj-2021-09"
    row = db.scalars(select(RuleSetSwitch)).one()
    assert (row.rule_set, row.previous, row.switched_by, row.at) == ("fj-2021-09", "fj-2020-02", "authority-1", NOW)
    assert json.loads(row.preview or "") == {"residents": 0}
    assert "switched from fj-2020-02 to fj-2021-09 by authority-1" in caplog.text
    with pytest.raises(in_force.AlreadyInForce, match="已在执行中"):
        in_force.switch(db, settings, "fj-2021-09", operator="authority-1", org_id=None, now=NOW)
    with pytest.raises(NotFound, match="未知的赋码规则集"):
        in_force.switch(db, settings, "fj-1999", operator="authority-1", org_id=None, now=NOW)
    db.rollback()
    in_force.switch(db, settings, "fj-2020-02", operator="authority-2", org_id=None, now=NOW)
    db.commit()
    assert in_force.in_force_id(db, settings) == "fj-2020-02"
    assert [h.switched_by for h in in_force.history(db)] == ["authority-2", "authority-1"]


def test_a_rolled_back_switch_leaves_the_set_in_force(db, settings) -> None:
    in_force.switch(db, settings, "fj-2021-09", operator="a", org_id=None, now=NOW)
    assert in_force.in_force_id(db, settings) == "fj-2021-09"  # its own transaction sees it
    db.rollback()
    assert in_force.in_force_id(db, settings) == "fj-2020-02"


def test_another_process_sees_a_switch_within_the_ttl(db, settings, monkeypatch) -> None:
    moment = [1000.0]
    monkeypatch.setattr(in_force.time, "monotonic", lambda: moment[0])
    assert in_force.in_force_id(db, settings) == "fj-2020-02"  # read, and kept by this process
    # Another process switches: its row arrives, this process is not told.
    in_force_repository.add(db, RuleSetSwitch(rule_set="fj-2021-09", previous="fj-2020-02", switched_by="other",
                                              at=NOW))
    db.commit()
    moment[0] += in_force.IN_FORCE_TTL_SECONDS - 0.5
    assert in_force.in_force_id(db, settings) == "fj-2020-02"
    moment[0] += 0.5
    assert in_force.in_force_id(db, settings) == "fj-2021-09"


def test_a_set_this_version_does_not_ship_falls_back_to_the_default(db, settings, caplog) -> None:
    in_force_repository.add(db, RuleSetSwitch(rule_set="fj-2099-01", previous="fj-2020-02", switched_by="x", at=NOW))
    db.commit()
    assert in_force.in_force(db, settings).id == "fj-2020-02"
    assert "fj-2099-01 is not shipped" in caplog.text


def test_a_code_refresh_follows_the_switch(engine, db, tmp_path, settings, freeze) -> None:
    freeze(NOW)
    make_account(db)
    fever_visit(engine, tmp_path, ZHANG, "张小明", "2020-02-23 10:00")  # yesterday
    with TestClient(create_app(settings, engine)) as client:
        assert sign_in(client).status_code == 200
        before = client.get("/api/v1/me/code").json()
        in_force.switch(db, settings, "fj-2021-09", operator="authority", org_id=None, now=NOW)
        db.commit()
        after = client.get("/api/v1/me/code").json()
    assert (before["color"], after["color"]) == ("orange", "yellow")
    assert after["number_code"] != before["number_code"]  # a new code, not the one shown a moment ago


# The colours of tests/checkpoints/test_scan_round_trips.py's residents under fj-2021-09 on NOW.
COLOURS_2021 = {1: "green", 2: "red", 3: "green", 4: "green", 5: "green", 6: "red", 7: "green", 8: "red",
                9: "yellow", 10: "green", 11: "yellow", 12: "yellow", 13: "green", 14: "green", 15: "green",
                16: "yellow", 17: "green"}


def test_a_scan_follows_the_switch_and_the_statement_computes_the_new_sets_colour(db, client, freeze, settings,
                                                                                 monkeypatch) -> None:
    corrected: list[int] = []
    monkeypatch.setattr(repository, "set_scan_color", lambda session, scan_id, color: corrected.append(scan_id))
    freeze(NOW)
    headers = token(client, scanner(db, org(db).username))
    point_id = add_point(client, headers)
    for n in COLOURS_2021:
        _facts(db, n)
    residents = {n: person(db, n) for n in COLOURS_2021}
    assert scan(client, headers, point_id, issue(db, residents[2], NOW).qr_text).json()["color"] == "orange"
    in_force.switch(db, settings, "fj-2021-09", operator="authority", org_id=None, now=NOW)
    db.commit()

    shown = {n: scan(client, headers, point_id, issue(db, residents[n], NOW).qr_text).json()["color"]
             for n in COLOURS_2021}

    assert shown == COLOURS_2021
    assert {n: status_for(db, settings, residents[n].id_number, NOW).color for n in COLOURS_2021} == COLOURS_2021
    stored = db.execute(select(Scan.person_id, Scan.color).order_by(Scan.id)).all()[1:]
    assert {n: dict(stored)[residents[n].id] for n in COLOURS_2021} == COLOURS_2021
    assert corrected == []  # on PostgreSQL the statement's colour (SQL form of fj-2021-09) was the rules' every time
