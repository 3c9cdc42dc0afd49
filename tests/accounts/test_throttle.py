"""Throttling per client address (sign-ins, SMS codes, registrations) shared by every process through the database,
and refusals that read the same whether or not an account or a phone exists."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from healthcode.accounts.models import ThrottleHit
from healthcode.app import create_app
from tests.checkpoints.factories import NOW, PASSWORD, org, scanner


def app_client(engine, settings, host="203.0.113.7", **limits):
    """A TestClient of its own app (as a second server process would be) from the given client address."""
    app = create_app(settings.model_copy(update=limits), engine)
    return TestClient(app, client=(host, 50000))


def token(client, username, password="Wrong-pass1"):
    return client.post("/api/v1/auth/token", data={"username": username, "password": password})


def test_failed_sign_ins_are_counted_across_two_app_instances_sharing_the_database(engine, settings, freeze):
    # Given two server processes on one database, each allowing 4 failed sign-ins per address in 15 minutes
    freeze(NOW)
    with app_client(engine, settings, throttle_login_failures=(4, 900)) as one, \
            app_client(engine, settings, throttle_login_failures=(4, 900)) as two:
        # When one address fails twice on each (different usernames: no single account locks)
        answers = [token(c, f"1390000000{i}").status_code for i, c in enumerate((one, two, one, two))]
        # Then the fifth attempt, on either process, is refused before any password check
        limited = token(one, "13900000009", PASSWORD)
        other_address = app_client(engine, settings, host="198.51.100.1", throttle_login_failures=(4, 900))
        with other_address as three:
            elsewhere = token(three, "13900000009")
        freeze(NOW + timedelta(minutes=15))
        later = token(two, "13900000009")

    assert answers == [401, 401, 401, 401]
    assert limited.status_code == 429
    assert limited.json() == {"error": "rate_limited", "message": "登录失败次数过多，请于09:15后再试"}
    assert elsewhere.status_code == 401  # another address is not affected
    assert later.status_code == 401  # the window has passed


def test_successful_sign_ins_do_not_count_against_the_address(engine, settings, db, freeze):
    freeze(NOW)
    phone = scanner(db, org(db).username)
    with app_client(engine, settings, throttle_login_failures=(2, 900)) as client:
        answers = [token(client, phone, PASSWORD).status_code for _ in range(5)]
    assert answers == [200] * 5


def test_old_hits_are_pruned(engine, settings, db, freeze):
    freeze(NOW)
    with app_client(engine, settings) as client:
        token(client, "13900000001")
        freeze(NOW + timedelta(hours=1))
        token(client, "13900000002")
    rows = db.scalars(select(ThrottleHit.at)).all()
    assert rows and min(rows) == NOW + timedelta(hours=1)


@pytest.mark.parametrize("path, field", [("/api/v1/auth/token", "username"), ("/gov/login", "username"),
                                         ("/scanner/login", "phone")])
def test_lockout_answers_the_same_for_an_existing_and_an_unknown_account(engine, settings, db, freeze, path, field):
    # Given an existing scanner account and a number that has no account
    freeze(NOW)
    org_created = org(db)
    phone = scanner(db, org_created.username)
    username = org_created.username if path == "/gov/login" else phone
    unknown = "13999999999" if path != "/gov/login" else "91350100MA0000000X"

    def attempts(name):
        with app_client(engine, settings) as client:
            answers = [client.post(path, data={field: name, "password": "Wrong-pass1"}) for _ in range(6)]
            right = client.post(path, data={field: name, "password": PASSWORD})
        return [(r.status_code, _message(r, name)) for r in [*answers, right]]

    # When both get five wrong passwords, then a sixth, then (for the existing one) the right password
    known, nobody = attempts(username), attempts(unknown)

    # Then every answer has the same status and text: locking does not tell that an account exists
    assert [status for status, _ in known] == [401, 401, 401, 401, 429, 429, 429]
    assert known == nobody
    assert "锁定" in known[-1][1]


def _message(response, name):
    if response.headers["content-type"].startswith("application/json"):
        return response.json()["message"]
    return response.text.replace(name, "NAME")


def test_sms_to_a_registered_and_an_unknown_phone_answer_alike(client, db, freeze):
    freeze(NOW)
    registered = scanner(db, org(db).username)

    to_registered = client.post("/scanner/register/sms", data={"phone": registered})
    to_unknown = client.post("/scanner/register/sms", data={"phone": "13912345678"})
    again_registered = client.post("/scanner/register/sms", data={"phone": registered})
    again_unknown = client.post("/scanner/register/sms", data={"phone": "13912345678"})

    assert (to_registered.status_code, to_registered.json()) == (to_unknown.status_code, to_unknown.json())
    assert to_registered.status_code == 200
    assert (again_registered.status_code, again_registered.json()) == (again_unknown.status_code, again_unknown.json())


def test_sms_codes_are_limited_per_address(engine, settings, freeze, db):
    freeze(NOW)
    with app_client(engine, settings, throttle_sms=(3, 3600)) as client:
        sent = [client.post("/scanner/register/sms", data={"phone": f"1391234567{i}"}).status_code for i in range(3)]
        limited = client.post("/scanner/register/sms", data={"phone": "13912345679"})
    assert sent == [200, 200, 200]
    assert limited.status_code == 429 and limited.json()["error"] == "rate_limited"
    assert "获取验证码过于频繁" in limited.json()["message"]
    assert db.scalar(select(func.count()).select_from(ThrottleHit)) == 3


@pytest.mark.parametrize("path", ["/scanner/register", "/ent/register"])
def test_registrations_are_limited_per_address(engine, settings, freeze, path):
    freeze(NOW)
    with app_client(engine, settings, throttle_registration=(2, 3600)) as client:
        refused = [client.post(path, data={"name": "某企业"}).status_code for _ in range(2)]
        limited = client.post(path, data={"name": "某企业"})
    assert all(400 <= status < 500 and status != 429 for status in refused)
    assert limited.status_code == 429 and "注册提交过于频繁" in limited.text


def test_keys_are_an_hmac_of_the_secret_key_not_a_plain_hash(db):
    """A plain SHA-256 of an 11-digit phone number is reversed by trying them all; without the secret it is not."""
    import hashlib
    import hmac

    from healthcode.accounts import throttle

    phone, limit = "13900000001", throttle.Limit(1, 600)
    one, another = "one-secret-of-at-least-32-characters!", "another-secret-of-at-least-32-chars!"
    throttle.record(db, "login_user", phone, limit, NOW, one)
    stored = db.scalar(select(ThrottleHit.key))
    assert stored != hashlib.sha256(f"login_user\x00{phone}".encode()).hexdigest()
    assert stored == hmac.new(one.encode(), f"login_user\x00{phone}".encode(), hashlib.sha256).hexdigest()
    assert throttle.blocked_until(db, "login_user", phone, limit, NOW, one) is not None
    assert throttle.blocked_until(db, "login_user", phone, limit, NOW, another) is None  # another secret, another key


def test_sign_in_starts_are_limited_per_address_so_strangers_cannot_fill_the_sessions_table(engine, settings, db,
                                                                                            freeze):
    from healthcode.sessions.models import WebSession

    def sessions() -> int:
        db.rollback()
        return db.scalar(select(func.count()).select_from(WebSession))

    freeze(NOW)
    with app_client(engine, settings, throttle_sign_in_starts=(3, 60)) as visitor:
        # Given a visitor without a cookie, three times: each start stores a session row
        for _ in range(3):
            visitor.cookies.clear()
            assert visitor.get("/citizen/login", follow_redirects=False).status_code == 303
        assert sessions() == 3
        # When he starts once more within the minute, then a Chinese 429 and no new row
        visitor.cookies.clear()
        refused = visitor.get("/citizen/login", follow_redirects=False)
        assert refused.status_code == 429 and "登录请求过于频繁" in refused.text and sessions() == 3
        # (the enterprise's and the verification's real-name starts go through the same route)
        assert visitor.get("/citizen/login?next=/ent/login/realname", follow_redirects=False).status_code == 429
        with app_client(engine, settings, host="198.51.100.1", throttle_sign_in_starts=(3, 60)) as other:
            assert other.get("/citizen/login", follow_redirects=False).status_code == 303
        freeze(NOW + timedelta(seconds=61))
        visitor.cookies.clear()
        assert visitor.get("/citizen/login", follow_redirects=False).status_code == 303
