"""The government console in Chromium: log in, filter the records, page, drill down to a resident and a scanner,
the print stylesheet, and the Excel export opened with openpyxl. Takes a screenshot of the records page."""

from __future__ import annotations

from datetime import timedelta

import openpyxl
import pytest

from tests.browser.conftest import console_sign_in
from tests.orgs.console_factories import NOW, add_scans, unit

PC = {"viewport": {"width": 1366, "height": 900}, "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}


@pytest.fixture
def console(browser, live_server, db, freeze):
    freeze(NOW + timedelta(hours=3))
    a = unit(db, 1, "福州市鼓楼区软件园管委会", person_name="王小五")
    add_scans(db, a, 14, orange_every=4, abnormal_every=5)
    context = browser.new_context(base_url=live_server, accept_downloads=True, **PC)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page, a
    context.close()


def test_log_in_filter_page_drill_down_print_and_export(console, artifacts, tmp_path):
    page, a = console

    page.goto("/gov/records")
    console_sign_in(page, a.created.username, a.created.password, "**/gov/records")
    assert "当前页 1/2 共 14 条记录" in page.inner_text(".pager")
    page.screenshot(path=str(artifacts / "gov_records.png"), full_page=True)

    page.select_option("select[name=color]", "orange")
    page.click("#search")
    page.wait_for_function("() => document.querySelector('.pager').innerText.includes('共 4 条记录')")
    assert "color=orange" in page.url
    page.click("#reset")
    page.wait_for_function("() => document.querySelector('.pager').innerText.includes('共 14 条记录')")
    page.click(".pager a >> text='2'")
    page.wait_for_function("() => document.querySelector('.pager').innerText.includes('当前页 2/2')")

    with page.expect_download() as info:
        page.click("#export")
    path = tmp_path / "export.xlsx"
    info.value.save_as(path)
    rows = list(openpyxl.load_workbook(path, read_only=True).active.iter_rows(values_only=True))
    assert rows[0][0] == "姓名" and len(rows) == 15

    page.emulate_media(media="print")
    assert page.is_hidden(".side-menu") and page.is_hidden("#record-filters")
    page.emulate_media(media="screen")

    page.click("#records-table tbody tr:first-child td:first-child a")
    page.check("input[value='疫情防控排查']")
    page.click("#confirm-purpose")
    assert page.inner_text("#person-name") == "王小五"

    page.goto("/gov/records")
    page.click("#records-table tbody tr:first-child td:nth-child(9) a")
    assert page.inner_text("#scanner-name") == "李强"
    assert page.is_visible("#print")


def test_reports_draw_their_charts_and_print_and_the_filter_resets_under_the_pages_csp(console):
    """The scripts that were inline (the reports' charts, 打印, 重置's form clearing) run from static files."""
    page, a = console
    page.add_init_script("window.print = () => { window.printed = (window.printed || 0) + 1; }")
    page.goto("/gov/reports")
    console_sign_in(page, a.created.username, a.created.password, "**/gov/reports")
    page.locator("#chart-hours canvas").wait_for()
    page.locator("#chart-trend canvas").wait_for()
    page.click("button[data-action=print]")
    assert page.evaluate("window.printed") == 1

    page.goto("/gov/records?color=orange")
    assert page.input_value("select[name=color]") == "orange"
    page.click("#reset")
    page.wait_for_function("() => document.querySelector('.pager').innerText.includes('共 14 条记录')")
    assert page.input_value("select[name=color]") == ""
