"""企业法人注册 in Chromium on a PC screen: the form, the registered page, the login that lands on 注册验证, the SMS
code from the development outbox, and the console after verification; a second registration of the same USCC is refused
as a dispute. Screenshots of the verification step and the refusal go to tests/browser/screenshots/."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import console_sign_in
from tests.enterprise.factories import id_number, sms_code, uscc_code

pytestmark = pytest.mark.browser
PC = {"viewport": {"width": 1440, "height": 900}, "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
FORM = {"#r-name": "泉州示范制造有限公司", "#r-uscc": uscc_code(5), "#r-legal": "陈法人",
        "#r-legal-phone": "13900000009", "#r-legal-id": id_number(201), "#r-op-phone": "13900000008",
        "#r-op-name": "王经办", "#r-op-id": id_number(202), "#r-pw": "Abc12345", "#r-pw2": "Abc12345"}


def _fill(page: Any) -> None:
    page.goto("/ent/register")
    for selector, value in FORM.items():
        page.fill(selector, value)
    page.get_by_role("button", name="注册").click()


def test_register_sign_in_and_verify_by_the_legal_representatives_sms_code(
        browser: Any, live_server: str, db: Any, freeze: Any) -> None:
    freeze("2020-02-24 09:00")
    SCREENSHOTS.mkdir(exist_ok=True)
    context = browser.new_context(base_url=live_server, **PC)
    page = context.new_page()
    page.set_default_timeout(15_000)

    _fill(page)
    assert "待验证" in page.locator("h1 + p").inner_text()
    assert page.get_by_test_id("username").inner_text() == uscc_code(5)
    page.get_by_role("link", name="去登录").click()
    console_sign_in(page, uscc_code(5), "Abc12345", re.compile(r"/ent/verify$"))
    assert "139****0009" in page.inner_text("main")

    page.goto("/ent/")  # every other page says why and leads back
    assert "注册尚未完成验证" in page.get_by_test_id("pending").inner_text()
    page.get_by_role("link", name="去完成注册验证").click()
    page.get_by_test_id("send-sms").click()
    page.get_by_test_id("sms-sent").wait_for()
    page.fill("#v-code", sms_code(db, "13900000009"))
    page.screenshot(path=str(SCREENSHOTS / "ent-register-verify.png"), full_page=True)
    page.get_by_test_id("verify-sms").click()
    page.wait_for_url(re.compile(r"/ent/$"))
    assert "注册验证已完成" in page.inner_text("main") and page.get_by_test_id("stat-employees").is_visible()

    # The same USCC again, from another browser: refused, and kept as a dispute for the health authority.
    other = browser.new_context(base_url=live_server, **PC).new_page()
    _fill(other)
    refusal = other.get_by_test_id("disputed").inner_text()
    assert "该统一社会信用代码已注册" in refusal and "如有异议" in refusal
    other.screenshot(path=str(SCREENSHOTS / "ent-register-disputed.png"), full_page=True)
    context.close()
