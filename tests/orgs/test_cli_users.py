"""`healthcode users add` and `healthcode users list`: the authority's named users (审核人员) as its 具名用户 page adds
and lists them — a random password shown once, to be changed at first sign-in; bad input a Chinese error, exit 1
and nothing stored."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

import healthcode.cli as cli
from healthcode.accounts.models import Account
from healthcode.orgs.models import OrgAdmin
from tests.orgs.console_factories import NOW, authority, login, unit

runner = CliRunner()


@pytest.fixture
def hq(db, cli_engine, freeze, monkeypatch):
    freeze(NOW)
    hq = authority(db, monkeypatch)
    db.commit()
    return hq


def add(org: str, username: str = "shen.he", name: str = "张审核", *extra: str) -> object:
    return runner.invoke(cli.app, ["users", "add", "--org", org, "--username", username, "--name", name, *extra])


def counts(db) -> tuple[int, int]:
    db.rollback()
    return db.scalar(select(func.count()).select_from(Account)), db.scalar(select(func.count()).select_from(OrgAdmin))


def test_add_shows_the_password_once_and_the_user_must_change_it_at_first_sign_in(db, hq, client) -> None:
    result = add(hq.created.username, "shen.he", "张审核", "--json")

    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (set(data), data["org_id"], data["username"]) == ({"org_id", "username", "password"}, hq.created.org_id,
                                                             "shen.he")
    db.rollback()
    account = db.scalars(select(Account).where(Account.username == "shen.he")).one()
    assert account.must_change_password and data["password"] not in account.password_hash
    signed_in = login(client, "shen.he", data["password"])
    assert signed_in.status_code == 303 and "password" in signed_in.headers["location"]
    plain = add(hq.created.username, "wang.he", "王审核")
    assert plain.exit_code == 0 and "已创建用户 wang.he，初始密码" in plain.stdout and "仅显示一次" in plain.stdout


def test_list_shows_what_the_page_shows_and_no_password(db, hq) -> None:
    created = json.loads(add(hq.created.username, "shen.he", "张审核", "--json").stdout)

    listed = runner.invoke(cli.app, ["users", "list", "--org", hq.created.username, "--json"])
    text = runner.invoke(cli.app, ["users", "list", "--org", hq.created.username])

    assert listed.exit_code == 0, listed.output
    data = json.loads(listed.stdout)
    assert data["org_id"] == hq.created.org_id
    assert [{k: u[k] for k in ("username", "name", "active")} for u in data["users"]] == [
        {"username": "shen.he", "name": "张审核", "active": True}]
    assert text.exit_code == 0 and "shen.he  张审核  2020-02-24" in text.stdout and "正常" in text.stdout
    for output in (listed.stdout, text.stdout):
        assert created["password"] not in output and "pbkdf2" not in output and "$" not in output
        assert hq.created.username + " " not in output  # the unit's own admin is not one of its named users


def test_list_of_a_unit_without_named_users(db, hq) -> None:
    result = runner.invoke(cli.app, ["users", "list", "--org", hq.created.username])
    assert result.exit_code == 0 and "没有具名用户" in result.stdout


@pytest.mark.parametrize(("case", "message"), [
    ("bad username", "用户名应以英文字母开头"),
    ("empty name", "姓名不能为空"),
    ("long name", "姓名不能为空，且不超过20个字"),
    ("taken username", "账号 li.taken 已存在"),
    ("unknown unit", "单位不存在"),
    ("not the authority", "具名用户只能添加到疫情防控指挥部"),
])
def test_bad_input_is_a_chinese_error_and_nothing_is_stored(db, hq, case, message) -> None:
    other = unit(db, 2, "甲单位")
    db.commit()
    before = counts(db)
    org, username, name = hq.created.username, "shen.he", "张审核"
    if case == "bad username":
        username = "1ab"
    elif case == "empty name":
        name = "  "
    elif case == "long name":
        name = "张" * 21
    elif case == "taken username":
        username = "li.taken"
        assert add(org, username, "李先").exit_code == 0
        before = counts(db)
    elif case == "unknown unit":
        org = "91350100000000000X"
    elif case == "not the authority":
        org = other.created.username

    result = add(org, username, name)

    assert result.exit_code == 1
    assert message in result.output and result.stdout == ""
    assert counts(db) == before
    if case == "not the authority":
        listed = runner.invoke(cli.app, ["users", "list", "--org", org])
        assert listed.exit_code == 1 and "具名用户只能添加到疫情防控指挥部" in listed.output
