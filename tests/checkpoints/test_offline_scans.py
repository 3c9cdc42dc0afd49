"""POST /api/v1/checkpoint/offline-scans: a scan verified offline is recorded once, at the time it was made, however
often the page re-sends it."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from healthcode.checkpoints.models import OfflineScan, Scan
from tests.checkpoints.factories import NOW, add_point, issue, org, person, scanner, token

URL = "/api/v1/checkpoint/offline-scans"


def _body(point_id: int, code: str, client_id: str = "c0ffee-0001", **extra: object) -> dict[str, object]:
    return {"client_scan_id": client_id, "point_id": point_id, "code": code,
            "scanned_at": NOW.isoformat(), **extra}


def _count(db) -> int:
    return db.scalar(select(func.count()).select_from(Scan))


def test_given_a_queued_scan_when_uploaded_twice_then_one_scan_is_recorded_at_its_time(db, client, freeze):
    freeze(NOW)
    headers = token(client, scanner(db, org(db).username))
    point_id = add_point(client, headers)
    issued = issue(db, person(db), NOW)
    freeze(NOW + timedelta(minutes=30))  # back online long after the code expired

    first = client.post(URL, headers=headers, json=_body(point_id, issued.qr_text, pass_reason="工作",
                                                         temperature_result="normal", temperature=36.5))
    again = client.post(URL, headers=headers, json=_body(point_id, issued.qr_text))

    assert first.status_code == 201, first.text
    assert first.json()["color"] == "green" and first.json()["duplicate"] is False
    assert again.status_code == 200 and again.json() == {"scan_id": first.json()["scan_id"],
                                                         "client_scan_id": "c0ffee-0001", "duplicate": True}
    db.expire_all()
    stored = db.scalars(select(Scan)).one()
    assert stored.at == NOW and stored.pass_reason == "工作" and stored.temperature == 36.5


def test_given_a_code_expired_when_scanned_offline_then_it_is_refused_alike_on_every_resend(db, client, freeze):
    freeze(NOW)
    headers = token(client, scanner(db, org(db).username))
    point_id = add_point(client, headers)
    issued = issue(db, person(db), NOW - timedelta(minutes=5))

    first = client.post(URL, headers=headers, json=_body(point_id, issued.qr_text))
    again = client.post(URL, headers=headers, json=_body(point_id, issued.qr_text))

    assert first.status_code == 422 and first.json()["error"] == "expired"
    assert again.status_code == 422 and again.json()["error"] == "expired"
    assert _count(db) == 0


def test_given_a_number_code_or_an_old_queue_when_uploading_then_it_is_refused(db, client, freeze):
    freeze(NOW)
    headers = token(client, scanner(db, org(db).username))
    point_id = add_point(client, headers)
    issued = issue(db, person(db), NOW)

    number = client.post(URL, headers=headers, json=_body(point_id, issued.number_code))
    freeze(NOW + timedelta(hours=25))
    old = client.post(URL, headers=headers, json=_body(point_id, issued.qr_text, "c0ffee-0002"))
    bad_id = client.post(URL, headers=headers, json=_body(point_id, issued.qr_text, "x"))

    assert number.status_code == 422 and "数字码须联网查询" in number.json()["message"]
    assert old.status_code == 422 and old.json()["error"] == "too_old"
    assert bad_id.status_code == 422
    assert _count(db) == 0


def test_given_a_pending_scanner_when_uploading_then_it_is_not_authorised(db, client, freeze):
    freeze(NOW)
    headers = token(client, scanner(db, org(db).username, authorise=False))

    response = client.post(URL, headers=headers, json=_body(1, "BMJKM1:X"))

    assert response.status_code == 403 and response.json()["error"] == "not_authorised"


def test_given_a_queued_feedback_contradicting_its_temperature_then_the_scan_is_kept_with_the_result_corrected(
        db, client, freeze):
    """Queued by a page from before the temperature decided the result (38.5 ℃ with 正常): refusing it would lose the
    scan, so it is recorded as the temperature decides, and the answer (and a re-send's) says so."""
    freeze(NOW)
    headers = token(client, scanner(db, org(db).username))
    point_id = add_point(client, headers)
    issued = issue(db, person(db), NOW)
    feedback = {"pass_reason": "工作", "temperature_result": "normal", "temperature": 38.5}

    first = client.post(URL, headers=headers, json=_body(point_id, issued.qr_text, **feedback))
    again = client.post(URL, headers=headers, json=_body(point_id, issued.qr_text, **feedback))

    assert first.status_code == 201, first.text
    correction = first.json()["correction"]
    assert (correction["field"], correction["given"], correction["recorded"]) == (
        "temperature_result", "normal", "abnormal")
    assert correction["message"] == "体温 38.5℃ ≥ 37.3℃，体温结果已更正为体温异常（离线时填为体温正常）"
    assert again.status_code == 200 and again.json()["duplicate"] is True and again.json()["correction"] == correction
    db.expire_all()
    stored = db.scalars(select(Scan)).one()
    assert (stored.temperature, stored.temperature_result, stored.at) == (38.5, "abnormal", NOW)
    queued = db.scalars(select(OfflineScan)).one()
    assert queued.error is None and queued.message == correction["message"]  # recorded with the queue's row


def test_given_the_same_contradiction_online_then_the_feedback_is_still_refused(db, client, freeze):
    """The online CONTRACT is unchanged: POST …/feedback refuses the pair with 422 invalid_temperature_result."""
    freeze(NOW)
    headers = token(client, scanner(db, org(db).username))
    point_id = add_point(client, headers)
    scanned = client.post("/api/v1/checkpoint/scans", headers=headers,
                          json={"point_id": point_id, "code": issue(db, person(db), NOW).qr_text})

    refused = client.post(f"/api/v1/checkpoint/scans/{scanned.json()['scan_id']}/feedback", headers=headers,
                          json={"pass_reason": "工作", "temperature_result": "normal", "temperature": 38.5})

    assert refused.status_code == 422 and refused.json()["error"] == "invalid_temperature_result"
    db.expire_all()
    assert db.scalars(select(Scan)).one().temperature_result is None


def test_given_an_agreeing_or_out_of_range_queued_feedback_then_nothing_is_corrected(db, client, freeze):
    freeze(NOW)
    headers = token(client, scanner(db, org(db).username))
    point_id = add_point(client, headers)
    agreeing = client.post(URL, headers=headers, json=_body(
        point_id, issue(db, person(db), NOW).qr_text, pass_reason="工作", temperature_result="abnormal",
        temperature=37.3))
    out_of_range = client.post(URL, headers=headers, json=_body(
        point_id, issue(db, person(db, 2), NOW).qr_text, "c0ffee-0002", pass_reason="工作",
        temperature_result="normal", temperature=63.5))

    assert agreeing.status_code == 201 and "correction" not in agreeing.json()
    assert out_of_range.status_code == 422 and out_of_range.json()["error"] == "invalid_temperature"
