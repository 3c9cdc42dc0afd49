"""刷身份证 (issue 16): a resident without a phone checked by real name and ID number. The answer is a scan's with
`via` "id_card"; the scan is recorded; every refusal counts against the scanner with the number codes' lock."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from healthcode.checkpoints.models import Scan, ScanRefusal
from healthcode.feeds import models as feeds
from healthcode.residents.models import Person
from tests.checkpoints.factories import (
    NOW,
    SIMING,
    add_point,
    id_number,
    issue,
    org,
    person,
    scan,
    scanner,
    token,
)

URL = "/api/v1/checkpoint/id-checks"


def id_check(client, headers, point_id, name, number):
    return client.post(URL, headers=headers, json={"point_id": point_id, "name": name, "id_number": number})


def signed_in(db, n: int = 1, name: str = "李小明") -> Person:
    resident = person(db, n, name=name)
    resident.signed_in_at = NOW - timedelta(days=3)
    db.commit()
    return resident


def household(db, number: str, name: str, county: str = SIMING) -> None:
    batch = feeds.Batch(feed="households", status="applied", source="test", sha256=number.ljust(64, "0"),
                        created_at=NOW)
    db.add(batch)
    db.flush()
    db.add(feeds.HouseholdRecord(batch_id=batch.id, id_number=number, name=name, address="福建省厦门市思明区某路1号",
                                 region_code=county, county_code=county, address_norm="某路1号"))
    db.commit()


def scans(db) -> int:
    return db.scalar(select(func.count()).select_from(Scan))


def refusals(db) -> list[tuple[str, str]]:
    return [tuple(r) for r in db.execute(select(ScanRefusal.via, ScanRefusal.error).order_by(ScanRefusal.id))]


@pytest.fixture
def ready(db, client, freeze):
    """An authorised scanner's headers and point."""
    freeze(NOW)
    headers = token(client, scanner(db, org(db).username))
    return headers, add_point(client, headers)


def test_signed_in_resident_checked_by_name_and_id_number_gets_the_scan_answer_marked_id_card(db, client, ready):
    headers, point_id = ready
    resident = signed_in(db)

    response = id_check(client, headers, point_id, "李小明", resident.id_number)

    assert response.status_code == 201, response.text
    data = response.json()
    assert data["via"] == "id_card"
    assert (data["color"], data["name_masked"], data["address"]) == ("green", "李*明", "福建省福州市鼓楼区")
    assert data["id_number_masked"] == resident.id_number[:2] + "*****" + resident.id_number[-3:]
    assert data["most_severe_region"]["code"] == "350102" and data["recent_scans"] == []
    stored = db.scalars(select(Scan)).one()
    assert (stored.id, stored.via, stored.person_id, stored.color) == (data["scan_id"], "id_card", resident.id, "green")
    assert refusals(db) == []


def test_the_answer_of_a_code_scan_says_how_it_was_read(db, client, ready):
    headers, point_id = ready
    issued = issue(db, person(db), NOW)

    assert scan(client, headers, point_id, issued.qr_text).json()["via"] == "qr"
    assert scan(client, headers, point_id, issued.number_code).json()["via"] == "number"


def test_a_card_reader_s_typing_and_spacing_of_the_name_are_accepted(db, client, ready):
    headers, point_id = ready
    resident = signed_in(db, 18, name="阿卜杜·热合曼")
    assert resident.id_number.endswith("X")

    response = id_check(client, headers, point_id, " 阿卜杜•热合曼 ", resident.id_number.lower() + "\n")

    assert response.status_code == 201, response.text


def test_household_only_resident_is_checked_against_the_household_name_and_registered(db, client, ready):
    headers, point_id = ready
    number = id_number(7)
    household(db, number, "王芳")

    response = id_check(client, headers, point_id, "王芳", number)

    assert response.status_code == 201, response.text
    assert response.json()["address"] == "福建省厦门市思明区"
    assert db.scalars(select(Person.name).where(Person.id_number == number)).one() == "王芳"


def test_colour_is_the_colour_now(db, client, ready):
    headers, point_id = ready
    resident = signed_in(db)
    batch = feeds.Batch(feed="cases", status="applied", source="test", sha256="2" * 64, created_at=NOW)
    db.add(batch)
    db.flush()
    db.add(feeds.CaseRecord(batch_id=batch.id, row_key="c1", id_number=resident.id_number, name="李小明",
                            status="confirmed", reported_at=NOW))
    db.commit()

    assert id_check(client, headers, point_id, "李小明", resident.id_number).json()["color"] == "orange"


