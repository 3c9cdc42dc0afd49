"""The health authority's page 赋码规则 (/gov/rules): the sets, the what-if of a candidate (the CLI's figures), the
confirmed switch stored with who and when; other units refused."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from healthcode.ledger.models import LedgerEntry
from healthcode.rules import in_force
from healthcode.rules.models import RuleSetSwitch
from tests.orgs.console_factories import NOW, login, unit
from tests.rules import whatif_world as world


@pytest.fixture
def authority(client, db, freeze):
    freeze(NOW)
    hq = unit(db, 1, "省疫情防控指挥部")
    client.app.state.settings = client.app.state.settings.model_copy(
        update={"authority_usccs": [hq.created.username]})
    login(client, hq.created.username, hq.created.password)
    return hq


def test_other_units_are_refused(client, db, freeze) -> None:
    freeze(NOW)
    a = unit(db, 2, "甲单位")
    login(client, a.created.username, a.created.password)
    pages = [client.get("/gov/rules"), client.get("/gov/rules?preview=fj-2021-09"),
             client.post("/gov/rules/switch", data={"rule_set": "fj-2021-09", "confirm": "yes"})]
    assert [p.status_code for p in pages] == [403, 403, 403]
    assert "赋码规则" not in client.get("/gov/").text
    assert db.scalars(select(RuleSetSwitch)).all() == []


def test_the_page_lists_the_sets_and_the_one_in_force(client, authority) -> None:
    page = client.get("/gov/rules")
    assert page.status_code == 200 and "赋码规则" in client.get("/gov/").text
    assert "现行规则集：<strong id=\"in-force\">fj-2020-02</strong>" in page.text
    assert "福建健康码红黄绿三色赋码规则（2021年9月）" in page.text and "7天内在我省有购买退烧药品记录" in page.text
    assert "从未切换" in page.text and 'name="confirm"' not in page.text


def test_the_preview_shows_the_what_if_and_the_switch_needs_its_confirmation(client, db, authority, settings) -> None:
    world.build(db)
    preview = client.get("/gov/rules?preview=fj-2021-09")
    assert preview.status_code == 200
    assert "被数据源点名的居民 9 人，其中颜色将改变 8 人，不变 1 人。" in preview.text
    assert 'name="confirm"' in preview.text and "橙码</span> → <span class=\"color-red\">红码" in preview.text
    unconfirmed = client.post("/gov/rules/switch", data={"rule_set": "fj-2021-09"})
    assert unconfirmed.status_code == 422 and "勾选确认" in unconfirmed.text
    unknown = client.post("/gov/rules/switch", data={"rule_set": "fj-1999", "confirm": "yes"})
    assert unknown.status_code == 404 and "未知的赋码规则集" in unknown.text
    db.rollback()
    assert db.scalars(select(RuleSetSwitch)).all() == []

    done = client.post("/gov/rules/switch", data={"rule_set": "fj-2021-09", "confirm": "yes"})

    assert done.status_code == 200 and "已将现行赋码规则由 fj-2020-02 切换为 fj-2021-09" in done.text
    db.rollback()
    row = db.scalars(select(RuleSetSwitch)).one()
    assert (row.rule_set, row.previous, row.switched_by, row.org_id, row.at) == (
        "fj-2021-09", "fj-2020-02", authority.created.username, authority.org_id, NOW)
    assert json.loads(row.preview or "") == world.EXPECTED  # the figures the switch was confirmed on
    entry = db.scalars(select(LedgerEntry).where(LedgerEntry.kind == "rules.switched")).one()  # as `rules use`
    assert (entry.actor, entry.ref_id, json.loads(entry.body)) == (
        authority.created.username, row.id, {"rule_set": "fj-2021-09", "previous": "fj-2020-02"})
    assert in_force.in_force_id(db, settings) == "fj-2021-09"
    again = client.get("/gov/rules")
    assert "省疫情防控指挥部" in again.text or authority.created.username in again.text
    assert "<td>fj-2020-02</td><td>fj-2021-09</td>" in again.text
    same = client.post("/gov/rules/switch", data={"rule_set": "fj-2021-09", "confirm": "yes"})
    assert same.status_code == 409 and "已在执行中" in same.text


def test_a_preview_of_an_unknown_set_is_a_chinese_error(client, authority) -> None:
    page = client.get("/gov/rules?preview=nope")
    assert page.status_code == 404 and "未知的赋码规则集：nope" in page.text
