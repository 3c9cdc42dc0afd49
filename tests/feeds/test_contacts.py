"""Computed close contacts: seven rows on trains (same carriage) and flights, everyone on a bus, 14 days."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from hypothesis import HealthCheck, event, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from healthcode.feeds.contacts_repository import ComputedContact, computed_contacts
from healthcode.rules.service import status_for
from tests.rules import factories as f

CASE = f.person_id(900)
TODAY = f.TODAY  # 2020-02-24
TRIP_DAY = "2020-02-20"


def contacts(db, id_number: str | None = None) -> set[tuple[str, date, str, str]]:
    return {(c.contact_id_number, c.contact_date, c.case_id_number, c.trip_id)
            for c in computed_contacts(db, TODAY, id_number=id_number)}


def contact_ids(db) -> set[str]:
    return {c[0] for c in contacts(db)}


def test_given_train_case_then_same_carriage_within_three_rows_are_contacts(db, settings):
    f.case(db, CASE, "confirmed", "2020-02-22 10:00")
    f.travel(db, CASE, "G1234", "train", TRIP_DAY, carriage="05", seat_row=10)
    near = {offset: f.person_id(100 + offset) for offset in range(-4, 5) if offset}
    for offset, person in near.items():
        f.travel(db, person, "G1234", "train", TRIP_DAY, carriage="05", seat_row=10 + offset)
    other_carriage = f.person_id(200)
    f.travel(db, other_carriage, "G1234", "train", TRIP_DAY, carriage="06", seat_row=10)
    same_row_neighbour = f.person_id(201)
    f.travel(db, same_row_neighbour, "G1234", "train", TRIP_DAY, carriage="05", seat_row=10)

    found = contact_ids(db)
    assert found == {near[o] for o in (-3, -2, -1, 1, 2, 3)} | {same_row_neighbour}
    assert contacts(db, near[3]) == {(near[3], date(2020, 2, 20), CASE, "G1234")}
    for green in (near[4], near[-4], other_carriage):
        assert status_for(db, settings, green, f.NOW).color == "green"
    assert [r.rule for r in status_for(db, settings, near[-3], f.NOW).reasons] == ["close_contact"]


def test_given_flight_case_then_three_rows_either_way_whatever_the_carriage(db):
    f.case(db, CASE, "suspected", "2020-02-22 10:00")
    f.travel(db, CASE, "MF8101", "flight", TRIP_DAY, seat_row=20)
    inside, outside = f.person_id(1), f.person_id(2)
    f.travel(db, inside, "MF8101", "flight", TRIP_DAY, seat_row=23)
    f.travel(db, outside, "MF8101", "flight", TRIP_DAY, seat_row=16)
    assert contact_ids(db) == {inside}


def test_given_bus_case_then_every_passenger_is_a_contact(db):
    f.case(db, CASE, "confirmed", "2020-02-22 10:00")
    f.travel(db, CASE, "闽A-K001", "bus", TRIP_DAY)
    passengers = {f.person_id(n) for n in range(1, 6)}
    for n, person in enumerate(sorted(passengers)):
        f.travel(db, person, "闽A-K001", "bus", TRIP_DAY, seat_row=n * 10)
    assert contact_ids(db) == passengers


def test_given_same_trip_on_another_day_then_no_contact(db):
    f.case(db, CASE, "confirmed", "2020-02-22 10:00")
    f.travel(db, CASE, "闽A-K001", "bus", TRIP_DAY)
    f.travel(db, f.person_id(1), "闽A-K001", "bus", "2020-02-21")
    assert contacts(db) == set()


def test_given_case_then_it_is_not_its_own_contact(db, settings):
    f.case(db, CASE, "confirmed", "2020-02-22 10:00")
    f.travel(db, CASE, "G1234", "train", TRIP_DAY, carriage="05", seat_row=10)
    f.travel(db, CASE, "G1234", "train", TRIP_DAY, carriage="05", seat_row=11)  # a re-sent or changed seat
    assert contacts(db) == set()
    assert [r.rule for r in status_for(db, settings, CASE, f.NOW).reasons] == ["case"]


def test_given_case_is_cleared_then_its_contacts_go_with_it(db, settings):
    contact = f.person_id(1)
    f.case(db, CASE, "confirmed", "2020-02-18 10:00")
    f.travel(db, CASE, "闽A-K001", "bus", TRIP_DAY)
    f.travel(db, contact, "闽A-K001", "bus", TRIP_DAY)
    assert status_for(db, settings, contact, f.NOW).color == "orange"
    f.case(db, CASE, "cleared", "2020-02-23 10:00")
    assert contacts(db) == set()
    assert status_for(db, settings, contact, f.NOW).color == "green"


def test_given_person_never_a_confirmed_case_then_no_contacts(db):
    f.case(db, CASE, "cleared", "2020-02-18 10:00")
    f.travel(db, CASE, "闽A-K001", "bus", TRIP_DAY)
    f.travel(db, f.person_id(1), "闽A-K001", "bus", TRIP_DAY)
    assert contacts(db) == set()


def test_given_travel_older_than_14_days_then_no_contact(db, settings):
    f.case(db, CASE, "confirmed", "2020-02-01 10:00")
    recent, old = f.person_id(1), f.person_id(2)
    f.travel(db, CASE, "K1", "bus", "2020-02-11")  # day 13 on 2020-02-24
    f.travel(db, recent, "K1", "bus", "2020-02-11")
    f.travel(db, CASE, "K2", "bus", "2020-02-10")  # day 14
    f.travel(db, old, "K2", "bus", "2020-02-10")
    assert contact_ids(db) == {recent}
    assert [(r.since.isoformat(), r.until.isoformat()) for r in status_for(db, settings, recent, f.NOW).reasons] == [
        ("2020-02-11", "2020-02-24")]
    assert status_for(db, settings, old, f.NOW).color == "green"


def test_given_travel_in_the_future_then_no_contact_yet(db):
    f.case(db, CASE, "confirmed", "2020-02-01 10:00")
    f.travel(db, CASE, "K1", "bus", "2020-02-25")
    f.travel(db, f.person_id(1), "K1", "bus", "2020-02-25")
    assert contacts(db) == set()


def test_given_two_cases_on_one_trip_then_one_row_per_case_and_each_is_the_others_contact(db):
    other_case, passenger = f.person_id(2), f.person_id(3)
    f.case(db, CASE, "confirmed", "2020-02-22 10:00")
    f.case(db, other_case, "suspected", "2020-02-22 11:00")
    for person in (CASE, other_case, passenger):
        f.travel(db, person, "K1", "bus", TRIP_DAY)
    rows = computed_contacts(db, TODAY)
    assert ComputedContact(passenger, date(2020, 2, 20), CASE, "K1") in rows
    assert ComputedContact(passenger, date(2020, 2, 20), other_case, "K1") in rows
    assert {(r.contact_id_number, r.case_id_number) for r in rows} >= {(CASE, other_case), (other_case, CASE)}
    assert len(rows) == 4  # each case exposes the two other passengers


def reference_contacts(cases: list[tuple[str, str, datetime]], trips: list[tuple], today: date) -> set[tuple]:
    """The SPEC's definition, written naively in Python, to check the SQL against."""
    latest: dict[str, tuple[datetime, int, str]] = {}
    for order, (who, status, at) in enumerate(cases):
        if at.date() <= today and (who not in latest or (at, order) >= latest[who][:2]):
            latest[who] = (at, order, status)
    active = {who for who, (_, _, status) in latest.items() if status in ("confirmed", "suspected")}
    found = set()
    for who, trip, mode, on, carriage, row in trips:
        if who not in active or not 0 <= (today - on).days <= 13:
            continue
        for other, trip2, _, on2, carriage2, row2 in trips:
            if other == who or trip2 != trip or on2 != on:
                continue
            near = mode == "bus" or (abs(row2 - row) <= 3 and (mode == "flight" or carriage2 == carriage))
            if near:
                found.add((other, on, who, trip))
    return found


