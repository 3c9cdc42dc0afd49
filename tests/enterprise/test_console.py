"""企业用户电脑端 pages through HTTP: dashboard prompts and totals, 员工健康管理 with reminders reaching the inbox,
employee management, exports that open in openpyxl and never start a cell with a formula character."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from typing import Any

from openpyxl import load_workbook
from sqlalchemy import select

from healthcode.enterprise import consent
from healthcode.enterprise.models import Employee, EmploymentRequest
from healthcode.messages.models import Message, SmsOutbox
from tests.enterprise.factories import console_login, employ, enterprise, id_number, person, report

TODAY = date(2020, 2, 24)


def _staffed(db: Any, n: int = 3) -> Any:
    org = enterprise(db)
    for i in range(n):
        employ(db, org.org_id, f"员工{i}", id_number(i), datetime(2020, 2, 1), f"138{i:08d}")
    db.commit()
    return org


def test_given_no_employees_when_opening_the_dashboard_then_it_prompts_to_import(client: Any, db: Any,
                                                                                  freeze: Any) -> None:
    freeze("2020-02-24 09:00")
    org = enterprise(db)
    console_login(client, org)
    page = client.get("/ent/")
    assert page.status_code == 200 and "导入员工信息" in page.text and "企业看板" in page.text


def test_given_a_resident_naming_the_enterprise_when_syncing_then_they_become_an_employee(client: Any, db: Any,
                                                                                         freeze: Any) -> None:
    freeze("2020-02-24 09:00")
    org = enterprise(db)
    report(db, person(db, id_number(7), "赵六"), date(2020, 2, 23), employer=org.username)
    db.commit()
    console_login(client, org)
    assert "同步员工信息" in client.get("/ent/").text
    page = client.post("/ent/sync")
    assert "新增关联员工 1 名" in page.text
    assert 'data-testid="stat-reporters">1<' in page.text and 'data-testid="stat-reports">1<' in page.text


def test_dashboard_totals_are_as_of_yesterday_and_the_trend_has_each_day(client: Any, db: Any, freeze: Any) -> None:
    freeze("2020-02-24 09:00")
    org = _staffed(db)
    for i, days in ((0, 3), (1, 1)):
        resident = person(db, id_number(i), f"员工{i}")
        for back in range(days + 1):  # includes today, which the totals leave out
            report(db, resident, TODAY - timedelta(days=back))
    db.commit()
    console_login(client, org)
    page = client.get("/ent/")
    assert 'data-testid="stat-employees">3<' in page.text
    assert 'data-testid="stat-reporters">2<' in page.text
    assert 'data-testid="stat-reports">4<' in page.text
    assert "&#34;reporters&#34;: [" in page.text and "共 6 条记录" in page.text


def test_report_query_by_name_type_and_dates(client: Any, db: Any, freeze: Any) -> None:
    freeze("2020-02-24 09:00")
    org = _staffed(db)
    report(db, person(db, id_number(0), "员工0"), date(2020, 2, 20), report_type="返岗上报")
    report(db, person(db, id_number(1), "员工1"), date(2020, 2, 21))
    db.commit()
    console_login(client, org)
    assert "共 1 条记录" in client.get("/ent/", params={"report_type": "返岗上报"}).text
    assert "共 1 条记录" in client.get("/ent/", params={"name": "员工1"}).text
    assert "共 1 条记录" in client.get("/ent/", params={"date_from": "2020-02-21"}).text
    bad = client.get("/ent/", params={"date_from": "2020-02-22", "date_to": "2020-02-01"})
    assert "开始日期不能晚于结束日期" in bad.text
    partial = client.get("/ent/reports", params={"name": "员工0"}, headers={"HX-Request": "true"})
    assert partial.text.lstrip().startswith("<div id=\"report-table\"")


def test_given_unreported_employees_when_reminding_then_their_inbox_has_the_message_once_a_day(
        client: Any, db: Any, freeze: Any) -> None:
    freeze("2020-02-24 09:00")
    org = _staffed(db)
    report(db, person(db, id_number(0), "员工0"), TODAY)
    db.commit()
    ids = list(db.scalars(select(Employee.id).order_by(Employee.id)))
    console_login(client, org)
    page = client.get("/ent/health")
    assert page.text.count("已上报</span>") == 1 and page.text.count("提醒上报</button>") == 2
    answer = client.post("/ent/health/remind", data={"employee_ids": ids}, headers={"HX-Request": "true"})
    assert "<dialog" in answer.text and "提醒成功，已向 2 名员工发送上报提醒" in answer.text
    assert "1 名今日已上报" in answer.text
    again = client.post("/ent/health/remind", data={"employee_ids": [ids[1]]}, headers={"HX-Request": "true"})
    assert "提醒成功" not in again.text and "已向 0 名员工" not in again.text
    assert "所选员工无需提醒（1 名今日已提醒过），未发送提醒。请勾选今日未上报且未提醒过的员工" in again.text
    db.rollback()
    inboxes = sorted(db.scalars(select(Message.recipient_id_number)))
    assert inboxes == [id_number(1), id_number(2)]
    assert len(list(db.scalars(select(SmsOutbox)))) == 2


def test_history_and_detail_pages_with_back_links(client: Any, db: Any, freeze: Any) -> None:
    freeze("2020-02-24 09:00")
    org = _staffed(db, 1)
    r = report(db, person(db, id_number(0), "员工0"), date(2020, 2, 23), temperature="37.9", symptoms=("发热",))
    db.commit()
    employee_id = db.scalar(select(Employee.id))
    console_login(client, org)
    history = client.get(f"/ent/employees/{employee_id}/history")
    assert "员工健康数据记录" in history.text and f"/ent/reports/{r.id}" in history.text
    detail = client.get(f"/ent/reports/{r.id}")
    assert "37.9℃" in detail.text and "异常" in detail.text
    assert f'href="http://testserver/ent/employees/{employee_id}/history" data-testid="back"' in detail.text


def test_exports_open_in_openpyxl_and_no_cell_starts_a_formula(client: Any, db: Any, freeze: Any) -> None:
    freeze("2020-02-24 09:00")
    org = enterprise(db)
    employ(db, org.org_id, "=HYPERLINK(1)", id_number(1), datetime(2020, 2, 1))
    employ(db, org.org_id, "@SUM", id_number(2), datetime(2020, 2, 1))
    report(db, person(db, id_number(1), "=HYPERLINK(1)"), date(2020, 2, 23))
    report(db, person(db, id_number(2), "@SUM"), TODAY)  # today: not in the default export (up to yesterday)
    db.commit()
    console_login(client, org)
    for path, rows in (("/ent/reports/export", 1), ("/ent/health/export", 2)):
        response = client.get(path)
        assert response.status_code == 200 and response.headers["content-type"].startswith("application/vnd")
        sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
        values = list(sheet.iter_rows(values_only=True))
        assert len(values) == rows + 1, (path, values)
        cells = [v for row in values for v in row if isinstance(v, str)]
        assert cells and not any(c.startswith(("=", "+", "-", "@")) for c in cells)
    ranged = client.get("/ent/reports/export", params={"date_from": "2020-02-24", "date_to": "2020-02-24"})
    assert len(list(load_workbook(io.BytesIO(ranged.content)).worksheets[0].iter_rows())) == 2


def test_employee_add_edit_delete_and_profile(client: Any, db: Any, freeze: Any) -> None:
    freeze("2020-02-24 09:00")
    org = enterprise(db)
    console_login(client, org)
    bad = client.post("/ent/employees", data={"name": "张三", "id_number": "350102198001010010"})
    assert bad.status_code == 422 and "身份证号校验码错误" in bad.text and "data-open-on-load" in bad.text
    added = client.post("/ent/employees", data={"name": "张三", "id_number": id_number(1), "phone": "13800138000"})
    assert "已向员工 *三 发送确认请求" in added.text and "待确认" in added.text
    duplicate = client.post("/ent/employees", data={"name": "张三", "id_number": id_number(1)})
    assert duplicate.status_code == 409
    db.rollback()
    assert db.scalar(select(Employee.id)) is None  # a request, not an employee
    # once the resident accepts, the enterprise edits and deletes the employee
    request = db.scalar(select(EmploymentRequest))
    consent.decide(db, person(db, id_number(1), "张三"), request.id, "accept", datetime(2020, 2, 24, 9, 0))
    db.commit()
    employee_id = db.scalar(select(Employee.id))
    edited = client.post(f"/ent/employees/{employee_id}", data={"name": "张三丰", "id_number": id_number(1)})
    assert "已修改员工 张三丰 的信息" in edited.text
    swapped = client.post(f"/ent/employees/{employee_id}", data={"name": "李四", "id_number": id_number(2)})
    assert swapped.status_code == 422 and "身份证号不能修改" in swapped.text
    profile = client.post("/ent/profile", data={"name": "新名称有限公司", "legal_name": "王法人",
                                                "legal_phone": "13900139000"})
    assert "企业基本信息已保存" in profile.text and 'value="王法人"' in profile.text
    deleted = client.post("/ent/employees-delete", data={"employee_ids": [employee_id]})
    assert "已删除 1 名员工" in deleted.text
    db.rollback()
    assert db.scalar(select(Employee.id)) is None and db.scalar(select(EmploymentRequest.state)) == "withdrawn"


def test_tables_page_by_twenty_with_links_that_keep_the_query(client: Any, db: Any, freeze: Any) -> None:
    freeze("2020-02-24 09:00")
    org = _staffed(db, 25)
    console_login(client, org)
    first = client.get("/ent/health", params={"name": "员工"})
    assert "当前页 1/2" in first.text and "共 25 条记录" in first.text
    assert "page=2" in first.text and "name=%E5%91%98%E5%B7%A5" in first.text
    second = client.get("/ent/employees", params={"page": 2})
    assert "当前页 2/2" in second.text and second.text.count('name="employee_ids"') == 5


def test_views_of_a_persons_reports_and_exports_are_logged(client: Any, db: Any, freeze: Any) -> None:
    from healthcode.orgs.audit_models import DataAccess

    freeze("2020-02-24 09:00")
    org = _staffed(db, 1)
    r = report(db, person(db, id_number(0), "员工0"), date(2020, 2, 23))
    db.commit()
    console_login(client, org)
    client.get(f"/ent/employees/{db.scalar(select(Employee.id))}/history")
    client.get(f"/ent/reports/{r.id}")
    client.get("/ent/reports/export")
    db.rollback()
    entries = db.scalars(select(DataAccess).order_by(DataAccess.id))
    logged = [(a.subject, a.purpose, a.person_id is not None) for a in entries]
    # and the export also gets one row per resident in it (his own access log shows it)
    assert logged == [("person", "查看员工健康上报历史记录", True), ("person", "查看健康上报详情", True),
                      ("export", "批量导出员工健康上报数据", False), ("export", "批量导出员工健康上报数据", True)]


def test_given_nobody_chosen_when_reminding_then_it_asks_to_choose_and_sends_nothing(client: Any, db: Any,
                                                                                     freeze: Any) -> None:
    freeze("2020-02-24 09:00")
    org = _staffed(db)
    console_login(client, org)

    answer = client.post("/ent/health/remind", data={}, headers={"HX-Request": "true"})
    plain = client.post("/ent/health/remind", data={})

    assert "<dialog" in answer.text and "请先勾选今日未上报的员工" in answer.text and "提醒成功" not in answer.text
    assert "请先勾选今日未上报的员工" in plain.text and "/ent/health" in str(plain.url)
    db.rollback()
    assert list(db.scalars(select(Message))) == [] and list(db.scalars(select(SmsOutbox))) == []
