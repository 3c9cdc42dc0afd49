"""The browser in Chinese, and the platform's own Chinese messages for the browser's form checks (static/validation.js)
on the main forms of every portal: an empty or invalid field is answered in the page, under the field, the browser's
bubble cancelled and nothing sent; the server still refuses what passes the browser. Screenshots go to
tests/browser/screenshots/."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from healthcode import clock
from tests.browser.conftest import console_sign_in
from tests.browser.test_citizen import sign_in
from tests.checkpoints.factories import PASSWORD, issue, org, person, scanner
from tests.identity.flow import make_account
from tests.orgs.console_factories import NOW, add_scans, unit

pytestmark = pytest.mark.browser
PC = {"viewport": {"width": 1366, "height": 900}}
SHOTS = Path(__file__).resolve().parent / "screenshots"
# Counts the `invalid` events whose browser bubble was not cancelled (a listener on the field runs after the page's).
WATCH = """() => { window.bubbles = 0; document.querySelectorAll("input, select, textarea").forEach(function (f) {
  f.addEventListener("invalid", function (e) { if (!e.defaultPrevented) window.bubbles += 1; });
}); }"""


def _texts(node: dict[str, Any]) -> str:
    """The text of a DOM tree from CDP, user-agent shadow roots included (the date field's 年/月/日 live there)."""
    own = node.get("nodeValue", "") if node.get("nodeType") == 3 else ""
    return own + "".join(_texts(child) for key in ("children", "shadowRoots") for child in node.get(key, []))


def _refused(page: Any, field: str, text: str) -> None:
    """The field carries the platform's message under it (its accessible description), has the focus, and no browser
    bubble was let through."""
    locator = page.locator(field)
    expect(locator).to_have_attribute("aria-invalid", "true")
    expect(locator).to_have_accessible_description(text)
    expect(page.locator(".field-error", has_text=text)).to_be_visible()
    expect(locator).to_be_focused()
    assert page.evaluate("() => window.bubbles") == 0


def _pc(browser: Any, live_server: str) -> Any:
    page = browser.new_context(base_url=live_server, **PC).new_page()
    page.set_default_timeout(15_000)
    return page


def test_the_browser_runs_in_chinese_with_dates_in_year_month_day(browser: Any, live_server: str, phone: Any) -> None:
    for page in (phone, _pc(browser, live_server)):  # a context made without a locale is Chinese too
        page.set_content('<input type="date" id="d"><input required id="r">')
        assert page.evaluate("() => [navigator.language, Intl.DateTimeFormat().resolvedOptions().timeZone]") == [
            "zh-CN", "Asia/Shanghai"]
        tree = page.context.new_cdp_session(page).send("DOM.getDocument", {"depth": -1, "pierce": True})
        shown = _texts(tree["root"])
        assert "年" in shown and "月" in shown and "日" in shown and "yyyy" not in shown, shown
        # Chromium's own texts are Chinese too (Debian's chromium-l10n, LANGUAGE in its environment)
        assert page.evaluate("() => document.getElementById('r').validationMessage") == "请填写此字段。"


def test_login_pages_answer_an_empty_field_in_the_page(browser: Any, live_server: str, phone: Any) -> None:
    SHOTS.mkdir(exist_ok=True)
    page = _pc(browser, live_server)
    for url in ("/gov/login", "/ent/login"):
        page.goto(url)
        page.evaluate(WATCH)
        page.get_by_role("button", name="登录").click()
        _refused(page, "#username", "请填写用户名")
        expect(page.locator(".field-error")).to_have_count(2)  # each empty field has its message
        assert page.url.endswith(url)  # nothing was sent
        page.fill("#username", "someone")
        expect(page.locator(".field-error")).to_have_count(1)  # typing takes the message away
        page.get_by_role("button", name="登录").click()
        _refused(page, "#password", "请填写密码")
        if url == "/gov/login":
            page.screenshot(path=str(SHOTS / "validation-gov-login.png"), full_page=True)
        page.fill("#password", "wrong-password")
        page.get_by_role("button", name="登录").click()
        expect(page.locator(".notice.error")).to_contain_text("用户名或密码错误")  # the server's own refusal

    phone.goto("/scanner/login")
    phone.evaluate(WATCH)
    phone.get_by_test_id("login").tap()
    _refused(phone, "#phone", "请填写手机号码")
    phone.screenshot(path=str(SHOTS / "validation-scanner-login.png"), full_page=True)

    phone.goto("/citizen/")
    phone.get_by_test_id("login").tap()
    phone.get_by_text("仅供开发使用").wait_for()
    phone.evaluate(WATCH)
    phone.get_by_test_id("next").tap()
    _refused(phone, "#id_number", "请填写身份证号")


def test_citizen_report_says_what_is_missing_and_the_server_still_refuses_a_bad_temperature(
        phone: Any, db: Any) -> None:
    make_account(db)
    db.commit()
    sign_in(phone)
    phone.goto("/citizen/report")
    phone.evaluate(WATCH)
    phone.get_by_test_id("submit-report").tap()
    _refused(phone, "#r-temp", "请填写今日体温")
    expect(phone.locator("#r-loc")).to_have_accessible_description("请选择当前所在地区")
    phone.screenshot(path=str(SHOTS / "validation-citizen-report.png"), full_page=True)
    phone.fill("#r-temp", "99")
    phone.select_option("#r-loc", index=1)
    expect(phone.locator(".field-error")).to_have_count(0)
    phone.get_by_test_id("submit-report").tap()
    expect(phone.get_by_test_id("error")).to_contain_text("体温")  # the browser cannot know the range: the server says


def test_scanner_point_register_and_feedback_forms_answer_in_the_page(phone: Any, db: Any) -> None:
    phone.goto("/scanner/register")
    phone.evaluate(WATCH)
    phone.get_by_test_id("submit").tap()
    _refused(phone, "#org_name", "请填写企业名称")
    expect(phone.locator("#sms_code")).to_have_accessible_description("请填写验证码")
    phone.fill("#password", "abc")
    phone.get_by_test_id("submit").tap()
    expect(phone.locator("#password")).to_have_accessible_description("登录密码至少 6 个字符（已填 3 个）")
    phone.screenshot(path=str(SHOTS / "validation-scanner-register.png"), full_page=True)

    admin = org(db)
    phone_number = scanner(db, admin.username)
    issued = issue(db, person(db, name="李斌"), clock.now())
    db.commit()
    phone.goto("/scanner/login")
    phone.fill("#phone", phone_number)
    phone.fill("#password", PASSWORD)
    phone.get_by_test_id("login").tap()
    phone.get_by_test_id("service").tap()
    phone.locator("#point-form").wait_for()
    phone.evaluate(WATCH)
    phone.get_by_test_id("report-point").tap()
    _refused(phone, "#community", "请填写所在社区")
    expect(phone.locator("#address")).to_have_accessible_description("请填写具体位置")
    phone.fill("#community", "软件园社区")
    phone.fill("#point-name", "东大门")
    phone.fill("#address", "鼓楼区软件大道89号")
    phone.get_by_test_id("report-point").tap()
    phone.get_by_test_id("number").fill(issued.number_code)
    phone.get_by_test_id("lookup").tap()
    phone.get_by_test_id("to-feedback").tap()
    phone.get_by_test_id("submit-feedback").tap()  # the page's own checks (it sends the feedback itself)
    expect(phone.locator("#feedback-error")).to_have_text("请选择通行原因")
    phone.select_option("#pass_reason", "工作")
    phone.get_by_test_id("submit-feedback").tap()
    expect(phone.locator("#feedback-error")).to_have_text("请选择体温结果")


def test_enterprise_registration_answers_in_the_page(browser: Any, live_server: str) -> None:
    page = _pc(browser, live_server)
    page.goto("/ent/register")
    page.evaluate(WATCH)
    page.get_by_role("button", name="注册").click()
    _refused(page, "#r-name", "请填写企业名称")
    expect(page.locator("#r-legal-phone")).to_have_accessible_description("请填写法人电话号码")
    expect(page.locator("#r-pw2")).to_have_accessible_description("请填写确认登录密码")
    page.screenshot(path=str(SHOTS / "validation-ent-register.png"), full_page=True)
    assert page.url.endswith("/ent/register")


def test_gov_records_filter_refuses_an_incomplete_date_in_the_page(
        browser: Any, live_server: str, db: Any, freeze: Any) -> None:
    freeze(NOW + timedelta(hours=3))
    a = unit(db, 1, "福州市鼓楼区软件园管委会", person_name="王小五")
    add_scans(db, a, 3)
    page = _pc(browser, live_server)
    page.goto("/gov/records")
    console_sign_in(page, a.created.username, a.created.password, "**/gov/records")
    page.evaluate(WATCH)
    page.focus("input[name=start]")
    page.keyboard.type("2020")  # the year only: 年 filled, 月 and 日 not
    page.click("#search")
    _refused(page, "input[name=start]", "开始时间不是完整的日期，请填写年、月、日")
    assert "共 3 条记录" in page.inner_text(".pager") and page.url.endswith("/gov/records")  # nothing was asked
    page.screenshot(path=str(SHOTS / "validation-gov-records-date.png"), full_page=True)
    page.fill("input[name=start]", "2020-02-24")
    expect(page.locator(".field-error")).to_have_count(0)
    page.click("#search")
    page.wait_for_url("**start=2020-02-24**")
