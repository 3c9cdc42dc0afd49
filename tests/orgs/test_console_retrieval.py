"""账号获取 (政务信息网): only from the internal networks, name + USCC must match, and a password is issued only to a
government unit never signed in whose password was never delivered (once, to be changed at first login); any other
unit keeps its password and is told how to recover. A superior unit's admin or the health authority resets a
password (logged); every attempt is logged and listed to the unit's admin and its superior's, limited per address."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from healthcode.orgs import repository
from healthcode.orgs.audit_models import AccountReset, AccountRetrieval
from healthcode.orgs.retrieval import client_allowed
from tests.orgs.console_factories import NOW, login, unit

INTERNAL = "10.1.2.3"


def retrieve(client, name, uscc):
    return client.post("/gov/retrieval", data={"name": name, "uscc": uscc})


def shown(page_text: str, what: str = "retrieved-password") -> str:
    found = re.search(rf'id="{what}">([^<]+)<', page_text)
    assert found, page_text
    return found.group(1)


# 政务信息网: the requests of the test client come from an internal address.
from_internal_network = pytest.mark.parametrize("client_host", [INTERNAL])


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


@from_internal_network
def test_given_delivered_password_then_retrieval_refused_password_kept_and_recovery_explained(
        client, db, freeze):
    # Given a unit created by `org add` (its password printed: delivered), never signed in
    freeze(NOW)
    a = unit(db, 1, "甲单位")

    page = retrieve(client, "甲单位", a.created.username)

    assert page.status_code == 409 and "retrieved-password" not in page.text
    assert "上级单位管理员" in page.text and "卫生健康主管部门" in page.text and "重置" in page.text
    assert login(client, a.created.username, a.created.password).status_code == 303  # its password still works


@from_internal_network
def test_given_a_unit_that_signed_in_then_retrieval_refused_with_the_same_answer(client, db, freeze):
    # Given a unit whose password was never delivered but which has signed in (e.g. after a reset)
    freeze(NOW)
    delivered = unit(db, 1, "甲单位")
    signed_in = unit(db, 2, "乙单位", delivered=False)
    account = repository.admin_account_of(db, signed_in.org_id)
    account.last_login_at = NOW
    hash_before = account.password_hash
    db.commit()

    refused = retrieve(client, "乙单位", signed_in.created.username)
    other = retrieve(client, "甲单位", delivered.created.username)

    db.expire_all()
    assert refused.status_code == 409 and "retrieved-password" not in refused.text
    assert repository.admin_account_of(db, signed_in.org_id).password_hash == hash_before
    # signed in or delivered: the page does not tell which
    assert refused.text.replace("乙单位", "X").replace(signed_in.created.username, "U") == \
        other.text.replace("甲单位", "X").replace(delivered.created.username, "U")


@from_internal_network
def test_given_undelivered_never_signed_in_unit_then_password_issued_once(client, db, freeze):
    freeze(NOW)
    a = unit(db, 1, "甲单位", delivered=False)

    page = retrieve(client, "甲单位", a.created.username)
    password = shown(page.text)
    again = retrieve(client, "甲单位", a.created.username)
    first = login(client, a.created.username, password)

    assert page.status_code == 200 and "只显示这一次" in page.text
    assert again.status_code == 409 and "上级单位" in again.text and "retrieved-password" not in again.text
    assert first.headers["location"].endswith("/gov/password")  # the retrieved password still works: change it
    rows = db.scalars(select(AccountRetrieval).order_by(AccountRetrieval.id)).all()
    assert [(r.org_id, r.outcome, r.client_ip) for r in rows] == [(a.org_id, "issued", INTERNAL),
                                                                  (a.org_id, "refused", INTERNAL)]


@from_internal_network
def test_wrong_name_or_enterprise_is_refused_and_logged(client, db, freeze):
    freeze(NOW)
    a = unit(db, 1, "甲单位", delivered=False)
    e = unit(db, 2, "某企业", kind="enterprise")

    wrong = retrieve(client, "乙单位", a.created.username)
    enterprise = retrieve(client, "某企业", e.created.username)
    bad = retrieve(client, "甲单位", "123")

    assert wrong.status_code == 404 and "不匹配" in wrong.text
    assert enterprise.status_code == 403 and "授权平台" in enterprise.text
    assert bad.status_code == 422 and "统一社会信用代码无效" in bad.text
    rows = db.scalars(select(AccountRetrieval).order_by(AccountRetrieval.id)).all()
    assert [(r.org_id, r.outcome) for r in rows] == [(a.org_id, "mismatch"), (e.org_id, "not_government"),
                                                     (None, "invalid")]
    assert retrieve(client, "甲单位", a.created.username).status_code == 200  # none of them spent the retrieval


@from_internal_network
def test_retrievals_are_limited_per_address(client, db, freeze):
    freeze(NOW)
    a = unit(db, 1, "甲单位", delivered=False)

    tries = [retrieve(client, "乙单位", a.created.username) for _ in range(5)]
    limited = retrieve(client, "甲单位", a.created.username)

    assert [r.status_code for r in tries] == [404] * 5
    assert limited.status_code == 429 and "过于频繁" in limited.text and "retrieved-password" not in limited.text
    last = db.scalars(select(AccountRetrieval).order_by(AccountRetrieval.id.desc())).first()
    assert (last.outcome, last.org_id) == ("rate_limited", a.org_id)  # listed to the unit it named
    freeze("2020-02-24 11:00")  # an hour later the address may try again
    assert retrieve(client, "甲单位", a.created.username).status_code == 200


@from_internal_network
def test_superior_resets_a_subordinate_password_shown_once_and_logged(client, db, freeze):
    freeze(NOW)
    top = unit(db, 1, "市数字办")
    child = unit(db, 2, "区数字办", parent=top)
    login(client, top.created.username, top.created.password)

    listing = client.get("/gov/units")
    reset = client.post("/gov/units/reset-password", data={"uscc": child.created.username})
    password = shown(reset.text, "reset-password")
    client.post("/gov/logout")
    old = login(client, child.created.username, child.created.password)
    new = login(client, child.created.username, password)

    assert "区数字办" in listing.text and "重置密码" in listing.text
    assert reset.status_code == 200 and "只显示这一次" in reset.text and reset.headers["cache-control"] == "no-store"
    assert old.status_code == 401 and new.headers["location"].endswith("/gov/password")
    entry = db.scalars(select(AccountReset)).one()
    assert (entry.org_id, entry.by_org_id, entry.by_username, entry.client_ip, entry.at) == \
        (child.org_id, top.org_id, top.created.username, INTERNAL, NOW)


@from_internal_network
def test_authority_resets_any_unit(client, db, freeze):
    freeze(NOW)
    authority = unit(db, 1, "省卫健委")
    other = unit(db, 2, "某区卫健局")
    client.app.state.settings = client.app.state.settings.model_copy(
        update={"authority_usccs": [authority.created.username]})
    login(client, authority.created.username, authority.created.password)

    reset = client.post("/gov/units/reset-password", data={"uscc": other.created.username})

    assert reset.status_code == 200 and shown(reset.text, "reset-password")
    assert db.scalars(select(AccountReset.by_org_id)).one() == authority.org_id


@from_internal_network
def test_unit_cannot_reset_a_unit_that_is_not_its_subordinate(client, db, freeze):
    freeze(NOW)
    a = unit(db, 1, "甲单位")
    b = unit(db, 2, "乙单位")
    login(client, a.created.username, a.created.password)

    response = client.post("/gov/units/reset-password", data={"uscc": b.created.username})
    own = client.post("/gov/units/reset-password", data={"uscc": a.created.username})

    assert response.status_code == 404 and "不是本单位的下级单位" in response.text
    assert own.status_code == 403 and "reset-password" not in own.text
    assert db.scalars(select(AccountReset)).all() == []
    client.post("/gov/logout")
    assert login(client, b.created.username, b.created.password).status_code == 303  # b's password unchanged


@from_internal_network
def test_retrieval_log_shown_to_the_unit_and_its_superior_only(client, db, freeze):
    freeze(NOW)
    top = unit(db, 1, "市数字办")
    child = unit(db, 2, "区数字办", parent=top)
    stranger = unit(db, 3, "另一单位")
    retrieve(client, "区数字办", child.created.username)

    def retrievals_seen_by(u):
        client.post("/gov/logout")
        login(client, u.created.username, u.created.password)
        page = client.get("/gov/units").text
        return page[page.index('id="retrievals"'):page.index('id="resets"')]

    assert INTERNAL in retrievals_seen_by(child) and "区数字办" in retrievals_seen_by(child)
    assert INTERNAL in retrievals_seen_by(top)
    assert INTERNAL not in retrievals_seen_by(stranger) and "区数字办" not in retrievals_seen_by(stranger)
