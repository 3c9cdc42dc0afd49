"""Console sign-in: login with the session cookie, lockout, forced password change, logout, and pages that send an
anonymous visitor to the login page."""

from __future__ import annotations

from healthcode.accounts import service as accounts
from healthcode.orgs import repository
from tests.orgs.console_factories import NOW, login, unit


def test_given_no_session_when_opening_records_then_redirected_to_login(client, freeze):
    freeze(NOW)

    response = client.get("/gov/records", follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"].endswith("/gov/login?next=/gov/records")


def test_given_htmx_request_without_session_then_hx_redirect(client, freeze):
    freeze(NOW)

    response = client.get("/gov/records", headers={"HX-Request": "true"}, follow_redirects=False)

    assert response.status_code == 401 and "/gov/login" in response.headers["HX-Redirect"]


def test_given_right_password_when_logging_in_then_home_shows_unit(client, db, freeze):
    freeze(NOW)
    a = unit(db, 1, "甲单位")

    response = login(client, a.created.username, a.created.password)
    home = client.get("/gov/")

    assert response.status_code == 303 and response.headers["location"].endswith("/gov/")
    assert home.status_code == 200 and "甲单位" in home.text and "扫码记录" in home.text


def test_given_wrong_password_five_times_then_locked_even_with_right_password(client, db, freeze):
    freeze(NOW)
    a = unit(db, 1, "甲单位")

    failures = [login(client, a.created.username, "Wrong12345") for _ in range(5)]
    after = login(client, a.created.username, a.created.password)

    assert [r.status_code for r in failures[:4]] == [401] * 4 and "再错1次" in failures[3].text
    assert failures[4].status_code == 429 and after.status_code == 429 and "锁定" in after.text


def test_given_scanner_account_when_logging_in_to_console_then_refused(client, db, freeze):
    freeze(NOW)
    unit(db, 1, "甲单位")

    response = login(client, "13800000011", "Scan2020ok")

    assert response.status_code == 403 and "不是单位管理员" in response.text


def test_given_password_to_change_when_logging_in_then_every_page_leads_to_change_form(client, db, freeze):
    freeze(NOW)
    a = unit(db, 1, "甲单位")
    account = repository.admin_account_of(db, a.org_id)
    accounts.set_password(account, "Temp12345", NOW, must_change=True)
    db.commit()

    first = login(client, a.created.username, "Temp12345")
    records = client.get("/gov/records", follow_redirects=False)
    mismatch = client.post("/gov/password", data={"old_password": "Temp12345", "new_password": "Better2020",
                                                  "confirm_password": "Other2020"})
    changed = client.post("/gov/password", data={"old_password": "Temp12345", "new_password": "Better2020",
                                                 "confirm_password": "Better2020"}, follow_redirects=False)
    after = client.get("/gov/records")

    assert first.headers["location"].endswith("/gov/password")
    assert records.status_code == 303 and records.headers["location"].endswith("/gov/password")
    assert mismatch.status_code == 422 and "不一致" in mismatch.text
    assert changed.status_code == 303 and after.status_code == 200 and "扫码记录" in after.text


def test_given_password_changed_elsewhere_then_this_session_ends(client, db, freeze):
    freeze(NOW)
    a = unit(db, 1, "甲单位")
    login(client, a.created.username, a.created.password)
    account = repository.admin_account_of(db, a.org_id)
    accounts.set_password(account, "Other2020x", NOW, must_change=False)
    db.commit()

    response = client.get("/gov/records", follow_redirects=False)

    assert response.status_code == 303 and "/gov/login" in response.headers["location"]


def test_logout_ends_the_session(client, db, freeze):
    freeze(NOW)
    a = unit(db, 1, "甲单位")
    login(client, a.created.username, a.created.password)

    client.post("/gov/logout")

    assert client.get("/gov/", follow_redirects=False).status_code == 303


def test_login_next_is_never_an_outside_address(client, db, freeze):
    freeze(NOW)
    a = unit(db, 1, "甲单位")

    response = client.post("/gov/login", data={"username": a.created.username, "password": a.created.password,
                                                "next": "//evil.example/x"}, follow_redirects=False)

    assert response.headers["location"].endswith("/gov/") and "evil" not in response.headers["location"]