people = st.sampled_from([f.person_id(n) for n in range(1, 9)])
trip_rows = st.lists(st.tuples(people, st.sampled_from(["T1", "F1", "B1"]), st.integers(8, 11), st.sampled_from("AB"),
                               st.integers(1, 12)), min_size=6, max_size=25)
case_rows = st.lists(st.tuples(people, st.sampled_from(["confirmed", "suspected", "cleared"]), st.integers(0, 10),
                               st.integers(0, 3)), min_size=2, max_size=8)


@hypothesis_settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(trip_rows, case_rows, st.dates(min_value=date(2020, 2, 12), max_value=date(2020, 2, 26)))
def test_property_sql_matches_the_naive_definition(db, raw_trips, raw_cases, today):
    modes = {"T1": "train", "F1": "flight", "B1": "bus"}
    base = date(2020, 2, 1)
    trips = [(who, trip, modes[trip], base + timedelta(days=day), carriage if trip == "T1" else None,
              row if trip != "B1" else None) for who, trip, day, carriage, row in raw_trips]
    cases = [(who, status, datetime(2020, 2, 1, 8) + timedelta(days=day, hours=hour))
             for who, status, day, hour in raw_cases]
    try:
        for who, status, at in cases:
            f.case(db, who, status, at.isoformat(sep=" "))
        for who, trip, mode, on, carriage, row in trips:
            f.travel(db, who, trip, mode, on.isoformat(), carriage=carriage, seat_row=row)
        expected = reference_contacts(cases, trips, today)
        event(f"contacts found: {'some' if expected else 'none'}")  # --hypothesis-show-statistics: both occur
        found = {(c.contact_id_number, c.contact_date, c.case_id_number, c.trip_id)
                 for c in computed_contacts(db, today)}
        assert found == expected
        for who in {t[0] for t in trips}:
            mine = {(c.contact_id_number, c.contact_date, c.case_id_number, c.trip_id)
                    for c in computed_contacts(db, today, id_number=who)}
            assert mine == {c for c in expected if c[0] == who}
    finally:
        db.rollback()
