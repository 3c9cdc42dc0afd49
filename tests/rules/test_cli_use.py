"""`healthcode rules use RULE_SET_ID --operator NAME [--yes]`: the switch of the 赋码规则 page from the command line —
the what-if shown and confirmed, the switch stored with who and when and appended to the ledger; every refusal a
Chinese error, exit 1 and nothing changed."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

import healthcode.cli as cli
from healthcode.ledger.models import LedgerEntry
from healthcode.ledger.service import verify
from healthcode.orgs import users
from healthcode.rules import in_force
from healthcode.rules.models import RuleSetSwitch
from tests.orgs.console_factories import NOW, authority, unit
from tests.rules import whatif_world as world

runner = CliRunner()


@pytest.fixture
def hq(db, cli_engine, freeze, monkeypatch):
    """The health authority's unit, named in the environment a command reads, and the world of the what-if."""
    freeze(NOW)
    hq = authority(db, monkeypatch)
    world.build(db)
    db.commit()
    return hq


def use(*args: str, answer: str | None = None) -> object:
    return runner.invoke(cli.app, ["rules", "use", *args], input=answer)


def nothing_changed(db, settings) -> None:
    db.rollback()
    assert db.scalars(select(RuleSetSwitch)).all() == []
    assert db.scalars(select(LedgerEntry).where(LedgerEntry.kind == "rules.switched")).all() == []
    in_force.forget()
    assert in_force.in_force_id(db, settings) == "fj-2020-02"


def test_confirmed_switch_shows_the_what_if_then_is_stored_and_in_the_ledger(db, hq, settings) -> None:
    result = use("fj-2021-09", "--operator", hq.created.username, answer="y\n")

    assert result.exit_code == 0, result.output
    assert "评估 9 名被数据源点名的居民，8 人颜色将改变，1 人不变" in result.stdout  # the what-if's summary
    assert "确认将现行赋码规则由 fj-2020-02 切换为 fj-2021-09" in result.stdout
    assert "已将现行赋码规则由 fj-2020-02 切换为 fj-2021-09" in result.stdout
    db.rollback()
    row = db.scalars(select(RuleSetSwitch)).one()
    assert (row.rule_set, row.previous, row.switched_by, row.org_id, row.at) == (
        "fj-2021-09", "fj-2020-02", hq.created.username, hq.created.org_id, NOW)
    assert json.loads(row.preview or "") == world.EXPECTED  # the figures shown and confirmed
    entry = db.scalars(select(LedgerEntry).where(LedgerEntry.kind == "rules.switched")).one()
    assert (entry.actor, entry.ref_table, entry.ref_id, entry.id_number) == (
        hq.created.username, "rule_set_switches", row.id, None)
    assert json.loads(entry.body) == {"rule_set": "fj-2021-09", "previous": "fj-2020-02"}
    assert verify(db).ok
    assert in_force.in_force_id(db, settings) == "fj-2021-09"


def test_yes_switches_without_asking_and_a_named_user_may_switch(db, hq, settings) -> None:
    users.add_user(db, hq.created.org_id, username="shen.he", name="张审核", now=NOW)
    db.commit()

    result = use("fj-2021-09", "--operator", "shen.he", "--yes")

    assert result.exit_code == 0, result.output
    assert "确认" not in result.stdout and "已将现行赋码规则由 fj-2020-02 切换为 fj-2021-09" in result.stdout
    db.rollback()
    assert db.scalars(select(RuleSetSwitch.switched_by)).one() == "shen.he"
    assert db.scalars(select(LedgerEntry.actor).where(LedgerEntry.kind == "rules.switched")).one() == "shen.he"


def test_declining_the_confirmation_changes_nothing(db, hq, settings) -> None:
    result = use("fj-2021-09", "--operator", hq.created.username, answer="n\n")

    assert result.exit_code == 1
    assert "已取消，现行赋码规则未改变" in result.output
    nothing_changed(db, settings)


def test_an_unknown_set_is_the_pages_chinese_error(db, hq, settings) -> None:
    result = use("fj-1999", "--operator", hq.created.username, "--yes")

    assert result.exit_code == 1
    assert "未知的赋码规则集" in result.output and result.stdout == ""
    nothing_changed(db, settings)


def test_the_set_already_in_force_is_the_pages_chinese_error(db, hq, settings) -> None:
    result = use("fj-2020-02", "--operator", hq.created.username, "--yes")

    assert result.exit_code == 1
    assert "赋码规则集 fj-2020-02 已在执行中，无需切换" in result.output
    nothing_changed(db, settings)


def test_switching_back_and_forth_then_again_to_the_set_in_force_is_refused(db, hq, settings) -> None:
    assert use("fj-2021-09", "--operator", hq.created.username, "--yes").exit_code == 0
    again = use("fj-2021-09", "--operator", hq.created.username, "--yes")
    assert again.exit_code == 1 and "已在执行中" in again.output
    back = use("fj-2020-02", "--operator", hq.created.username, "--yes")
    assert back.exit_code == 0, back.output
    db.rollback()
    assert [(r.previous, r.rule_set) for r in in_force.history(db)] == [  # newest first
        ("fj-2021-09", "fj-2020-02"), ("fj-2020-02", "fj-2021-09")]
    assert len(db.scalars(select(LedgerEntry).where(LedgerEntry.kind == "rules.switched")).all()) == 2


@pytest.mark.parametrize("who", ["nobody", "other-unit", "deactivated"])
def test_an_operator_who_is_not_an_active_authority_account_is_refused(db, hq, settings, who) -> None:
    other = unit(db, 2, "甲单位")
    gone = users.add_user(db, hq.created.org_id, username="li.gone", name="李离职", now=NOW)
    users.deactivate_user(db, hq.created.org_id, users.users_of(db, hq.created.org_id)[0][1].id, NOW)
    db.commit()
    operator = {"nobody": "no.such.user", "other-unit": other.created.username, "deactivated": gone.username}[who]

    result = use("fj-2021-09", "--operator", operator, "--yes")

    assert result.exit_code == 1
    assert "操作人须为疫情防控指挥部的有效账号" in result.output
    nothing_changed(db, settings)