@pytest.mark.parametrize(("name", "number", "error"), [
    ("李小明", "350102199001010010", "invalid_id_number"),  # wrong check character
    ("李小明", "35010219900101001", "invalid_id_number"),  # 17 characters
    ("李大明", None, "name_mismatch"),
    ("李小明", id_number(99), "unknown_person"),  # nobody signed in with it; the households feed does not name it
])
def test_refused_check_is_422_in_chinese_counted_and_stores_no_scan(db, client, ready, name, number, error):
    headers, point_id = ready
    resident = signed_in(db)

    response = id_check(client, headers, point_id, name, number or resident.id_number)

    assert response.status_code == 422
    body = response.json()
    assert body["error"] == error and not body["message"].isascii()
    assert scans(db) == 0
    assert refusals(db) == [("id_card", error)]


def test_a_name_typed_by_a_relative_is_not_a_real_name(db, client, ready):
    """family.add_member stores the applicant's entry as the name of a relative nobody else knows: it proves nothing,
    so the number stays unknown to an ID check."""
    headers, point_id = ready
    resident = person(db, 3, name="张三")  # never signed in, not in the households snapshot

    response = id_check(client, headers, point_id, "张三", resident.id_number)

    assert (response.status_code, response.json()["error"]) == (422, "unknown_person")


def test_missing_name_is_refused_before_anything_is_counted(db, client, ready):
    headers, point_id = ready
    resident = signed_in(db)

    response = id_check(client, headers, point_id, "  ", resident.id_number)

    assert (response.status_code, response.json()["error"]) == (422, "invalid_name")
    assert refusals(db) == [] and scans(db) == 0


def test_refused_checks_lock_id_checks_and_number_codes_but_not_qr_until_the_window_passes(db, client, freeze, ready):
    headers, point_id = ready
    resident = signed_in(db)
    for _ in range(10):
        assert id_check(client, headers, point_id, "李大明", resident.id_number).status_code == 422
    issued = issue(db, person(db, 2), NOW)

    locked = id_check(client, headers, point_id, "李小明", resident.id_number)
    number = scan(client, headers, point_id, issued.number_code)
    qr = scan(client, headers, point_id, issued.qr_text)
    freeze(NOW + timedelta(minutes=5, seconds=1))
    later = id_check(client, headers, point_id, "李小明", resident.id_number)

    assert (locked.status_code, locked.json()["error"]) == (429, "rate_limited")
    assert "身份证核验" in locked.json()["message"]
    assert (number.status_code, number.json()["error"]) == (429, "rate_limited")
    assert qr.status_code == 201
    assert later.status_code == 201
    assert len(refusals(db)) == 10  # the locked attempts were refused, not counted


def test_refused_number_codes_lock_id_checks_too(db, client, ready):
    headers, point_id = ready
    resident = signed_in(db)
    for attempt in range(10):
        assert scan(client, headers, point_id, f"1000000000{attempt:02d}").status_code == 422

    response = id_check(client, headers, point_id, "李小明", resident.id_number)

    assert (response.status_code, response.json()["error"]) == (429, "rate_limited")


def test_point_of_another_unit_or_unknown_point_is_refused_and_not_counted(db, client, ready):
    headers, _ = ready
    resident = signed_in(db)
    stranger = token(client, scanner(db, org(db, 2).username, 2))
    foreign_point = add_point(client, stranger)

    foreign = id_check(client, headers, foreign_point, "李小明", resident.id_number)
    unknown = id_check(client, headers, 999999, "李小明", resident.id_number)

    assert (foreign.status_code, unknown.status_code) == (403, 404)
    assert scans(db) == 0 and refusals(db) == []


def test_feedback_and_recent_scans_follow_an_id_check_like_a_scan(db, client, ready):
    headers, point_id = ready
    resident = signed_in(db)
    first = id_check(client, headers, point_id, "李小明", resident.id_number).json()

    feedback = client.post(f"/api/v1/checkpoint/scans/{first['scan_id']}/feedback", headers=headers,
                           json={"pass_reason": "就医", "temperature_result": "normal", "temperature": 36.6})
    second = id_check(client, headers, point_id, "李小明", resident.id_number).json()

    assert feedback.status_code == 200, feedback.text
    assert [(s["pass_reason"], s["temperature_result"]) for s in second["recent_scans"]] == [("就医", "normal")]


def test_logs_hold_neither_the_id_number_nor_the_name(db, client, ready, caplog):
    headers, point_id = ready
    resident = signed_in(db)
    caplog.set_level(logging.INFO, logger="healthcode.checkpoints.id_check")

    id_check(client, headers, point_id, "李小明", resident.id_number)
    id_check(client, headers, point_id, "李大明", resident.id_number)

    assert "ID-card check: scan" in caplog.text and "name_mismatch" in caplog.text
    assert resident.id_number not in caplog.text
    assert "李小明" not in caplog.text and "李大明" not in caplog.text
