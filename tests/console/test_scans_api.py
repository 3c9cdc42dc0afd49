"""`GET /api/v1/org/scans` (SPEC section 9, CONTRACT): the admin's own organisation's scans, newest first, paged and
filtered; never another organisation's."""

from __future__ import annotations

from datetime import timedelta

import pytest

from healthcode.orgs.service import new_admin_password
from tests.checkpoints.factories import NOW, add_point, issue, org, person, scan, scanner, token


@pytest.fixture
def two_orgs(db, client, freeze):
    """Org A with 5 scans (3 at its east gate, 2 at its west gate, one a minute apart) and org B with 1 scan."""
    freeze(NOW)
    a, b = org(db, 1, name="甲单位"), org(db, 2, name="乙单位")
    scanner_a = token(client, scanner(db, a.username, 1, name="张三"))
    scanner_b = token(client, scanner(db, b.username, 2, name="王五"))
    east, west = add_point(client, scanner_a, name="东门"), add_point(client, scanner_a, name="西门")
    other = add_point(client, scanner_b, name="乙大门")
    resident = person(db, name="李小明")
    for minute, point_id in enumerate([east, east, west, east, west]):
        moment = NOW + timedelta(minutes=minute)
        freeze(moment)
        assert scan(client, scanner_a, point_id, issue(db, resident, moment).qr_text).status_code == 201
    freeze(NOW + timedelta(minutes=10))
    assert scan(client, scanner_b, other, issue(db, resident, NOW + timedelta(minutes=10)).qr_text).status_code == 201
    return {"a": token(client, a.username, a.password), "b": token(client, b.username, b.password),
            "east": east, "west": west, "other": other}


def test_admin_sees_only_own_organisations_scans_newest_first(client, two_orgs):
    a = client.get("/api/v1/org/scans", headers=two_orgs["a"]).json()
    b = client.get("/api/v1/org/scans", headers=two_orgs["b"]).json()

    assert (a["total"], a["page"], a["pages"]) == (5, 1, 1)
    assert [i["at"][11:16] for i in a["items"]] == ["09:04", "09:03", "09:02", "09:01", "09:00"]
    assert {i["point_name"] for i in a["items"]} == {"东门", "西门"}
    assert b["total"] == 1 and b["items"][0]["point_name"] == "乙大门"
    item = a["items"][0]
    assert {"scan_id", "at", "point_name", "name_masked", "id_number_masked", "color", "pass_reason",
            "temperature_result", "temperature", "scanner_name"} <= set(item)
    assert (item["name_masked"], item["scanner_name"], item["color"]) == ("李*明", "张三", "green")
    assert item["id_number_masked"].count("*") == 5 and len(item["id_number_masked"]) == 10


def test_admin_of_b_filtering_by_a_point_of_a_sees_nothing(client, two_orgs):
    response = client.get("/api/v1/org/scans", headers=two_orgs["b"], params={"point_id": two_orgs["east"]})

    assert response.json()["total"] == 0 and response.json()["items"] == []


def test_pages_split_the_scans_in_order(client, two_orgs):
    pages = [client.get("/api/v1/org/scans", headers=two_orgs["a"], params={"page": n, "page_size": 2}).json()
             for n in (1, 2, 3, 4)]

    assert [p["pages"] for p in pages] == [3, 3, 3, 3]
    assert [len(p["items"]) for p in pages] == [2, 2, 1, 0]
    ids = [i["scan_id"] for p in pages for i in p["items"]]
    assert len(set(ids)) == 5


def test_filters_by_point_and_time(client, two_orgs):
    west = client.get("/api/v1/org/scans", headers=two_orgs["a"], params={"point_id": two_orgs["west"]}).json()
    window = client.get("/api/v1/org/scans", headers=two_orgs["a"],
                        params={"from": "2020-02-24T09:01:00", "to": "2020-02-24T09:03:00"}).json()
    day = client.get("/api/v1/org/scans", headers=two_orgs["a"],
                     params={"from": "2020-02-24", "to": "2020-02-24"}).json()
    before = client.get("/api/v1/org/scans", headers=two_orgs["a"], params={"to": "2020-02-23"}).json()

    assert west["total"] == 2
    assert [i["at"][11:16] for i in window["items"]] == ["09:03", "09:02", "09:01"]
    assert (day["total"], before["total"], before["pages"]) == (5, 0, 0)


def test_bad_query_is_refused_in_chinese(client, two_orgs):
    bad_date = client.get("/api/v1/org/scans", headers=two_orgs["a"], params={"from": "yesterday"})
    bad_size = client.get("/api/v1/org/scans", headers=two_orgs["a"], params={"page_size": 1000})

    assert (bad_date.status_code, bad_size.status_code) == (422, 422)
    assert "格式" in bad_date.json()["message"] and "page_size" in bad_size.json()["message"]


def test_feedback_shows_in_the_admins_records(client, two_orgs, db):
    scanner_b = token(client, "13800000002")
    scan_id = client.get("/api/v1/org/scans", headers=two_orgs["b"]).json()["items"][0]["scan_id"]
    client.post(f"/api/v1/checkpoint/scans/{scan_id}/feedback", headers=scanner_b,
                json={"pass_reason": "返乡", "temperature_result": "normal", "temperature": 36.4})

    item = client.get("/api/v1/org/scans", headers=two_orgs["b"]).json()["items"][0]

    assert (item["pass_reason"], item["temperature_result"], item["temperature"]) == ("返乡", "normal", 36.4)


def test_scanner_token_cannot_read_the_records(client, two_orgs):
    response = client.get("/api/v1/org/scans", headers=token(client, "13800000001"))

    assert response.status_code == 403


def test_retrieved_password_must_be_changed_before_reading_the_records(db, client, settings, freeze):
    freeze(NOW)
    created = org(db, 3, name="丙单位")
    retrieved = new_admin_password(db, created.org_id, NOW, settings.secret_key)
    db.commit()
    headers = token(client, retrieved.username, retrieved.password)

    refused = client.get("/api/v1/org/scans", headers=headers)
    changed = client.post("/api/v1/auth/password", headers=headers,
                          data={"old_password": retrieved.password, "new_password": "NewPass2020"})
    old_token = client.get("/api/v1/org/scans", headers=headers)
    allowed = client.get("/api/v1/org/scans", headers=token(client, retrieved.username, "NewPass2020"))

    assert (refused.status_code, refused.json()["error"]) == (403, "password_change_required")
    assert changed.status_code == 200
    assert (old_token.status_code, old_token.json()["error"]) == (401, "invalid_token")
    assert allowed.status_code == 200
