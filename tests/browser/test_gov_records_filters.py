"""扫码记录 in Chromium (issue 14): 批量导出 exports the filter chosen on the page, a refused filter shows its reason
in place with the list unchanged, 打印 prints the whole filtered result, and 扫码员数据汇总 filters by 扫码时间 and
扫码地点. Screenshots go to tests/browser/screenshots/."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import openpyxl
import pytest

from tests.browser.conftest import console_sign_in
from tests.orgs.console_factories import NOW, add_scans, unit

PC = {"viewport": {"width": 1366, "height": 900}, "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}
SHOTS = Path(__file__).resolve().parent / "screenshots"


@pytest.fixture
def console(browser, live_server, db, freeze):
    freeze(NOW + timedelta(hours=3))
    a = unit(db, 1, "福州市鼓楼区软件园管委会", person_name="王小五")
    add_scans(db, a, 14, orange_every=4, abnormal_every=5)
    context = browser.new_context(base_url=live_server, accept_downloads=True, **PC)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto("/gov/records")
    console_sign_in(page, a.created.username, a.created.password, "**/gov/records")
    yield page, a
    context.close()


def test_export_follows_the_chosen_filter_and_a_refused_filter_shows_in_place(console, tmp_path):
    page, _ = console
    page.select_option("select[name=color]", "orange")
    page.click("#search")
    page.wait_for_function("() => document.querySelector('.pager').innerText.includes('共 4 条记录')")

    with page.expect_download() as info:
        page.click("#export")
    path = tmp_path / "export.xlsx"
    info.value.save_as(path)
    rows = list(openpyxl.load_workbook(path, read_only=True).active.iter_rows(values_only=True))
    assert len(rows) == 5 and {r[5] for r in rows[1:]} == {"橙码"}

    page.fill("input[name=start]", "2020-02-26")
    page.fill("input[name=end]", "2020-02-24")
    page.click("#search")
    page.locator("#records-error-message").wait_for()
    assert page.inner_text("#records-error-message") == "开始时间不能晚于结束时间"
    assert "共 4 条记录" in page.inner_text(".pager")  # the list shown stays
    page.screenshot(path=str(SHOTS / "gov-records-refused-filter.png"), full_page=True)

    page.fill("input[name=start]", "")
    page.fill("input[name=end]", "")
    page.click("#search")
    page.wait_for_function("() => !document.getElementById('records-error-message')")
    assert "共 4 条记录" in page.inner_text(".pager")


def test_print_opens_the_whole_filtered_result_with_the_filter_unit_and_time(console):
    page, _ = console
    page.context.add_init_script("window.print = () => { window.printed = (window.printed || 0) + 1; }")
    page.fill("input[name=start]", "2020-02-24")
    page.click("#search")
    page.wait_for_url("**start=2020-02-24**")
    page.click(".pager a >> text='2'")  # paging leaves the print link on the filter
    page.wait_for_function("() => document.querySelector('.pager').innerText.includes('当前页 2/2')")

    with page.context.expect_page() as info:
        page.click("#print-records")
    printout = info.value
    printout.wait_for_load_state()
    printout.wait_for_function("() => window.printed === 1")  # the dialog opens by itself
    assert printout.locator("#print-table tbody tr").count() == 14  # all of them, not the page shown
    assert printout.inner_text("#print-filter") == "扫码时间 2020-02-24 至 不限"
    assert printout.inner_text("#print-unit") == "福州市鼓楼区软件园管委会"
    assert printout.inner_text("#print-time") == "2020-02-24 12:00"
    printout.emulate_media(media="print")
    assert printout.is_hidden(".side-menu") and printout.is_hidden("#print")
    printout.screenshot(path=str(SHOTS / "gov-records-print.png"), full_page=True)


def test_scanner_summary_filters_by_scan_time_and_point(console):
    page, a = console
    page.click("#records-table tbody tr:first-child td:nth-child(9) a")
    assert page.inner_text("#scanner-name") == "李强"
    assert "共 14 条记录" in page.inner_text(".pager")

    page.select_option("#scanner-filters select[name=point_id]", str(a.point_ids[1]))
    page.fill("#scanner-filters input[name=start]", "2020-02-24")
    page.fill("#scanner-filters input[name=end]", "2020-02-24")
    page.click("#scanner-search")
    page.wait_for_url(f"**point_id={a.point_ids[1]}**")
    assert "共 7 条记录" in page.inner_text(".pager")
    assert {t.split(" ")[-1] for t in page.locator("#scanner-table tbody td:nth-child(4)").all_inner_texts()} == {
        "西大街西角"}
    page.screenshot(path=str(SHOTS / "gov-scanner-filters.png"), full_page=True)

    page.fill("#scanner-filters input[name=start]", "2020-02-25")
    page.click("#scanner-search")
    assert page.inner_text("#scanner-error") == "开始时间不能晚于结束时间"
    assert page.input_value("#scanner-filters input[name=start]") == "2020-02-25"
    page.screenshot(path=str(SHOTS / "gov-scanner-refused-filter.png"), full_page=True)
