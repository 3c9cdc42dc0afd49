"""`POST /api/v1/auth/token` (SPEC section 8): bearer tokens, wrong passwords, lockout after 5 failures for 15
minutes, and tokens that stop working when the password changes."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.checkpoints.factories import NOW, PASSWORD, org, scanner


@pytest.fixture
def phone(db, freeze):
    freeze(NOW)
    return scanner(db, org(db).username)


def login(client, username, password=PASSWORD):
    return client.post("/api/v1/auth/token", data={"username": username, "password": password})


def test_right_password_gets_a_bearer_token(client, phone):
    response = login(client, phone)

    assert response.status_code == 200
    data = response.json()
    assert data["token_type"] == "bearer" and data["expires_in"] > 0 and data["access_token"]
    me = client.get("/api/v1/checkpoint/me", headers={"Authorization": f"Bearer {data['access_token']}"})
    assert me.json()["phone"] == phone


def test_wrong_password_and_unknown_user_get_the_same_chinese_401(client, phone):
    wrong = login(client, phone, PASSWORD.lower())
    unknown = login(client, "13999999999")

    assert (wrong.status_code, unknown.status_code) == (401, 401)
    assert wrong.json()["error"] == unknown.json()["error"] == "invalid_credentials"
    assert "用户名或密码错误" in wrong.json()["message"] and "用户名或密码错误" in unknown.json()["message"]


def test_missing_fields_are_a_chinese_422(client):
    response = client.post("/api/v1/auth/token", data={"username": "x"})

    assert response.status_code == 422 and "password" in response.json()["message"]


def test_five_failures_lock_the_account_for_15_minutes(client, freeze, phone):
    answers = [login(client, phone, "wrong-pass").status_code for _ in range(5)]
    locked = login(client, phone)
    freeze(NOW + timedelta(minutes=14, seconds=59))
    still = login(client, phone)
    freeze(NOW + timedelta(minutes=15))
    unlocked = login(client, phone)

    assert answers == [401, 401, 401, 401, 429]
    assert (locked.status_code, locked.json()["error"]) == (429, "account_locked")
    assert "锁定" in locked.json()["message"]
    assert still.status_code == 429
    assert unlocked.status_code == 200


def test_a_success_resets_the_failure_count(client, phone):
    for _ in range(4):
        login(client, phone, "wrong-pass")
    assert login(client, phone).status_code == 200

    answers = [login(client, phone, "wrong-pass").status_code for _ in range(4)]

    assert answers == [401, 401, 401, 401]


def test_password_change_invalidates_earlier_tokens_at_once(client, phone):
    headers = {"Authorization": f"Bearer {login(client, phone).json()['access_token']}"}

    wrong_old = client.post("/api/v1/auth/password", headers=headers,
                            data={"old_password": "nope-nope", "new_password": "Another2020"})
    too_short = client.post("/api/v1/auth/password", headers=headers,
                            data={"old_password": PASSWORD, "new_password": "abc"})
    changed = client.post("/api/v1/auth/password", headers=headers,
                          data={"old_password": PASSWORD, "new_password": "Another2020"})
    stale = client.get("/api/v1/checkpoint/me", headers=headers)

    assert (wrong_old.status_code, too_short.status_code, changed.status_code) == (401, 422, 200)
    assert (stale.status_code, stale.json()["error"]) == (401, "invalid_token")
    assert login(client, phone, "Another2020").status_code == 200
    assert login(client, phone).status_code == 401
