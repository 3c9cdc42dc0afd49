"""The checkpoint flow through the API (SPEC section 8): token, scan point, scan by QR and by number code, the
result's contents, the stored record and the feedback."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import event, select

from healthcode.checkpoints.models import Scan
from healthcode.feeds import models as feeds
from healthcode.rules.service import status_for
from tests.checkpoints.factories import (
    GULOU,
    NOW,
    SIMING,
    add_point,
    issue,
    org,
    person,
    scan,
    scanner,
    token,
)


def _household(db, number: str, county: str) -> None:
    batch = feeds.Batch(feed="households", status="applied", source="test", sha256="1" * 64, created_at=NOW)
    db.add(batch)
    db.flush()
    db.add(feeds.HouseholdRecord(batch_id=batch.id, id_number=number, name="李斌", address="福建省厦门市思明区某路1号",
                                 region_code=county, county_code=county, address_norm="某路1号"))
    db.commit()


def test_given_authorised_scanner_when_scanning_qr_then_result_has_the_contract_fields(db, client, freeze):
    freeze(NOW)
    admin = org(db)
    headers = token(client, scanner(db, admin.username))
    point_id = add_point(client, headers)
    resident = person(db, name="李斌")
    issued = issue(db, resident, NOW)

    response = scan(client, headers, point_id, issued.qr_text)

    assert response.status_code == 201, response.text
    data = response.json()
    assert {"scan_id", "color", "name_masked", "id_number_masked", "address", "most_severe_region",
            "recent_scans"} <= set(data)
    assert data["color"] == "green"
    assert data["name_masked"] == "*斌"
    assert data["id_number_masked"] == resident.id_number[:2] + "*****" + resident.id_number[-3:]
    assert data["address"] == "福建省福州市鼓楼区"
    assert data["most_severe_region"] == {
        "code": GULOU, "name": "福州市鼓楼区", "level": 0, "level_name": "无疫情区",
        "policy": data["most_severe_region"]["policy"], "policy_headline": "严防输入、统筹兼顾",
        "higher_than_here": False,
    }
    assert data["most_severe_region"]["policy"].startswith("无疫情区-")
    assert data["recent_scans"] == []


def test_given_number_code_when_scanning_then_same_person_and_scan_is_stored(db, client, freeze):
    freeze(NOW)
    admin = org(db)
    phone = scanner(db, admin.username)
    headers = token(client, phone)
    point_id = add_point(client, headers)
    resident = person(db, name="欧阳小明")
    issued = issue(db, resident, NOW)

    data = scan(client, headers, point_id, issued.number_code).json()

    assert data["name_masked"] == "欧**明"
    stored = db.scalars(select(Scan)).one()
    assert (stored.id, stored.person_id, stored.point_id, stored.color, stored.via, stored.at) == (
        data["scan_id"], resident.id, point_id, "green", "number", NOW)


def test_colour_is_the_colour_now_not_the_one_in_the_code(db, client, freeze, settings):
    freeze(NOW)
    admin = org(db)
    headers = token(client, scanner(db, admin.username))
    point_id = add_point(client, headers)
    resident = person(db)
    issued = issue(db, resident, NOW)
    batch = feeds.Batch(feed="cases", status="applied", source="test", sha256="2" * 64, created_at=NOW)
    db.add(batch)
    db.flush()
    db.add(feeds.CaseRecord(batch_id=batch.id, row_key="c1", id_number=resident.id_number, name="李斌",
                            status="confirmed", reported_at=NOW))
    db.commit()

    data = scan(client, headers, point_id, issued.qr_text).json()

    assert issued.color == "green"
    assert data["color"] == "orange" == status_for(db, settings, resident.id_number, NOW).color
    assert db.scalars(select(Scan.color)).one() == "orange"


def test_address_is_the_household_county_when_the_household_feed_names_the_resident(db, client, freeze):
    freeze(NOW)
    admin = org(db)
    headers = token(client, scanner(db, admin.username))
    point_id = add_point(client, headers)
    resident = person(db, region=GULOU)
    _household(db, resident.id_number, SIMING)

    data = scan(client, headers, point_id, issue(db, resident, NOW).qr_text).json()

    assert data["address"] == "福建省厦门市思明区"


def test_recent_scans_are_the_earlier_ones_newest_first_with_their_feedback(db, client, freeze):
    admin = org(db)
    phone = scanner(db, admin.username)
    resident = person(db)
    freeze(NOW - timedelta(days=2))
    headers = token(client, phone)
    first_point = add_point(client, headers, name="福建省经济信息中心")
    first = scan(client, headers, first_point, issue(db, resident, NOW - timedelta(days=2)).qr_text).json()
    client.post(f"/api/v1/checkpoint/scans/{first['scan_id']}/feedback", headers=headers,
                json={"pass_reason": "工作", "temperature_result": "normal", "temperature": 36.5})
    freeze(NOW - timedelta(days=1))
    scan(client, headers, first_point, issue(db, resident, NOW - timedelta(days=1)).qr_text)
    freeze(NOW)

    data = scan(client, headers, add_point(client, headers, SIMING), issue(db, resident, NOW).qr_text).json()

    assert data["recent_scans"] == [
        {"at": "2020-02-23T09:00:00", "address": "鼓楼区福建省经济信息中心", "temperature_result": None,
         "pass_reason": None},
        {"at": "2020-02-22T09:00:00", "address": "鼓楼区福建省经济信息中心", "temperature_result": "normal",
         "pass_reason": "工作"},
    ]


def test_recent_scans_show_at_most_five(db, client, freeze):
    admin = org(db)
    phone = scanner(db, admin.username)
    resident = person(db)
    freeze(NOW)
    headers = token(client, phone)
    point_id = add_point(client, headers)
    for minutes in range(7):
        moment = NOW + timedelta(minutes=minutes)
        freeze(moment)
        data = scan(client, headers, point_id, issue(db, resident, moment).qr_text).json()

    assert [r["at"][11:16] for r in data["recent_scans"]] == ["09:05", "09:04", "09:03", "09:02", "09:01"]


def test_feedback_is_stored_and_returned(db, client, freeze):
    freeze(NOW)
    admin = org(db)
    headers = token(client, scanner(db, admin.username))
    point_id = add_point(client, headers)
    scan_id = scan(client, headers, point_id, issue(db, person(db), NOW).qr_text).json()["scan_id"]

    response = client.post(f"/api/v1/checkpoint/scans/{scan_id}/feedback", headers=headers,
                           json={"pass_reason": "就医", "temperature_result": "abnormal", "temperature": 37.8})

    assert response.status_code == 200, response.text
    assert response.json()["temperature_result"] == "abnormal"
    stored = db.scalars(select(Scan)).one()
    assert (stored.pass_reason, stored.temperature_result, stored.temperature) == ("就医", "abnormal", 37.8)


def test_feedback_with_unlisted_reason_or_result_is_refused_in_chinese_and_changes_nothing(db, client, freeze):
    freeze(NOW)
    admin = org(db)
    headers = token(client, scanner(db, admin.username))
    point_id = add_point(client, headers)
    scan_id = scan(client, headers, point_id, issue(db, person(db), NOW).qr_text).json()["scan_id"]
    url = f"/api/v1/checkpoint/scans/{scan_id}/feedback"

    bad_reason = client.post(url, headers=headers, json={"pass_reason": "旅游", "temperature_result": "normal"})
    bad_result = client.post(url, headers=headers, json={"pass_reason": "工作", "temperature_result": "hot"})
    bad_degrees = client.post(url, headers=headers,
                              json={"pass_reason": "工作", "temperature_result": "normal", "temperature": 50})

    assert [r.status_code for r in (bad_reason, bad_result, bad_degrees)] == [422, 422, 422]
    assert "通行原因" in bad_reason.json()["message"] and "体温结果" in bad_result.json()["message"]
    assert db.scalars(select(Scan.pass_reason)).one() is None


def test_point_with_unknown_or_non_county_region_is_refused(db, client, freeze):
    freeze(NOW)
    admin = org(db)
    headers = token(client, scanner(db, admin.username))
    body = {"community": "软件园社区", "name": "东门", "address": "软件大道89号"}

    unknown = client.post("/api/v1/checkpoint/points", headers=headers, json={**body, "region_code": "359999"})
    city = client.post("/api/v1/checkpoint/points", headers=headers, json={**body, "region_code": "350100"})

    assert (unknown.status_code, city.status_code) == (422, 422)
    assert "不存在" in unknown.json()["message"] and "县级" in city.json()["message"]
    assert client.get("/api/v1/checkpoint/points", headers=headers).json()["items"] == []


def test_a_scan_costs_a_bounded_number_of_queries_whatever_the_history(db, client, freeze, engine):
    admin = org(db)
    phone = scanner(db, admin.username)
    resident = person(db)
    freeze(NOW)
    headers = token(client, phone)
    points = [add_point(client, headers, region, f"点{region}") for region in (GULOU, SIMING, "350103")]

    def statements_of_one_scan(moment):
        freeze(moment)
        code = issue(db, resident, moment).qr_text
        statements: list[str] = []

        def record(*args):
            statements.append(args[2])

        event.listen(engine, "before_cursor_execute", record)
        try:
            assert scan(client, headers, points[moment.minute % 3], code).status_code == 201
        finally:
            event.remove(engine, "before_cursor_execute", record)
        return len(statements)

    first = statements_of_one_scan(NOW)
    for minute in range(1, 12):
        later = statements_of_one_scan(NOW + timedelta(minutes=minute))

    assert later == first


def test_feedback_whose_result_contradicts_its_temperature_is_refused_and_counts_nothing(db, client, freeze):
    """体温 38.5 with 体温结果 正常 is invalid feedback: 422 invalid_temperature_result with the Chinese reason; the
    result follows the temperature (≥ 37.3 ℃ abnormal), and without a temperature either result is taken."""
    freeze(NOW)
    admin = org(db)
    headers = token(client, scanner(db, admin.username))
    point_id = add_point(client, headers)
    scan_id = scan(client, headers, point_id, issue(db, person(db), NOW).qr_text).json()["scan_id"]
    url = f"/api/v1/checkpoint/scans/{scan_id}/feedback"

    fever_normal = client.post(url, headers=headers,
                               json={"pass_reason": "工作", "temperature_result": "正常", "temperature": 38.5})
    at_threshold_normal = client.post(url, headers=headers,
                                      json={"pass_reason": "工作", "temperature_result": "normal", "temperature": 37.3})
    cool_abnormal = client.post(url, headers=headers,
                                json={"pass_reason": "工作", "temperature_result": "abnormal", "temperature": 36.5})

    for refused in (fever_normal, at_threshold_normal, cool_abnormal):
        assert refused.status_code == 422
        assert refused.json()["error"] == "invalid_temperature_result"
    assert fever_normal.json()["message"] == ("体温 38.5℃ 应为体温异常，与所填体温结果（体温正常）不符："
                                              "37.3℃ 及以上为体温异常")
    assert "应为体温正常" in cool_abnormal.json()["message"]
    assert db.scalars(select(Scan.temperature_result)).one() is None

    below = client.post(url, headers=headers, json={"pass_reason": "工作", "temperature_result": "normal",
                                                    "temperature": 37.2})
    assert below.status_code == 200 and below.json()["temperature_result"] == "normal"
    fever = client.post(url, headers=headers, json={"pass_reason": "工作", "temperature_result": "abnormal",
                                                    "temperature": 38.5})
    assert fever.status_code == 200 and fever.json()["temperature_result"] == "abnormal"
    no_degrees = client.post(url, headers=headers, json={"pass_reason": "工作", "temperature_result": "abnormal"})
    assert no_degrees.status_code == 200 and no_degrees.json()["temperature"] is None
