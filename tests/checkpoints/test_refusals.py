"""What the checkpoint refuses (SPEC section 8): bad codes passed through as 422 with their error code, rate limiting
of number codes, scanners that are not (or no longer) authorised, feedback by someone else, another unit's point."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from healthcode.checkpoints.models import Scan, ScanRefusal
from tests.checkpoints.factories import (
    NOW,
    add_point,
    bad_signature,
    issue,
    org,
    person,
    scan,
    scanner,
    token,
    unknown_key,
    uscc,
    wrong_check_digit,
)


@pytest.fixture
def ready(db, client, freeze):
    """An authorised scanner (headers, point) and a resident with a code issued at NOW."""
    freeze(NOW)
    admin = org(db)
    headers = token(client, scanner(db, admin.username))
    return headers, add_point(client, headers), issue(db, person(db), NOW)


@pytest.fixture
def admin(db, client, ready):
    """The Authorization header of the organisation's admin (the first organisation, made by `ready`)."""
    from healthcode.accounts.service import set_password
    from healthcode.orgs import repository

    account = repository.admin_account_of(db, repository.org_by_uscc(db, uscc(1)).id)
    set_password(account, "Admin2020", NOW, must_change=False)
    db.commit()
    return token(client, account.username, "Admin2020")


def refusals(db) -> int:
    return db.scalar(select(func.count()).select_from(ScanRefusal))


@pytest.mark.parametrize(("make", "error"), [
    (lambda issued: "hello", "invalid_code"),
    (lambda issued: "BMJKM1:!!!", "invalid_code"),
    (lambda issued: "12345", "invalid_code"),
    (lambda issued: wrong_check_digit(issued.number_code), "check_digit"),
    (lambda issued: bad_signature(issued.qr_text), "bad_signature"),
    (lambda issued: unknown_key(issued.qr_text), "unknown_key"),
])
def test_refused_code_is_passed_through_counted_and_stores_no_scan(db, client, ready, make, error):
    headers, point_id, issued = ready

    response = scan(client, headers, point_id, make(issued))

    assert response.status_code == 422
    body = response.json()
    assert body["error"] == error and body["message"] and not body["message"].isascii()
    assert db.scalar(select(func.count()).select_from(Scan)) == 0
    assert refusals(db) == 1


@pytest.mark.parametrize("field", ["qr_text", "number_code"])
def test_expired_code_is_refused_as_expired(db, client, freeze, ready, field):
    headers, point_id, issued = ready
    freeze(issued.expires_at + timedelta(seconds=1))

    response = scan(client, headers, point_id, getattr(issued, field))

    assert (response.status_code, response.json()["error"]) == (422, "expired")


def test_too_many_refusals_lock_number_codes_but_not_qr_codes_until_the_window_passes(db, client, freeze, ready):
    headers, point_id, issued = ready
    for attempt in range(10):
        assert scan(client, headers, point_id, f"1000000000{attempt:02d}").status_code == 422

    locked = scan(client, headers, point_id, issued.number_code)
    qr = scan(client, headers, point_id, issued.qr_text)
    freeze(NOW + timedelta(minutes=5, seconds=1))
    fresh = issue(db, person(db, 2), NOW + timedelta(minutes=5, seconds=1))
    later = scan(client, headers, point_id, fresh.number_code)

    assert (locked.status_code, locked.json()["error"]) == (429, "rate_limited")
    assert "数字码" in locked.json()["message"]
    assert qr.status_code == 201
    assert later.status_code == 201


def test_refusals_are_counted_per_scanner(db, client, ready):
    headers, point_id, issued = ready
    other = token(client, scanner(db, org(db, 2).username, 2))
    other_point = add_point(client, other)
    for attempt in range(10):
        scan(client, headers, point_id, f"1000000000{attempt:02d}")

    assert scan(client, other, other_point, issued.number_code).status_code == 201


def test_pending_scanner_gets_403_not_authorised(db, client, freeze):
    freeze(NOW)
    admin = org(db)
    headers = token(client, scanner(db, admin.username, authorise=False))

    response = client.post("/api/v1/checkpoint/points", headers=headers, json={
        "community": "软件园社区", "name": "东门", "address": "软件大道89号", "region_code": "350102"})

    assert (response.status_code, response.json()["error"]) == (403, "not_authorised")
    assert "授权" in response.json()["message"]


def test_revocation_stops_the_scanners_token_at_once_and_reauthorisation_restores_it(db, client, ready, admin):
    headers, point_id, issued = ready
    admin_headers = admin
    scanner_id = client.get("/api/v1/org/scanners", headers=admin_headers).json()["items"][0]["id"]

    assert client.post(f"/api/v1/org/scanners/{scanner_id}/revoke", headers=admin_headers).status_code == 200
    revoked = scan(client, headers, point_id, issued.qr_text)
    client.post(f"/api/v1/org/scanners/{scanner_id}/authorise", headers=admin_headers)
    restored = scan(client, headers, point_id, issued.qr_text)

    assert (revoked.status_code, revoked.json()["error"]) == (403, "not_authorised")
    assert restored.status_code == 201


def test_admin_token_or_no_token_cannot_scan(db, client, ready, admin):
    headers, point_id, issued = ready

    as_admin = scan(client, admin, point_id, issued.qr_text)
    anonymous = scan(client, {}, point_id, issued.qr_text)
    forged = scan(client, {"Authorization": "Bearer abc.def.ghi"}, point_id, issued.qr_text)

    assert (as_admin.status_code, as_admin.json()["error"]) == (403, "not_authorised")
    assert (anonymous.status_code, anonymous.json()["error"]) == (401, "unauthorised")
    assert (forged.status_code, forged.json()["error"]) == (401, "invalid_token")


def test_feedback_only_by_the_scanner_who_made_the_scan(db, client, ready):
    headers, point_id, issued = ready
    scan_id = scan(client, headers, point_id, issued.qr_text).json()["scan_id"]
    colleague = token(client, scanner(db, uscc(1), 2))

    response = client.post(f"/api/v1/checkpoint/scans/{scan_id}/feedback", headers=colleague,
                           json={"pass_reason": "工作", "temperature_result": "normal"})
    missing = client.post("/api/v1/checkpoint/scans/999999/feedback", headers=headers,
                          json={"pass_reason": "工作", "temperature_result": "normal"})

    assert (response.status_code, response.json()["error"]) == (403, "forbidden")
    assert missing.status_code == 404
    assert db.scalars(select(Scan.pass_reason)).one() is None


def test_point_of_another_organisation_or_unknown_point_is_refused(db, client, ready):
    headers, _, issued = ready
    stranger = token(client, scanner(db, org(db, 2).username, 2))
    foreign_point = add_point(client, stranger)

    foreign = scan(client, headers, foreign_point, issued.qr_text)
    unknown = scan(client, headers, 999999, issued.qr_text)

    assert (foreign.status_code, unknown.status_code) == (403, 404)
    assert db.scalar(select(func.count()).select_from(Scan)) == 0
