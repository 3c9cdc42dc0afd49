"""status_for against a real database: each rule from the feed tables, its boundary, and the filters of SPEC 3."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import event

from healthcode.rules.service import status_for
from tests.rules import factories as f

A, B = f.person_id(1), f.person_id(2)


def at(day: str, clock: str = "09:00") -> datetime:
    return datetime.fromisoformat(f"{day} {clock}")


def reasons(db, settings, id_number: str, now: datetime) -> list[tuple[str, str, str | None]]:
    return [(r["rule"], r["since"], r["until"]) for r in status_for(db, settings, id_number, now).as_json()["reasons"]]


def test_given_a_number_no_feed_names_then_green_without_reasons(db, settings):
    f.fever_drug_code(db, "Y001")
    assert status_for(db, settings, A, f.NOW).as_json() == {"color": "green", "reasons": []}


def test_given_fever_clinic_visit_then_orange_through_day_13_and_green_on_day_14(db, settings):
    f.clinic_visit(db, A, "2020-02-10 23:59", "发热门诊")
    assert reasons(db, settings, A, at("2020-02-23", "23:59")) == [("fever_clinic", "2020-02-10", "2020-02-23")]
    assert reasons(db, settings, A, at("2020-02-24", "00:00")) == []
    assert reasons(db, settings, A, at("2020-02-09", "23:00")) == []  # not yet


def test_given_visit_to_another_department_then_green(db, settings):
    f.clinic_visit(db, A, "2020-02-20 10:00", "呼吸内科")
    assert reasons(db, settings, A, f.NOW) == []


def test_given_configured_fever_departments_then_they_count(db, settings):
    f.clinic_visit(db, A, "2020-02-20 10:00", "发热哨点诊室")
    assert reasons(db, settings, A, f.NOW) == []
    configured = settings.model_copy(update={"fever_departments": ["发热门诊", "发热哨点诊室"]})
    assert reasons(db, configured, A, f.NOW) == [("fever_clinic", "2020-02-20", "2020-03-04")]


def test_given_fever_drug_purchase_then_orange_only_for_listed_codes(db, settings):
    f.fever_drug_code(db, "Y001")
    f.drug_purchase(db, A, "2020-02-11 08:00", "Y001")
    f.drug_purchase(db, B, "2020-02-11 08:00", "Z999")
    assert reasons(db, settings, A, f.NOW) == [("fever_drug", "2020-02-11", "2020-02-24")]
    assert reasons(db, settings, A, at("2020-02-25")) == []
    assert reasons(db, settings, B, f.NOW) == []


def test_given_reported_close_contact_then_windowed(db, settings):
    f.close_contact(db, A, "2020-02-11")
    f.close_contact(db, A, "2020-02-01")  # already out of the window
    assert reasons(db, settings, A, f.NOW) == [("close_contact", "2020-02-11", "2020-02-24")]
    assert reasons(db, settings, A, at("2020-02-25")) == []


def test_given_confirmed_then_cleared_case_then_green_again(db, settings):
    f.case(db, A, "confirmed", "2020-02-01 10:00")
    assert reasons(db, settings, A, f.NOW) == [("case", "2020-02-01", None)]
    f.case(db, A, "cleared", "2020-02-22 10:00")
    assert reasons(db, settings, A, f.NOW) == []
    assert reasons(db, settings, A, at("2020-02-21")) == [("case", "2020-02-01", None)]


def test_given_arrivals_then_recent_or_abnormal_count(db, settings):
    f.arrival(db, A, "2020-02-11")
    f.arrival(db, B, "2020-01-15", abnormal=True)
    assert reasons(db, settings, A, f.NOW) == [("high_risk_arrival", "2020-02-11", "2020-02-24")]
    assert reasons(db, settings, A, at("2020-02-25")) == []
    assert reasons(db, settings, B, f.NOW) == [("high_risk_arrival", "2020-01-15", None)]


def test_given_household_in_closed_community_then_orange_while_closure_in_force(db, settings):
    f.household(db, A, "福建省福州市鼓楼区软件园社区3号楼")
    f.closure(db, "软件园社区", "鼓楼区软件园社区", "2020-02-20", "2020-03-05")
    assert reasons(db, settings, A, at("2020-02-19")) == []
    assert reasons(db, settings, A, at("2020-02-20")) == [("closed_community", "2020-02-20", "2020-03-05")]
    assert reasons(db, settings, A, at("2020-03-05")) == [("closed_community", "2020-02-20", "2020-03-05")]
    assert reasons(db, settings, A, at("2020-03-06")) == []


def test_given_computed_contact_then_orange_as_close_contact(db, settings):
    f.case(db, A, "confirmed", "2020-02-15 10:00")
    f.travel(db, A, "D3112", "train", "2020-02-12", carriage="05", seat_row=10)
    f.travel(db, B, "D3112", "train", "2020-02-12", carriage="05", seat_row=13)
    assert reasons(db, settings, B, f.NOW) == [("close_contact", "2020-02-12", "2020-02-25")]
    assert status_for(db, settings, B, f.NOW).reasons[0].detail == \
        "14天内为确诊或疑似人员的可能密切接触者（接触日期 2020-02-12），2020-02-26 起恢复绿码"


def test_given_facts_for_several_rules_then_one_reason_per_rule(db, settings):
    f.case(db, A, "suspected", "2020-02-20 10:00")
    f.clinic_visit(db, A, "2020-02-18 10:00")
    f.clinic_visit(db, A, "2020-02-19 10:00")
    f.close_contact(db, A, "2020-02-17")
    result = status_for(db, settings, A, f.NOW)
    assert result.color == "orange"
    assert [r.rule for r in result.reasons] == ["case", "close_contact", "fever_clinic"]


def test_given_a_realtime_push_then_the_very_next_status_reflects_it(db, settings):
    assert status_for(db, settings, A, f.NOW).color == "green"
    f.case(db, A, "suspected", "2020-02-24 08:30")
    assert status_for(db, settings, A, f.NOW).color == "orange"
    f.case(db, A, "cleared", "2020-02-24 08:45")
    assert status_for(db, settings, A, f.NOW + timedelta(minutes=1)).color == "green"


def test_given_any_person_then_status_is_one_statement(db, engine, settings):
    status_for(db, settings, f.person_id(99), f.NOW)  # the process reads the rule set in force once per 10 s
    statements: list[str] = []

    def record(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(engine, "before_cursor_execute", record)
    try:
        status_for(db, settings, A, f.NOW)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    queries = [s for s in statements if s.lstrip().upper().startswith(("SELECT", "WITH"))]
    assert len(queries) == 1  # one round trip for all feeds: codes and scans call this every time
