"""Screens of issue 14 that were wrong, in Chromium: each test walks one and keeps its screenshot in
tests/browser/screenshots/."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from healthcode import clock
from healthcode.checkpoints.models import Scan
from healthcode.messages import service as messages
from healthcode.messages.models import Message
from tests.browser.conftest import SCREENSHOTS, console_sign_in
from tests.browser.test_citizen import sign_in as citizen_sign_in
from tests.browser.test_scanner import log_in_and_report_point
from tests.checkpoints.factories import issue, org, person, scanner
from tests.enterprise.factories import employ, enterprise, id_number
from tests.identity.flow import ZHANG, make_account

pytestmark = pytest.mark.browser


def test_the_enterprise_login_page_is_headed_for_the_enterprise_portal(pc: Any, db: Any, freeze: Any) -> None:
    freeze("2020-02-24 09:00")
    org = enterprise(db, 1, "泉州示范制造有限公司")
    # The enterprise console sends an anonymous visitor to its own login page
    pc.goto("/ent/")
    pc.wait_for_url("**/ent/login?next=/ent/")
    expect(pc.locator(".console-top .portal")).to_have_text("企业用户电脑端")
    expect(pc.locator("h1")).to_have_text("企业用户登录")
    pc.screenshot(path=str(SCREENSHOTS / "ent-login.png"), full_page=True)
    # Signing in there reaches the enterprise console; signing out comes back to it
    console_sign_in(pc, org.username, org.password, "**/ent/")
    pc.get_by_role("button", name="退出").click()
    pc.wait_for_url("**/ent/login")
    expect(pc.locator(".console-top .portal")).to_have_text("企业用户电脑端")


def test_batch_remind_with_nobody_chosen_asks_to_choose_employees(pc: Any, db: Any, freeze: Any) -> None:
    freeze("2020-02-24 09:00")
    org = enterprise(db, 1, "泉州示范制造有限公司")
    for i in range(3):
        employ(db, org.org_id, f"员工{i}", id_number(i), datetime(2020, 2, 1), f"138{i:08d}")
    db.commit()
    pc.goto("/ent/login")
    console_sign_in(pc, org.username, org.password, "**/ent/")
    pc.goto("/ent/health")
    # 批量提醒 with no box ticked: refused in place, nothing sent
    pc.get_by_test_id("batch-remind").click()
    dialog = pc.get_by_test_id("dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("请先勾选")
    expect(dialog).not_to_contain_text("提醒成功")
    assert pc.url.endswith("/ent/health")
    pc.screenshot(path=str(SCREENSHOTS / "ent-remind-nobody-chosen.png"), full_page=True)
    pc.get_by_role("button", name="确定").click()
    db.rollback()
    assert db.scalar(select(func.count()).select_from(Message)) == 0
    # One reminded by his row's button; chosen again, he needs none: refused too, not 提醒成功 to 0
    pc.locator("tr", has_text="员工0").get_by_role("button", name="提醒上报").click()
    expect(pc.get_by_test_id("dialog")).to_contain_text("提醒成功，已向 1 名员工发送上报提醒")
    pc.get_by_role("button", name="确定").click()
    pc.get_by_role("checkbox", name="选择 员工0").check()
    pc.get_by_test_id("batch-remind").click()
    expect(pc.get_by_test_id("dialog")).to_contain_text("所选员工无需提醒（1 名今日已提醒过）")


def test_the_scanner_feedback_result_follows_the_temperature_typed(phone: Any, db: Any) -> None:
    admin = org(db)
    phone_number = scanner(db, admin.username)
    issued = issue(db, person(db, name="李斌"), clock.now())
    db.commit()
    log_in_and_report_point(phone, phone_number)
    phone.get_by_test_id("number").fill(issued.number_code)
    phone.get_by_test_id("lookup").tap()
    phone.get_by_test_id("to-feedback").tap()
    rule = phone.get_by_test_id("temperature-rule")
    expect(rule).to_have_text("填写体温后，体温结果按体温确定：37.3℃ 及以上为异常")
    phone.select_option("#pass_reason", "工作")
    phone.select_option("#temperature_result", "normal")
    # 38.5 typed: the result becomes 异常 and is locked, and the page says why
    phone.fill("#temperature", "38.5")
    expect(phone.locator("#temperature_result")).to_have_value("abnormal")
    expect(phone.locator("#temperature_result")).to_be_disabled()
    expect(rule).to_have_text("体温 38.5℃ ≥ 37.3℃，体温结果按体温确定为异常")
    phone.screenshot(path=str(SCREENSHOTS / "scanner-feedback-temperature.png"), full_page=True)
    # cleared, the result is the scanner's choice again; 36.8 decides 正常
    phone.fill("#temperature", "")
    expect(phone.locator("#temperature_result")).to_be_enabled()
    phone.fill("#temperature", "36.8")
    expect(phone.locator("#temperature_result")).to_have_value("normal")
    phone.fill("#temperature", "38.5")
    phone.get_by_test_id("submit-feedback").tap()
    phone.get_by_test_id("number").wait_for()
    db.rollback()
    stored = db.scalars(select(Scan)).one()
    assert (stored.temperature_result, stored.temperature) == ("abnormal", 38.5)


def test_the_citizen_menu_shows_the_unread_count_next_to_messages(phone: Any, db: Any, freeze: Any) -> None:
    freeze("2020-02-24 09:00")
    make_account(db)
    messages.send(db, [ZHANG], title="健康上报提醒", body="请及时完成健康上报", now=datetime(2020, 2, 24, 8))
    messages.send(db, [ZHANG], title="通知", body="第二条", now=datetime(2020, 2, 24, 8, 30))
    db.commit()
    citizen_sign_in(phone)
    count = phone.get_by_test_id("inbox").get_by_test_id("unread-count")
    expect(count).to_have_text("2")
    expect(count).to_have_attribute("aria-label", "2条未读")
    phone.screenshot(path=str(SCREENSHOTS / "citizen-unread-count.png"), full_page=True)
    phone.get_by_test_id("inbox").tap()
    phone.get_by_text("通知").tap()
    expect(phone.get_by_test_id("message-body")).to_contain_text("第二条")  # opened: read
    phone.goto("/citizen/")
    expect(phone.get_by_test_id("inbox").get_by_test_id("unread-count")).to_have_text("1")


# Each checkbox's label text on its box's line, right of it: the text node's box against the input's.
_SPLIT_CHECKS = """() => Array.from(document.querySelectorAll("label.check")).filter(label => {
  const box = label.querySelector("input").getBoundingClientRect();
  const range = document.createRange();
  range.selectNodeContents(label.lastChild);
  const text = range.getBoundingClientRect();
  return Math.abs((text.top + text.bottom) / 2 - (box.top + box.bottom) / 2) > 8 || text.left < box.right;
}).map(label => label.textContent.trim())"""


def test_the_health_report_keeps_each_checkbox_with_its_label_and_styles_its_success(phone: Any, db: Any,
                                                                                    freeze: Any) -> None:
    freeze("2020-02-24 09:00")
    make_account(db)
    db.commit()
    citizen_sign_in(phone)
    phone.goto("/citizen/report")
    assert phone.viewport_size["width"] == 390
    assert phone.evaluate(_SPLIT_CHECKS) == []
    phone.fill("#r-temp", "36.6")
    phone.get_by_label("腹泻").check()
    phone.select_option("#r-loc", "350102")
    phone.get_by_test_id("submit-report").tap()
    saved = phone.get_by_test_id("saved")
    expect(saved).to_have_text("上报成功")
    # styled like the portal's other notices (工作单位确认, 为家人申领): the ok-notice box
    expect(saved).to_have_class(re.compile(r"\bok-notice\b"))
    assert saved.evaluate("e => getComputedStyle(e).borderTopStyle") == "solid"
    assert phone.evaluate(_SPLIT_CHECKS) == []
    phone.screenshot(path=str(SCREENSHOTS / "citizen-report-saved.png"), full_page=True)
