"""The enterprise console in Chromium on a PC screen: import a real .xlsx with bad rows (rejected, report shown) then
a good one, remind and find the message in the resident's inbox, export and open it with openpyxl, delete with the
confirmation dialog, and a screenshot of the dashboard with its trend chart."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from healthcode.enterprise import consent, reports
from healthcode.enterprise.models import EmploymentRequest
from healthcode.residents.models import Person
from tests.browser.conftest import PHONE, console_sign_in
from tests.browser.test_citizen import sign_in as citizen_sign_in
from tests.enterprise.factories import enterprise, id_number, person
from tests.identity.flow import ZHANG, make_account

pytestmark = pytest.mark.browser
PC = {"viewport": {"width": 1440, "height": 900}, "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}
TODAY = date(2020, 2, 24)


def _xlsx(path: Path, rows: list[list[Any]]) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["姓名", "身份证号", "手机号码"])
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def _history(db: Any) -> None:
    """Three weeks of reports by most of the staff, so that the trend has a shape."""
    for i in range(12):
        number = ZHANG if i == 0 else id_number(i)
        if i == 0:
            continue  # 张小明 never reports: he is the one to remind
        resident = Person(id_number=number, name=f"员工{i:02d}", created_at=datetime(2020, 2, 1))
        db.add(resident)
        db.flush()
        for back in range(1, 22):
            if (back + i) % 5 == 0:
                continue
            data = reports.ReportInput("36.5" if (back + i) % 7 else "37.6", ["无"] if (back + i) % 7 else ["发热"],
                                       "350102", False, "日常上报" if back % 6 else "返岗上报")
            reports.submit(db, resident, data, datetime.combine(TODAY - timedelta(days=back), datetime.min.time())
                           + timedelta(hours=8, minutes=i))
    db.commit()


def _everyone_accepts(db: Any) -> None:
    """Each imported resident accepts the enterprise in his citizen portal (that flow: test_citizen_consent.py)."""
    db.rollback()
    for request in db.scalars(select(EmploymentRequest).where(EmploymentRequest.state == "pending")).all():
        consent.decide(db, person(db, request.id_number, request.name), request.id, "accept",
                       datetime(2020, 2, 24, 9))
    db.commit()


def test_enterprise_console_end_to_end(browser: Any, live_server: str, db: Any, freeze: Any, artifacts: Path,
                                       tmp_path: Path) -> None:
    freeze("2020-02-24 09:00")
    org = enterprise(db, 1, "泉州示范制造有限公司")
    make_account(db)
    _history(db)
    context = browser.new_context(base_url=live_server, accept_downloads=True, **PC)
    page = context.new_page()
    page.set_default_timeout(15_000)

    page.goto("/gov/login")
    console_sign_in(page, org.username, org.password, re.compile(r"/ent/$"))
    assert page.get_by_test_id("import-prompt").is_visible()

    # 批量导入: a file with a bad check character and a missing name is rejected as a whole, with the report.
    page.goto("/ent/employees")
    staff = [["张小明", ZHANG, "13800138000"]] + [[f"员工{i:02d}", id_number(i), ""] for i in range(1, 12)]
    bad = staff[:3] + [["", id_number(40), ""], ["坏号码", id_number(41)[:17] + "0", ""]]
    if bad[-1][1] == id_number(41):
        bad[-1][1] = id_number(41)[:17] + "1"
    page.get_by_test_id("import").click()
    page.get_by_test_id("import-file").set_input_files(str(_xlsx(tmp_path / "坏.xlsx", bad)))
    page.get_by_test_id("import-submit").click()
    report = page.get_by_test_id("import-report")
    assert "第 5 行" in report.inner_text() and "第 6 行" in report.inner_text()
    assert "身份证号校验码错误" in report.inner_text()
    assert "暂无员工信息" in page.get_by_test_id("employees").inner_text()
    page.get_by_test_id("import").click()
    page.get_by_test_id("import-file").set_input_files(str(_xlsx(tmp_path / "好.xlsx", staff)))
    page.get_by_test_id("import-submit").click()
    page.get_by_text("导入成功：新增 12 名（已发送确认请求").wait_for()
    assert page.get_by_test_id("requests").inner_text().count("待确认") == 12
    page.get_by_test_id("requests").screenshot(path=str(artifacts / "ent-employee-requests.png"))
    _everyone_accepts(db)

    # 提醒上报: the dialog says 提醒成功.
    page.goto("/ent/health?status=unreported")
    assert page.locator("select[name=status]").input_value() == "unreported"  # the filters keep the query
    page.screenshot(path=str(artifacts / "ent-health.png"), full_page=True)
    page.locator("tr", has_text="张小明").get_by_role("button", name="提醒上报").click()
    dialog = page.get_by_test_id("dialog")
    dialog.wait_for()
    assert "提醒成功" in dialog.inner_text()
    dialog.get_by_role("button", name="确定").click()

    # 批量导出 of the dashboard's details: a real .xlsx, up to yesterday.
    page.goto("/ent/")
    with page.expect_download() as download:
        page.get_by_test_id("export").click()
    saved = tmp_path / "export.xlsx"
    download.value.save_as(saved)
    rows = list(load_workbook(saved).worksheets[0].iter_rows(values_only=True))
    assert rows[0][1] == "姓名" and len(rows) > 100
    assert all(str(r[3]) < TODAY.isoformat() for r in rows[1:])

    # The dashboard: totals, trend chart drawn by ECharts, hover shows reporters and share.
    page.wait_for_function("() => window.entTrendChart !== undefined")
    assert page.get_by_test_id("stat-employees").inner_text() == "12"
    box = page.locator("#trend").bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.75, box["y"] + box["height"] * 0.5)
    page.get_by_text("占企业人数比例：").first.wait_for()
    page.screenshot(path=str(artifacts / "ent-dashboard.png"), full_page=True)

    # 删除信息 with the confirmation dialog.
    page.goto("/ent/employees?name=员工11")
    page.locator("tr", has_text="员工11").get_by_role("button", name="删除信息").click()
    confirm = page.get_by_test_id("delete-dialog")
    assert "确定删除选中的 1 名员工吗" in confirm.inner_text()
    page.get_by_test_id("confirm-delete").click()
    page.get_by_text("已删除 1 名员工").wait_for()
    page.goto("/ent/")
    assert page.get_by_test_id("stat-employees").inner_text() == "11"
    context.close()

    # The resident finds the reminder in the inbox.
    phone = browser.new_context(base_url=live_server, **PHONE)
    resident = phone.new_page()
    citizen_sign_in(resident)
    resident.goto("/citizen/inbox")
    resident.get_by_text("健康上报提醒").tap()
    assert "泉州示范制造有限公司提醒您" in resident.get_by_test_id("message-body").inner_text()
    resident.get_by_role("link", name="去上报").tap()
    resident.fill("input[name=temperature]", "36.6")
    resident.check("input[value=无]")
    resident.select_option("select[name=location_code]", "350102")
    resident.get_by_test_id("submit-report").tap()
    resident.get_by_test_id("saved").wait_for()
    resident.screenshot(path=str(artifacts / "citizen-report.png"), full_page=True)
    phone.close()
