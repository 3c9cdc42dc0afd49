"""账号获取 (政务信息网): only from the internal networks, name + USCC must match, the password is shown once and
must be changed at first login, and a second retrieval waits for the superior unit's reset."""

from __future__ import annotations

import re

import pytest

from healthcode.orgs.retrieval import client_allowed
from tests.orgs.console_factories import NOW, login, unit


def retrieve(client, name, uscc):
    return client.post("/gov/retrieval", data={"name": name, "uscc": uscc})


def shown_password(page_text: str) -> str:
    found = re.search(r'id="retrieved-password">([^<]+)<', page_text)
    assert found, page_text
    return found.group(1)


@pytest.mark.parametrize("host, allowed", [("127.0.0.1", True), ("10.100.10.152", True), ("192.168.1.5", False),
                                           ("8.8.8.8", False), ("", False), ("testclient", False)])
def test_client_allowed_only_in_configured_networks(host, allowed):
    assert client_allowed(host, ["127.0.0.0/8", "10.0.0.0/8"]) is allowed


def test_given_outside_network_then_refused_and_nothing_changes(client, db, freeze):
    # TestClient's client host is "testclient": not an address of any internal network.
    freeze(NOW)
    a = unit(db, 1, "甲单位")

    form = client.get("/gov/retrieval")
    response = retrieve(client, "甲单位", a.created.username)

    assert form.status_code == 403 and response.status_code == 403 and "政务信息网" in response.text
    assert login(client, a.created.username, a.created.password).status_code == 303  # old password still works


def test_given_internal_network_then_password_shown_once_and_must_be_changed(client, db, freeze, monkeypatch):
    freeze(NOW)
    a = unit(db, 1, "甲单位")
    monkeypatch.setattr("healthcode.orgs.console_pages._client", lambda request: "10.1.2.3")

    page = retrieve(client, "甲单位", a.created.username)
    password = shown_password(page.text)
    old = login(client, a.created.username, a.created.password)
    first = login(client, a.created.username, password)
    again = retrieve(client, "甲单位", a.created.username)

    assert page.status_code == 200 and "只显示这一次" in page.text
    assert old.status_code == 401  # the old password no longer works
    assert first.headers["location"].endswith("/gov/password")
    assert again.status_code == 409 and "上级单位" in again.text and "retrieved-password" not in again.text


def test_wrong_name_or_enterprise_is_refused(client, db, freeze, monkeypatch):
    freeze(NOW)
    a = unit(db, 1, "甲单位")
    e = unit(db, 2, "某企业", kind="enterprise")
    monkeypatch.setattr("healthcode.orgs.console_pages._client", lambda request: "10.1.2.3")

    wrong = retrieve(client, "乙单位", a.created.username)
    enterprise = retrieve(client, "某企业", e.created.username)
    bad = retrieve(client, "甲单位", "123")

    assert wrong.status_code == 404 and "不匹配" in wrong.text
    assert enterprise.status_code == 403 and "授权平台" in enterprise.text
    assert bad.status_code == 422 and "统一社会信用代码无效" in bad.text


def test_superior_reset_allows_one_more_retrieval(client, db, freeze, monkeypatch):
    freeze(NOW)
    top = unit(db, 1, "市数字办")
    child = unit(db, 2, "区数字办", parent=top)
    monkeypatch.setattr("healthcode.orgs.console_pages._client", lambda request: "10.1.2.3")
    shown_password(retrieve(client, "区数字办", child.created.username).text)
    login(client, top.created.username, top.created.password)

    listing = client.get("/gov/units")
    reset = client.post(f"/gov/units/{child.org_id}/reset-retrieval")
    second = retrieve(client, "区数字办", child.created.username)

    assert "区数字办" in listing.text and "重置账号获取" in listing.text
    assert reset.status_code == 200 and "已重置" in reset.text
    assert second.status_code == 200 and shown_password(second.text)


def test_unit_cannot_reset_a_unit_that_is_not_its_subordinate(client, db, freeze, monkeypatch):
    freeze(NOW)
    a = unit(db, 1, "甲单位")
    b = unit(db, 2, "乙单位")
    monkeypatch.setattr("healthcode.orgs.console_pages._client", lambda request: "10.1.2.3")
    retrieve(client, "乙单位", b.created.username)
    login(client, a.created.username, a.created.password)

    response = client.post(f"/gov/units/{b.org_id}/reset-retrieval")

    assert response.status_code == 404 and "不是本单位的下级单位" in response.text
