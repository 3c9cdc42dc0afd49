"""The 人工标记 and 具名用户 pages: two authority users each signed in on their own, the proposer's approval refused
(403, in Chinese), the other's accepted and the resident's code orange at its next refresh; bad input refused with
nothing stored; the pages closed to other units and to named users where they must be."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from healthcode.app import create_app
from healthcode.rules.manual_models import ManualFlag
from tests.checkpoints.factories import NOW, org
from tests.identity.flow import ZHANG, make_account, sign_in
from tests.manualflags.factories import Authority, authority

NEW_PASSWORD = "Shenhe2020"
REASON = "与境外输入病例同一航班，待核酸检测结果"


@pytest.fixture
def world(db, engine, settings, freeze) -> Iterator[tuple[Authority, dict[str, TestClient]]]:
    freeze(NOW)
    auth = authority(db)
    other = org(db, 3, name="其他单位")
    make_account(db, ZHANG, "张小明")
    app = create_app(settings.model_copy(update={"authority_usccs": [auth.admin.username]}), engine)
    clients = {name: TestClient(app) for name in ("admin", "first", "second", "other", "resident")}
    for client in clients.values():
        client.__enter__()
    console(clients["admin"], auth.admin.username, auth.admin.password)
    console(clients["first"], auth.first.username, auth.first.password)
    console(clients["second"], auth.second.username, auth.second.password)
    console(clients["other"], other.username, other.password)
    sign_in(clients["resident"], ZHANG)
    yield auth, clients
    for client in clients.values():
        client.__exit__(None, None, None)


def console(client: TestClient, username: str, password: str) -> None:
    """Signs in; a named user changes his first password (it was shown to his admin) to his own."""
    signed = client.post("/gov/login", data={"username": username, "password": password}, follow_redirects=False)
    assert signed.status_code == 303, signed.text
    if signed.headers["location"].endswith("/gov/password"):
        changed = client.post("/gov/password", data={"old_password": password, "new_password": NEW_PASSWORD,
                                                     "confirm_password": NEW_PASSWORD}, follow_redirects=False)
        assert changed.status_code == 303, changed.text


def propose(client: TestClient, **fields: str):
    data = {"id_number": ZHANG, "color": "orange", "reason": REASON,
            "ends_on": (NOW.date() + timedelta(days=6)).isoformat(), **fields}
    return client.post("/gov/flags", data=data)


def flag_id(page: str) -> int:
    found = re.search(r"编号 (\d+)", page)
    assert found, page
    return int(found.group(1))


def test_two_users_propose_and_approve_and_the_residents_code_turns_orange(world, db):
    _, clients = world
    assert clients["resident"].get("/api/v1/me/code").json()["color"] == "green"
    proposed = propose(clients["first"])
    assert proposed.status_code == 200 and "须由另一位卫生健康部门用户审核" in proposed.text
    number = flag_id(proposed.text)
    assert f"/gov/flags/{number}/approve" not in proposed.text  # the proposer sees no approve button
    assert "35*****011" in proposed.text and ZHANG not in proposed.text

    own = clients["first"].post(f"/gov/flags/{number}/approve")
    assert own.status_code == 403 and "不能审核本人提出的人工标记" in own.text
    assert clients["resident"].get("/api/v1/me/code").json()["color"] == "green"

    page = clients["second"].get("/gov/flags")
    assert f"/gov/flags/{number}/approve" in page.text
    approved = clients["second"].post(f"/gov/flags/{number}/approve")
    assert approved.status_code == 200 and "已批准人工标记" in approved.text

    assert clients["resident"].get("/api/v1/me/code").json()["color"] == "orange"
    reasons = clients["resident"].get("/citizen/reasons").text
    assert "卫生健康部门人工标记" in reasons and REASON in reasons and "2020-03-01" in reasons
    row = db.scalars(select(ManualFlag)).one()
    assert (row.proposed_by_label, row.decided_by_label) == ("省卫健委（张审核）", "省卫健委（李复核）")


@pytest.mark.parametrize(("fields", "message"), [
    ({"id_number": "35010219800101001X"}, "身份证号无效"),
    ({"reason": ""}, "请填写标记原因"),
    ({"ends_on": "2020-02-23"}, "结束日期不能早于今天"),
    ({"ends_on": "2020-03-09"}, "结束日期最晚为 2020-03-08"),
])
def test_bad_input_is_refused_on_the_page_in_chinese_and_nothing_is_stored(world, db, fields, message):
    _, clients = world
    refused = propose(clients["first"], **fields)
    assert refused.status_code == 422 and message in refused.text
    assert db.scalar(select(func.count()).select_from(ManualFlag)) == 0


def test_another_unit_is_refused_and_a_missing_flag_is_not_found(world):
    _, clients = world
    assert clients["other"].get("/gov/flags").status_code == 403
    assert clients["other"].post("/gov/flags", data={"id_number": ZHANG}).status_code == 403
    assert clients["second"].post("/gov/flags/999/approve").status_code == 404
    assert "人工标记不存在" in clients["second"].post("/gov/flags/999/reject", data={"reason": "x"}).text


def test_the_admin_adds_a_named_user_who_signs_in_on_his_own_and_cannot_add_users(world, engine, settings):
    auth, clients = world
    added = clients["admin"].post("/gov/users", data={"username": "wangsh", "name": "王审核"})
    assert added.status_code == 200
    password = re.search(r'class="password">([^<]+)<', added.text)
    assert password and "王审核" in added.text
    bad = clients["admin"].post("/gov/users", data={"username": "1x", "name": "某"})
    assert bad.status_code == 422 and "用户名应以英文字母开头" in bad.text
    taken = clients["admin"].post("/gov/users", data={"username": "wangsh", "name": "王二"})
    assert taken.status_code == 409 and "已存在" in taken.text

    with TestClient(clients["admin"].app) as wang:
        console(wang, "wangsh", password.group(1))
        assert "王审核" in wang.get("/gov/flags").text  # his name in the console's header
        assert wang.get("/gov/users").status_code == 403  # a named user manages no users
    assert clients["first"].post("/gov/users", data={"username": "x1234", "name": "某"}).status_code == 403


def test_a_deactivated_user_is_signed_out_at_once(world, db):
    auth, clients = world
    page = clients["admin"].get("/gov/users").text
    account = re.search(r'/gov/users/(\d+)/deactivate', page)
    assert account
    assert clients["admin"].post(f"/gov/users/{account.group(1)}/deactivate").status_code == 200
    assert clients["first"].get("/gov/flags", follow_redirects=False).status_code == 303  # to the sign-in
