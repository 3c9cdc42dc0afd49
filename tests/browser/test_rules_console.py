"""赋码规则 in Chromium: the health authority previews fj-2021-09 against the set in force, confirms and switches;
afterwards a resident's code shows yellow or red (the citizen page's styles for the red/yellow/green set)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from healthcode.config import Settings
from healthcode.rules import in_force
from tests.browser.conftest import SCREENSHOTS, console_sign_in
from tests.browser.test_citizen import sign_in
from tests.checkpoints.factories import NOW, uscc
from tests.identity.flow import ZHANG, make_account
from tests.orgs.console_factories import unit
from tests.rules import factories as f
from tests.rules import whatif_world as world

pytestmark = pytest.mark.browser


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The live server's: its clock on the what-if world's day, and the unit `unit(db, 1, …)` as the authority."""
    return settings.model_copy(update={"authority_usccs": [uscc(1)], "fixed_now": NOW})


def test_the_authority_previews_confirms_and_switches_the_rule_set(pc: Any, db: Any) -> None:
    hq = unit(db, 1, "省疫情防控指挥部")
    world.build(db)
    pc.goto("/gov/")
    console_sign_in(pc, hq.created.username, hq.created.password, "**/gov/")
    pc.get_by_role("link", name="赋码规则").click()
    pc.wait_for_url("**/gov/rules")
    expect(pc.locator("#in-force")).to_have_text("fj-2020-02")
    pc.locator("#rule-sets tr", has_text="fj-2021-09").get_by_role("link", name="影响预览").click()
    pc.wait_for_url(re.compile(r"/gov/rules\?preview=fj-2021-09$"))
    changes = [row.inner_text().split("\t") for row in pc.locator("#changes tbody tr").all()]
    assert [[cell.strip() for cell in row] for row in changes] == [
        ["橙码 → 绿码", "1"], ["橙码 → 红码", "3"], ["橙码 → 黄码", "4"]]
    by_rule = {r.locator("td").first.inner_text(): r.locator("td").nth(2).inner_text()
               for r in pc.locator("#by-rule tbody tr").all()}
    assert by_rule == {"case": "1", "close_contact": "2", "high_risk_arrival": "1", "closed_community": "1",
                       "fever_clinic": "1", "fever_drug": "1"}
    pc.screenshot(path=str(SCREENSHOTS / "gov-rules-preview.png"), full_page=True)

    pc.get_by_role("checkbox").check()
    pc.get_by_role("button", name="切换规则集").click()

    expect(pc.get_by_role("status")).to_contain_text("已将现行赋码规则由 fj-2020-02 切换为 fj-2021-09")
    expect(pc.locator("#in-force")).to_have_text("fj-2021-09")
    first = pc.locator("#switches tbody tr").first.locator("td")
    assert [first.nth(i).inner_text() for i in (1, 2)] == ["fj-2020-02", "fj-2021-09"]
    pc.screenshot(path=str(SCREENSHOTS / "gov-rules-switched.png"), full_page=True)


@pytest.mark.parametrize(("color", "label"), [("yellow", "黄码"), ("red", "红码")])
def test_after_the_switch_a_resident_sees_a_yellow_or_red_code(phone: Any, db: Any, settings: Settings, color: str,
                                                               label: str) -> None:
    if color == "yellow":
        f.clinic_visit(db, ZHANG, "2020-02-23 10:00")
    else:
        f.close_contact(db, ZHANG, "2020-02-22")
    make_account(db)
    in_force.switch(db, settings, "fj-2021-09", operator="authority", org_id=None, now=NOW)
    db.commit()
    sign_in(phone)
    phone.get_by_test_id("show-code").tap()
    assert phone.get_by_test_id("color-label").inner_text() == label
    assert phone.locator("#code").get_attribute("data-color") == color
    phone.screenshot(path=str(SCREENSHOTS / f"citizen-code-{color}.png"), full_page=True)


def test_after_the_switch_the_scanner_reads_a_yellow_code(phone: Any, db: Any, settings: Settings) -> None:
    from tests.browser.test_scanner import log_in_and_report_point
    from tests.checkpoints.factories import issue, org, person, scanner

    phone_number = scanner(db, org(db).username)
    resident = person(db, name="李斌")
    f.clinic_visit(db, resident.id_number, "2020-02-23 10:00")
    in_force.switch(db, settings, "fj-2021-09", operator="authority", org_id=None, now=NOW)
    db.commit()
    issued = issue(db, resident, NOW)
    log_in_and_report_point(phone, phone_number)
    phone.get_by_test_id("number").fill(issued.number_code)
    phone.get_by_test_id("lookup").tap()
    phone.locator("#result-section").wait_for()
    block = phone.get_by_test_id("color")
    assert block.inner_text().startswith("黄码")
    assert "color-yellow" in (block.get_attribute("class") or "")
    phone.screenshot(path=str(SCREENSHOTS / "scanner-result-yellow.png"), full_page=True)
