"""`healthcode person history` (SPEC section 11, issue 16): the exact JSON shape; each span of colour over the
retention period with the rules that held and the records behind each rule; a window ending ends a span; the colours
actually shown that differ; appeals and corrections from the ledger."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from typer.testing import CliRunner

from healthcode import cli
from healthcode.codes.models import IssuedCode
from healthcode.feeds import models as m
from healthcode.history.service import person_history, sources_today
from healthcode.ledger.service import append
from healthcode.residents.models import Person
from tests.rules import factories as f

A, B = f.person_id(1), f.person_id(2)
TODAY = f.TODAY  # 2020-02-24; the window is the 28 days 2020-01-28 … 2020-02-24


def day(offset: int) -> str:
    return (TODAY + timedelta(days=offset)).isoformat()


def test_given_a_resident_then_the_json_has_exactly_the_contract_keys_and_the_added_ones(db, settings) -> None:
    f.clinic_visit(db, A, f"{day(-3)} 10:00")
    db.commit()
    body = person_history(db, settings, A, TODAY).as_json()
    assert set(body) == {"id_number_masked", "entries", "appeals", "corrections", "flags", "rule_set", "window"}
    assert body["id_number_masked"] == A[:2] + "*****" + A[-3:]
    assert body["window"] == {"from": day(-27), "to": day(0)}
    green, orange = body["entries"]
    assert set(orange) == {"from", "to", "color", "color_label", "reasons", "observed"}
    assert (green["from"], green["to"], green["color"], green["reasons"]) == (day(-27), day(-4), "green", [])
    assert (orange["from"], orange["to"], orange["color"]) == (day(-3), None, "orange")
    [reason] = orange["reasons"]
    assert set(reason) == {"rule", "title", "sources"} and reason["rule"] == "fever_clinic"
    [source] = reason["sources"]
    assert set(source) == {"feed", "batch", "provider", "record_id", "loaded_at", "feed_label", "on", "loaded_by",
                           "row"}
    visit = db.query(m.ClinicVisitRecord).one()
    assert {k: source[k] for k in ("feed", "batch", "provider", "record_id", "loaded_at", "on")} == {
        "feed": "clinic_visits", "batch": visit.batch_id, "provider": "省卫健委", "record_id": visit.record_id,
        "loaded_at": "2020-02-24T09:00:00", "on": day(-3)}


def test_given_a_window_ending_inside_the_period_then_its_span_ends(db, settings) -> None:
    f.clinic_visit(db, A, f"{day(-20)} 10:00")
    db.commit()
    entries = person_history(db, settings, A, TODAY).as_json()["entries"]
    assert [(e["from"], e["to"], e["color"], [r["rule"] for r in e["reasons"]]) for e in entries] == [
        (day(-27), day(-21), "green", []),
        (day(-20), day(-7), "orange", ["fever_clinic"]),  # day D … D+13
        (day(-6), None, "green", []),
    ]


def test_given_a_rule_held_by_two_feeds_then_both_sources_are_named(db, settings) -> None:
    f.close_contact(db, B, day(-2))
    f.case(db, A, "confirmed", f"{day(-1)} 10:00")
    f.travel(db, A, "D3112", "train", day(-5), carriage="05", seat_row=10)
    f.travel(db, B, "D3112", "train", day(-5), carriage="05", seat_row=12)
    db.commit()
    last = person_history(db, settings, B, TODAY).as_json()["entries"][-1]
    [reason] = last["reasons"]
    assert reason["rule"] == "close_contact"
    feeds = sorted((s["feed"], s["on"]) for s in reason["sources"])
    assert feeds == [("close_contacts", day(-2)), ("travel", day(-5))]
    own_trip = db.query(m.TravelRecord).filter_by(id_number=B).one()
    assert [s["row"] for s in reason["sources"] if s["feed"] == "travel"] == [own_trip.id]  # never the case's row
    assert A not in json.dumps(last)


def test_given_a_closed_community_then_the_closure_and_the_household_are_its_sources(db, settings) -> None:
    f.household(db, A, "福建省福州市鼓楼区软件园社区3号楼")
    f.closure(db, "软件园社区", "鼓楼区软件园社区", day(-2), None)
    db.commit()
    found = sources_today(db, settings, A, TODAY)
    assert sorted(s.feed for s in found["closed_community"]) == ["closures", "households"]
    assert {s.provider for s in found["closed_community"]} == {"数字中国研究院", "省公安厅"}


def test_given_a_fever_drug_then_the_purchase_and_the_code_list_are_its_sources(db, settings) -> None:
    f.fever_drug_code(db, "Y001")
    f.drug_purchase(db, A, f"{day(-1)} 12:00", "Y001")
    db.commit()
    found = sources_today(db, settings, A, TODAY)
    assert sorted((s.feed, s.record_id is not None) for s in found["fever_drug"]) == [
        ("drug_purchases", True), ("fever_drug_codes", True)]


def test_given_codes_shown_then_those_of_another_colour_are_listed_in_their_span(db, settings) -> None:
    f.clinic_visit(db, A, f"{day(-3)} 10:00")
    person = Person(id_number=A, name="李斌", created_at=f.NOW)
    db.add(person)
    db.flush()
    for n, (offset, color) in enumerate([(-3, "orange"), (-2, "green"), (-5, "green")]):
        at = datetime.fromisoformat(f"{day(offset)} 08:00")
        db.add(IssuedCode(number_code=f"{n:012d}", cti=bytes([n]) * 16, person_id=person.id, color=color,
                          kid=b"k" * 8, issued_at=at, expires_at=at + timedelta(minutes=1)))
    db.commit()
    green, orange = person_history(db, settings, A, TODAY).as_json()["entries"]
    assert green["observed"] == {"count": 1, "differs": []}
    assert orange["observed"] == {"count": 2, "differs": [
        {"at": f"{day(-2)}T08:00:00", "color": "green", "via": "code"}]}


def test_given_appeals_and_corrections_in_the_ledger_then_they_are_listed_with_their_facts(db, settings) -> None:
    append(db, "appeal.filed", "本人申请", {"appeal": 7, "rule": "fever_clinic"}, id_number=A, ref_table="appeals",
           ref_id=7)
    append(db, "correction.made", "省卫健委（管理员）", {"correction": 3}, id_number=A)
    append(db, "appeal.filed", "本人申请", {"appeal": 8}, id_number=B)
    db.commit()
    body = person_history(db, settings, A, TODAY).as_json()
    assert [(a["kind"], a["kind_label"], a["facts"]) for a in body["appeals"]] == [
        ("appeal.filed", "申诉（提交）", {"appeal": 7, "rule": "fever_clinic"})]
    assert [(c["kind"], c["actor"], c["facts"]) for c in body["corrections"]] == [
        ("correction.made", "省卫健委（管理员）", {"correction": 3})]
    assert body["flags"] == []


@pytest.fixture
def run(cli_engine, freeze):
    freeze(f.NOW)
    runner = CliRunner()
    return lambda *args: runner.invoke(cli.app, list(args))


def test_the_cli_prints_json_or_chinese_text_and_refuses_an_invalid_id_number(run, db) -> None:
    f.clinic_visit(db, A, f"{day(-3)} 10:00")
    db.commit()
    result = run("person", "history", A, "--json")
    assert result.exit_code == 0, result.output
    assert [e["color"] for e in json.loads(result.stdout)["entries"]] == ["green", "orange"]
    text = run("person", "history", A)
    assert text.exit_code == 0 and "橙码" in text.stdout and "门诊和住院诊疗记录（省卫健委）" in text.stdout
    assert A not in text.stdout
    bad = run("person", "history", A[:-1] + ("0" if A[-1] != "0" else "1"))
    assert bad.exit_code == 1 and "校验码" in bad.stderr


def test_given_scans_of_another_colour_then_they_are_listed_as_observed_differences(db, settings) -> None:
    from tests.orgs.console_factories import add_scans, unit

    place = unit(db, 1, "甲单位")
    resident = db.get(Person, place.person_ids[0])
    f.clinic_visit(db, resident.id_number, f"{day(-3)} 10:00")
    db.commit()
    add_scans(db, place, 2, start=datetime.fromisoformat(f"{day(-2)} 08:00"))  # green at the checkpoint
    add_scans(db, place, 1, start=datetime.fromisoformat(f"{day(-1)} 08:00"), orange_every=1)
    green, orange = person_history(db, settings, resident.id_number, TODAY).as_json()["entries"]
    assert green["observed"] == {"count": 0, "differs": []}
    assert orange["observed"]["count"] == 3
    assert orange["observed"]["differs"] == [{"at": f"{day(-2)}T08:00:00", "color": "green", "via": "scan"},
                                             {"at": f"{day(-2)}T08:07:00", "color": "green", "via": "scan"}]


def test_given_a_purged_ledger_then_the_kept_appeals_are_listed_and_nothing_fails(db, settings, freeze) -> None:
    from healthcode.ledger.service import purge

    freeze("2018-12-01 10:00")
    append(db, "appeal.filed", "本人申请", {"appeal": 5}, id_number=A, ref_table="appeals", ref_id=5)
    freeze(f"{day(-4)} 10:00")
    append(db, "appeal.filed", "本人申请", {"appeal": 7}, id_number=A, ref_table="appeals", ref_id=7)
    db.commit()
    assert purge(db, datetime.fromisoformat(f"{TODAY} 09:00"), settings.ledger_retention_days) == 1
    db.commit()
    body = person_history(db, settings, A, TODAY).as_json()
    assert [a["facts"] for a in body["appeals"]] == [{"appeal": 7}]
