"""Screens of issue 14 that were wrong, in Chromium: each test walks one and keeps its screenshot in
tests/browser/screenshots/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.enterprise.factories import enterprise

pytestmark = pytest.mark.browser
PC = {"viewport": {"width": 1440, "height": 900}, "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"


@pytest.fixture
def pc(browser: Any, live_server: str) -> Any:
    context = browser.new_context(base_url=live_server, **PC)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def test_the_enterprise_login_page_is_headed_for_the_enterprise_portal(pc: Any, db: Any, freeze: Any) -> None:
    freeze("2020-02-24 09:00")
    org = enterprise(db, 1, "泉州示范制造有限公司")
    SCREENSHOTS.mkdir(exist_ok=True)
    # The enterprise console sends an anonymous visitor to its own login page
    pc.goto("/ent/")
    pc.wait_for_url("**/ent/login?next=/ent/")
    expect(pc.locator(".console-top .portal")).to_have_text("企业用户电脑端")
    expect(pc.locator("h1")).to_have_text("企业用户登录")
    pc.screenshot(path=str(SCREENSHOTS / "ent-login.png"), full_page=True)
    # Signing in there reaches the enterprise console; signing out comes back to it
    pc.fill("#username", org.username)
    pc.fill("#password", org.password)
    pc.get_by_role("button", name="登录").click()
    pc.wait_for_url("**/ent/")
    pc.get_by_role("button", name="退出").click()
    pc.wait_for_url("**/ent/login")
    expect(pc.locator(".console-top .portal")).to_have_text("企业用户电脑端")
