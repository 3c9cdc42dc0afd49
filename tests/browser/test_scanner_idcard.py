"""刷身份证 on the scanner's phone page (issue 16): the ID-card tab, a name and an ID number typed the way a
keyboard-emulating card reader types it (18 characters, then Enter), the result marked 身份证核验, the feedback, a
refused name in Chinese, and the page saying the check needs the network when it has none."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from healthcode import clock
from healthcode.checkpoints.models import Scan
from healthcode.regions import service as regions
from tests.browser.conftest import SCREENSHOTS
from tests.browser.test_scanner import log_in_and_report_point
from tests.checkpoints.factories import org, person, scanner

pytestmark = pytest.mark.browser


def _resident(db: Any) -> str:
    """李小明, who signed in once (his real name is known), from 鼓楼区 (level 1); returns his ID number."""
    resident = person(db, 18, name="李小明")  # his number ends in X: the reader types it in upper case
    resident.signed_in_at = clock.now()
    regions.set_level(db, "350102", 1, "test")
    db.commit()
    return resident.id_number


def test_on_a_phone_a_card_reader_s_number_checks_a_resident_and_the_result_is_marked(phone: Any, db: Any) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    number = _resident(db)
    log_in_and_report_point(phone, scanner(db, org(db).username))

    expect(phone.locator("#toast")).to_be_hidden()  # 扫码点已上报, gone after 3 s: not over the screenshots
    phone.get_by_test_id("tab-idcard").tap()
    expect(phone.get_by_test_id("idcard-name")).to_be_focused()
    expect(phone.get_by_test_id("number")).to_be_hidden()
    phone.get_by_test_id("idcard-name").fill("李小明")
    field = phone.get_by_test_id("idcard-number")
    field.fill(number[:17] + "1")
    expect(phone.locator("#idcard-hint")).to_contain_text("校验码错误")
    field.fill(number[:10])
    expect(phone.locator("#idcard-hint")).to_have_text("已输入 10/18 位")
    field.fill("")
    phone.screenshot(path=str(SCREENSHOTS / "scanner-idcard-form.png"), full_page=True)

    field.press_sequentially(number)  # the card reader: one key a character, then Enter
    field.press("Enter")

    phone.locator("#result-section").wait_for()
    expect(phone.get_by_test_id("idcard-mark")).to_have_text("身份证核验")
    assert phone.get_by_test_id("color").inner_text().startswith("绿码")
    assert phone.get_by_test_id("name").inner_text() == "李*明"
    assert phone.get_by_test_id("id-number").inner_text() == number[:2] + "*****" + number[-3:]
    expect(phone.get_by_test_id("severe")).to_contain_text("福州市鼓楼区")
    phone.screenshot(path=str(SCREENSHOTS / "scanner-idcard-result.png"), full_page=True)
    phone.get_by_test_id("to-feedback").tap()
    phone.select_option("#pass_reason", "就医")
    phone.fill("#temperature", "36.6")
    phone.get_by_test_id("submit-feedback").tap()

    # Back on the ID-card tab, its fields cleared, ready for the next resident
    expect(phone.get_by_test_id("idcard-name")).to_be_focused()
    expect(phone.get_by_test_id("idcard-number")).to_have_value("")
    db.rollback()
    stored = db.scalars(select(Scan)).one()
    assert (stored.via, stored.pass_reason, stored.temperature_result) == ("id_card", "就医", "normal")


def test_on_a_phone_a_wrong_name_is_refused_in_chinese_and_offline_the_page_says_it_needs_the_network(
        phone: Any, db: Any) -> None:
    number = _resident(db)
    log_in_and_report_point(phone, scanner(db, org(db).username))
    expect(phone.locator("#toast")).to_be_hidden()
    phone.get_by_test_id("tab-idcard").tap()

    phone.get_by_test_id("idcard-number").fill(number)
    phone.get_by_test_id("idcard-check").tap()
    expect(phone.get_by_test_id("idcard-error")).to_have_text("请先填写身份证上的姓名")
    phone.get_by_test_id("idcard-name").fill("李大明")
    phone.get_by_test_id("idcard-check").tap()
    expect(phone.get_by_test_id("idcard-error")).to_contain_text("姓名与身份证号不符")
    phone.screenshot(path=str(SCREENSHOTS / "scanner-idcard-mismatch.png"), full_page=True)

    phone.route("**/api/**", lambda route: route.abort())
    phone.get_by_test_id("idcard-name").fill("李小明")
    phone.get_by_test_id("idcard-check").tap()

    expect(phone.get_by_test_id("idcard-error")).to_contain_text("身份证核验需要联网")
    assert phone.locator("#net-status").is_visible()
    db.rollback()
    assert db.scalars(select(Scan)).all() == []
