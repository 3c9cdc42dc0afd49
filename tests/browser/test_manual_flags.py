"""Manual flags in Chromium: two users of the health authority, each in a browser of his own, the first proposes a
flag on the 人工标记 page and sees no approve button, the second approves, and the resident's code turns orange at
its next refresh with the written reason under 查看原因. Screenshots of the console page and of the reasons go to
tests/browser/screenshots/."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from playwright.sync_api import expect

from healthcode.config import Settings
from tests.browser.conftest import SCREENSHOTS, console_sign_in
from tests.browser.test_citizen import sign_in as resident_sign_in
from tests.checkpoints.factories import NOW, uscc
from tests.identity.flow import ZHANG, make_account
from tests.manualflags.factories import authority

pytestmark = pytest.mark.browser
PC = {"viewport": {"width": 1440, "height": 900}}
REASON = "与境外输入病例乘坐同一航班（MF8102），待核酸检测结果"
OWN_PASSWORD = "Shenhe2020"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The live server's settings: `authority(db)` (uscc(9)) is the health authority."""
    return settings.model_copy(update={"authority_usccs": [uscc(9)]})


def reviewer(browser: Any, live_server: str, username: str, password: str) -> Any:
    """A console page signed in as a named user, who first sets his own password."""
    page = browser.new_context(base_url=live_server, **PC).new_page()
    page.set_default_timeout(15_000)
    page.goto("/gov/flags")
    console_sign_in(page, username, password, "**/gov/password")
    page.fill("#old_password", password)
    page.fill("#new_password", OWN_PASSWORD)
    page.fill("#confirm_password", OWN_PASSWORD)
    page.get_by_role("button", name="确认修改").click()
    page.wait_for_url("**/gov/")
    page.goto("/gov/flags")
    return page


def test_one_proposes_another_approves_and_the_residents_code_turns_orange(browser, live_server, phone, db, freeze):
    freeze(NOW)
    auth = authority(db)
    make_account(db, ZHANG, "张小明")
    resident_sign_in(phone)
    assert phone.evaluate("() => fetch('/api/v1/me/code').then(r => r.json()).then(c => c.color)") == "green"

    first = reviewer(browser, live_server, auth.first.username, auth.first.password)
    first.fill("input[name=id_number]", ZHANG)
    first.fill("#flag-reason", REASON)
    first.fill("input[name=ends_on]", (NOW.date() + timedelta(days=6)).isoformat())
    first.get_by_role("button", name="提出").click()
    row = first.locator("#flags tbody tr").first
    expect(row.locator(".state")).to_contain_text("待审核")
    expect(row).to_contain_text("35*****011")
    assert row.get_by_role("button", name="审核通过").count() == 0  # the proposer sees no approve button
    expect(row).to_contain_text("待另一位用户审核")
    first.screenshot(path=str(SCREENSHOTS / "gov-manual-flags-proposed.png"), full_page=True)

    second = reviewer(browser, live_server, auth.second.username, auth.second.password)
    row = second.locator("#flags tbody tr").first
    row.get_by_role("button", name="审核通过").click()
    expect(second.locator(".notice.ok")).to_contain_text("已批准人工标记")
    row = second.locator("#flags tbody tr").first
    expect(row.locator(".state")).to_contain_text("生效中")
    expect(row.locator(".state")).to_contain_text("省卫健委（李复核）")
    expect(row).to_contain_text("省卫健委（张审核）")
    second.screenshot(path=str(SCREENSHOTS / "gov-manual-flags.png"), full_page=True)

    # The resident's page refreshes its code through the API: the next code is orange.
    assert phone.evaluate("() => fetch('/api/v1/me/code').then(r => r.json()).then(c => c.color)") == "orange"
    phone.goto("/citizen/reasons")
    expect(phone.locator(".reason")).to_contain_text("卫生健康部门人工标记")
    expect(phone.locator(".reason")).to_contain_text(REASON)
    expect(phone.locator(".reason")).to_contain_text("2020-03-01")
    phone.screenshot(path=str(SCREENSHOTS / "citizen-reasons-manual-flag.png"), full_page=True)


def test_the_authority_admin_adds_a_named_user_who_signs_in_with_his_own_password(browser, live_server, db, freeze):
    freeze(NOW)
    auth = authority(db)
    admin = browser.new_context(base_url=live_server, **PC).new_page()
    admin.set_default_timeout(15_000)
    admin.goto("/gov/users")
    console_sign_in(admin, auth.admin.username, auth.admin.password, "**/gov/users")
    admin.fill("input[name=username]", "wangsh")
    admin.fill("input[name=name]", "王审核")
    admin.get_by_role("button", name="新增").click()
    password = admin.locator("#created .password").inner_text()
    rows = admin.locator("#users tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(2)).to_contain_text("王审核")
    expect(rows.nth(2)).to_contain_text("正常")
    admin.screenshot(path=str(SCREENSHOTS / "gov-named-users.png"), full_page=True)

    wang = reviewer(browser, live_server, "wangsh", password)
    expect(wang.locator(".console-top")).to_contain_text("王审核")
    assert wang.get_by_role("link", name="具名用户").count() == 0  # a named user manages no users
