"""More screens of issue 14 that were wrong, in Chromium: 授权管理's tab counts and 操作人, the home page's 今日扫码,
扫码员数据汇总's 打印, 法人电话号码 given a landline, and an offline scan queued with a contradictory 体温结果. Each
keeps its screenshot in tests/browser/screenshots/."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from healthcode.checkpoints.models import Scan
from tests.browser.conftest import SCREENSHOTS, console_sign_in
from tests.browser.test_ent_registration import FORM
from tests.browser.test_scanner import ready_for_offline, scan_offline
from tests.orgs.console_factories import NOW, add_scans, unit

pytestmark = pytest.mark.browser


def _sign_in(page: Any, created: Any, path: str) -> None:
    page.goto(path)
    console_sign_in(page, created.username, created.password, f"**{path}")


def test_an_authorisation_updates_the_tab_counts_and_names_the_unit_as_operator(pc: Any, db: Any, freeze: Any) -> None:
    freeze(NOW)
    a = unit(db, 1, "福州市鼓楼区软件园管委会")  # 李强 authorised from the command line, 赵六 pending
    _sign_in(pc, a.created, "/gov/scanners")
    expect(pc.locator("#scanner-tabs")).to_contain_text("待授权（1）")

    pc.locator(f"#scanner-{a.scanner_ids[1]} button", has_text="授权").click()

    row = pc.locator(f"#scanner-{a.scanner_ids[1]}")
    expect(row.locator("td").nth(4)).to_have_text("已授权")
    expect(pc.locator("#scanner-tabs")).to_contain_text("待授权（0）")  # no reload
    expect(pc.locator("#scanner-tabs")).to_contain_text("已授权（2）")
    expect(row.locator("td").nth(5)).to_have_text("福州市鼓楼区软件园管委会（管理员）")
    expect(pc.locator(f"#scanner-{a.scanner_ids[0]} td").nth(5)).to_have_text("系统（命令行）")
    pc.screenshot(path=str(SCREENSHOTS / "gov-scanners-authorised.png"), full_page=True)

    pc.once("dialog", lambda dialog: dialog.accept())
    pc.locator(f"#scanner-{a.scanner_ids[0]} button", has_text="撤销授权").click()
    expect(pc.locator("#scanner-tabs")).to_contain_text("已撤销（1）")
    expect(pc.locator("#scanner-tabs")).to_contain_text("已授权（1）")


def test_the_home_pages_figures_of_today_are_current_and_say_their_time(pc: Any, db: Any, freeze: Any) -> None:
    freeze(NOW + timedelta(hours=2))  # 11:00
    a = unit(db, 1, "福州市鼓楼区软件园管委会")
    add_scans(db, a, 6, orange_every=3, abnormal_every=4)
    _sign_in(pc, a.created, "/gov/")
    expect(pc.locator("#today-scans")).to_have_text("6")

    freeze(NOW + timedelta(hours=2, minutes=3))  # a scan within the aggregates' 5 minutes
    add_scans(db, a, 1, start=NOW + timedelta(hours=2, minutes=2), orange_every=1)
    pc.reload()

    expect(pc.locator("#today-scans")).to_have_text("7")
    expect(pc.locator("#today-orange")).to_have_text("3")
    expect(pc.locator("#home-as-of")).to_have_text("今日数据截至 11:03")
    assert pc.locator(".card table.data tbody tr").count() == 5  # the latest records under the figures
    pc.screenshot(path=str(SCREENSHOTS / "gov-home-today.png"), full_page=True)


def test_the_scanner_summary_prints_its_whole_filtered_result(pc: Any, db: Any, freeze: Any) -> None:
    freeze(NOW + timedelta(days=1))
    a = unit(db, 1, "福州市鼓楼区软件园管委会")
    add_scans(db, a, 120, step=timedelta(minutes=5))  # 60 at each of the two points
    pc.context.add_init_script("window.print = () => { window.printed = (window.printed || 0) + 1; }")
    _sign_in(pc, a.created, f"/gov/scanners/{a.scanner_ids[0]}/records")
    pc.select_option("#scanner-filters select[name=point_id]", str(a.point_ids[0]))
    pc.click("#scanner-search")
    pc.wait_for_url(f"**point_id={a.point_ids[0]}**")
    expect(pc.locator(".pager")).to_contain_text("共 60 条记录")
    expect(pc.locator("#scanner-table tbody tr")).to_have_count(50)  # the page shown

    with pc.context.expect_page() as info:
        pc.click("#print")
    printout = info.value
    printout.wait_for_load_state()
    printout.wait_for_function("() => window.printed === 1")  # the dialog opens by itself
    expect(printout.locator("#print-table tbody tr")).to_have_count(60)  # the whole filtered result
    expect(printout.locator("#print-scanner")).to_contain_text("李强")
    expect(printout.locator("#print-filter")).to_have_text("扫码地点 福州市鼓楼区软件园管委会社区 东大街西角")
    expect(printout.locator("#print-unit")).to_have_text("福州市鼓楼区软件园管委会")
    expect(printout.locator("#print-time")).to_have_text("2020-02-25 09:00")
    printout.screenshot(path=str(SCREENSHOTS / "gov-scanner-print.png"), full_page=True)


def test_a_landline_as_the_legal_phone_is_refused_saying_a_mobile_is_needed(pc: Any, db: Any,
                                                                             freeze: Any) -> None:
    freeze("2020-02-24 09:00")
    pc.goto("/ent/register")
    for selector, value in {**FORM, "#r-legal-phone": "0591-87654321"}.items():
        pc.fill(selector, value)
    pc.get_by_role("button", name="注册").click()

    error = pc.get_by_test_id("error")
    expect(error).to_contain_text("0591-87654321 是固定电话，收不到短信")
    expect(error).to_contain_text("法人电话号码须填写法定代表人本人的手机号")
    expect(pc.locator("#r-legal-phone")).to_have_value("0591-87654321")
    pc.screenshot(path=str(SCREENSHOTS / "ent-register-landline.png"), full_page=True)


def test_an_offline_scan_queued_with_a_contradictory_result_uploads_corrected(phone: Any, db: Any) -> None:
    issued = ready_for_offline(phone, db)
    phone.route("**/api/**", lambda route: route.abort())
    scan_offline(phone, issued.qr_text)
    # What a page from before the temperature decided the result queued: 38.5 ℃ with 体温正常.
    key = "hc.scanner.' + JSON.parse(document.getElementById('scanner-config').textContent).scanner_id + '.offline"
    phone.evaluate(f"""() => {{ const k = '{key}'; const items = JSON.parse(localStorage.getItem(k));
        Object.assign(items[0], {{pass_reason: '工作', temperature_result: 'normal', temperature: 38.5}});
        localStorage.setItem(k, JSON.stringify(items)); }}""")

    phone.unroute("**/api/**")
    phone.evaluate("window.dispatchEvent(new Event('online'))")

    expect(phone.locator("#toast")).to_have_text(
        "离线记录已上传：体温 38.5℃ ≥ 37.3℃，体温结果已更正为体温异常（离线时填为体温正常）")
    phone.screenshot(path=str(SCREENSHOTS / "scanner-offline-corrected.png"), full_page=True)
    db.rollback()
    stored = db.scalars(select(Scan)).one()
    assert (stored.temperature, stored.temperature_result) == (38.5, "abnormal")
