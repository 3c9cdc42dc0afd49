"""批量导入 in Chromium on a PC screen (issue 14): the roster uploaded twice (the second time with a changed name, a
new person, one left out and 删除名单中没有的员工 ticked: the count to remove is confirmed first), a file with bad rows
whose error report is downloaded and read, and a CSV renamed .xlsx answered in Chinese. Screenshots go to
tests/browser/screenshots/."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from tests.browser.conftest import console_sign_in
from tests.browser.test_ent_console import PC, _xlsx
from tests.enterprise.factories import enterprise, id_number

pytestmark = pytest.mark.browser
SHOTS = Path(__file__).resolve().parent / "screenshots"


def _upload(page: Any, path: Path, *, remove_missing: bool = False) -> None:
    page.get_by_test_id("import").click()
    page.get_by_test_id("import-file").set_input_files(str(path))
    if remove_missing:
        page.get_by_test_id("import-remove-missing").check()
    page.get_by_test_id("import-submit").click()


def test_uploading_the_roster_twice_then_a_bad_file_and_its_error_report(browser: Any, live_server: str, db: Any,
                                                                         freeze: Any, tmp_path: Path) -> None:
    freeze("2020-02-24 09:00")
    org = enterprise(db, 1, "泉州示范制造有限公司")
    context = browser.new_context(base_url=live_server, accept_downloads=True, **PC)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto("/gov/login")
    console_sign_in(page, org.username, org.password, re.compile(r"/ent/$"))
    page.goto("/ent/employees")

    staff = [[f"员工{i:02d}", id_number(i), f"1380000{i:04d}"] for i in range(1, 6)]
    _upload(page, _xlsx(tmp_path / "名单.xlsx", staff))
    page.get_by_text("导入成功：新增 5 名").wait_for()

    # The same roster again, one renamed, one new, one left out, with 删除名单中没有的员工: first the count.
    again = [["员工01改名", id_number(1), staff[0][2]], *staff[1:4], ["新员工", id_number(9), ""]]
    _upload(page, _xlsx(tmp_path / "名单2.xlsx", again), remove_missing=True)
    confirm = page.get_by_test_id("import-confirm")
    assert "新增 1 名，更新 1 名，无变化 3 名" in confirm.inner_text()
    assert "文件中没有的 1 名人员将被删除" in page.get_by_test_id("import-removals").inner_text()
    confirm.screenshot(path=str(SHOTS / "ent-import-confirm-removal.png"))
    page.get_by_test_id("import-confirm-submit").click()
    page.get_by_text("导入成功：新增 1 名").wait_for()
    assert "更新 1 名，无变化 3 名，删除 1 名" in page.get_by_role("status").inner_text()
    page.screenshot(path=str(SHOTS / "ent-import-result.png"))

    # A file with bad rows: nothing imported, the count, the first errors and the report to download.
    bad = [["员工02", id_number(2), "123"], ["", id_number(20), ""], ["@张三", id_number(21)[:17] + "X", ""]]
    _upload(page, _xlsx(tmp_path / "坏.xlsx", bad))
    report = page.get_by_test_id("import-report")
    assert "其中 3 行有误" in report.inner_text()
    report.screenshot(path=str(SHOTS / "ent-import-error-report.png"))
    with page.expect_download() as download:
        page.get_by_test_id("error-report").click()
    saved = tmp_path / "report.xlsx"
    download.value.save_as(saved)
    rows = list(load_workbook(saved).worksheets[0].iter_rows(values_only=True))
    assert rows[0] == ("姓名", "身份证号", "手机号码", "错误原因", "原文件行号") and len(rows) == 4
    assert rows[1][3].startswith("手机号码：") and rows[2][3].startswith("姓名：") and rows[3][0] == "'@张三"

    # A CSV renamed .xlsx: a Chinese reason, not the library's English.
    fake = tmp_path / "名单.xlsx"
    fake.write_text(f"姓名,身份证号\n张三,{id_number(30)}\n", encoding="utf-8")
    _upload(page, fake)
    error = page.get_by_test_id("error")
    assert "该文件不是 Excel（.xlsx）文件：可能是改了扩展名的 CSV" in error.inner_text()
    error.screenshot(path=str(SHOTS / "ent-import-not-excel.png"))
    context.close()
