"""POST /api/v1/checkpoint/offline-scans: a scan verified offline is recorded once, at the time it was made, however
often the page re-sends it."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from healthcode.checkpoints.models import Scan
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
