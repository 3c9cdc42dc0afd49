"""Employment consent: an enterprise that adds a resident by name + ID number sees nothing of his until he accepts in
the citizen portal; refusing or ending keeps (or makes) it so; naming a USCC on one's own report confirms that
employer only; 同步员工信息 pulls in only residents who named the enterprise themselves."""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any

from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import func, select

from healthcode.enterprise import service
from healthcode.enterprise.models import Employee, EmploymentRequest
from healthcode.messages.models import Message
from tests.enterprise.factories import console_login, enterprise, id_number, person, report
from tests.identity.flow import LI, ZHANG, make_account, sign_in

FORM = {"temperature": "37.8", "symptoms": ["发热"], "location_code": "350102", "contact_risk": "0",
        "report_type": "日常上报"}


def _resident(client: Any, db: Any, number: str = ZHANG, name: str = "张小明") -> TestClient:
    """A second browser: the resident signed in to the citizen portal."""
    citizen = TestClient(client.app)
    make_account(db, number, name)
    assert sign_in(citizen, number).status_code == 200
    return citizen


def _request(db: Any, org_id: int, number: str = ZHANG) -> EmploymentRequest:
    db.rollback()
    return db.scalars(select(EmploymentRequest).where(EmploymentRequest.org_id == org_id,
                                                      EmploymentRequest.id_number == number)).one()


def _sees_nothing(client: Any, db: Any, org_id: int, request_id: int) -> None:
    home = client.get("/ent/")
    assert 'data-testid="stat-employees">0<' in home.text and "37.8" not in home.text and "张小明" not in home.text
    health = client.get("/ent/health")
    assert "张*明" not in health.text and "张小明" not in health.text
    employees = client.get("/ent/employees")
    assert "张小明" not in employees.text and "37.8" not in employees.text
    remind = client.post("/ent/health/remind", data={"employee_ids": [request_id]}, headers={"HX-Request": "true"})
    assert "员工不存在或不属于本企业" in remind.text
    assert _export_rows(client) == (0, 0)
    db.rollback()
    assert db.scalar(select(func.count()).select_from(Message)) == 0
    assert db.scalar(select(func.count()).select_from(Employee).where(Employee.org_id == org_id)) == 0


def _export_rows(client: Any) -> tuple[int, int]:
    """Rows (without the header) of the 员工健康管理 export and of the reports export up to today."""
    found = []
    for path, params in (("/ent/health/export", {}), ("/ent/reports/export", {"date_to": "2020-02-24"})):
        sheet = load_workbook(io.BytesIO(client.get(path, params=params).content)).worksheets[0]
        found.append(len(list(sheet.iter_rows())) - 1)
    return found[0], found[1]


def test_a_stranger_added_by_name_and_id_sees_nothing_until_the_resident_accepts(client: Any, db: Any,
                                                                                 freeze: Any) -> None:
    freeze("2020-02-24 09:00")
    org = enterprise(db)
    citizen = _resident(client, db)
    assert citizen.post("/citizen/report", data=FORM).status_code == 200
    console_login(client, org)
    # Given the enterprise adds him by name + ID number
    added = client.post("/ent/employees", data={"name": "张小明", "id_number": ZHANG})
    assert "已向员工 张*明 发送确认请求" in added.text and "待确认</span>" in added.text
    request = _request(db, org.org_id)
    assert request.state == "pending" and request.requested_by == "enterprise"
    # Then it sees no report, colour, dashboard entry or reminder target
    _sees_nothing(client, db, org.org_id, request.id)
    # When the resident accepts in the citizen portal
    listed = citizen.get("/citizen/employers")
    assert "测试企业1" in listed.text and "待确认" in listed.text
    assert "有 1 家企业请求添加您为员工" in citizen.get("/citizen/report").text
    accepted = citizen.post(f"/citizen/employers/{request.id}", data={"action": "accept"})
    assert accepted.status_code == 200 and "已确认" in accepted.text
    # Then the enterprise sees him, his report, and may remind him
    home = client.get("/ent/")
    assert 'data-testid="stat-employees">1<' in home.text and "37.8" in home.text
    assert "张小明" in client.get("/ent/health").text and _export_rows(client) == (1, 1)
    assert _request(db, org.org_id).state == "confirmed"


def test_refusing_keeps_the_enterprise_blind_and_it_cannot_ask_again(client: Any, db: Any, freeze: Any) -> None:
    freeze("2020-02-24 09:00")
    org = enterprise(db)
    citizen = _resident(client, db)
    citizen.post("/citizen/report", data=FORM)
    console_login(client, org)
    client.post("/ent/employees", data={"name": "张小明", "id_number": ZHANG})
    request = _request(db, org.org_id)
    refused = citizen.post(f"/citizen/employers/{request.id}", data={"action": "refuse"})
    assert "已拒绝该企业的请求" in refused.text
    _sees_nothing(client, db, org.org_id, request.id)
    assert "已拒绝</span>" in client.get("/ent/employees").text
    again = client.post("/ent/employees", data={"name": "张小明", "id_number": ZHANG})
    assert again.status_code == 409 and _request(db, org.org_id).state == "refused"


def test_only_the_resident_himself_decides_and_bad_actions_change_nothing(client: Any, db: Any) -> None:
    org = enterprise(db)
    service.add_employee(db, org.org_id, service.EmployeeInput("张小明", ZHANG), datetime(2020, 2, 1))
    db.commit()
    request = _request(db, org.org_id)
    other = _resident(client, db, LI, "李四")
    assert other.post(f"/citizen/employers/{request.id}", data={"action": "accept"}).status_code == 404
    assert "测试企业1" not in other.get("/citizen/employers").text
    owner = _resident(client, db)
    assert owner.post(f"/citizen/employers/{request.id}", data={"action": "end"}).status_code == 422
    assert owner.post(f"/citizen/employers/{request.id}", data={"action": "hack"}).status_code == 422
    stranger = TestClient(client.app)
    assert str(stranger.post(f"/citizen/employers/{request.id}", data={"action": "accept"}).url).endswith("/citizen/")
    assert _request(db, org.org_id).state == "pending"


def test_naming_a_uscc_on_ones_own_report_confirms_that_employer_only(client: Any, db: Any, freeze: Any) -> None:
    freeze("2020-02-24 09:00")
    a, b = enterprise(db, 1), enterprise(db, 2)
    for org in (a, b):
        service.add_employee(db, org.org_id, service.EmployeeInput("张小明", ZHANG), datetime(2020, 2, 1))
    db.commit()
    citizen = _resident(client, db)
    assert citizen.post("/citizen/report", data={**FORM, "employer_uscc": a.username}).status_code == 200
    assert _request(db, a.org_id).state == "confirmed" and _request(db, b.org_id).state == "pending"
    employees = db.scalars(select(Employee.org_id).where(Employee.id_number == ZHANG)).all()
    assert employees == [a.org_id]
    console_login(client, b)
    assert "37.8" not in client.get("/ent/").text


def test_sync_pulls_in_only_residents_who_named_the_enterprise_themselves(client: Any, db: Any,
                                                                        freeze: Any) -> None:
    freeze("2020-02-24 09:00")
    a, b = enterprise(db, 1), enterprise(db, 2)
    day = datetime(2020, 2, 23).date()
    report(db, person(db, id_number(1), "自报员工"), day, employer=a.username)  # named A before A asked anyone
    report(db, person(db, id_number(2), "被加员工"), day)  # added by A, never named it
    report(db, person(db, id_number(3), "乙方员工"), day, employer=b.username)  # named B
    service.add_employee(db, a.org_id, service.EmployeeInput("被加员工", id_number(2)), datetime(2020, 2, 23, 10))
    db.commit()
    console_login(client, a)
    assert "1 名居民在健康上报中填写了本企业" in client.get("/ent/").text
    synced = client.post("/ent/sync")
    assert "新增关联员工 1 名" in synced.text
    db.rollback()
    assert db.scalars(select(Employee.id_number).where(Employee.org_id == a.org_id)).all() == [id_number(1)]
    assert _request(db, a.org_id, id_number(1)).requested_by == "resident"
    assert _request(db, a.org_id, id_number(2)).state == "pending"


def test_an_ended_link_removes_the_resident_and_sync_does_not_bring_him_back(client: Any, db: Any,
                                                                            freeze: Any) -> None:
    freeze("2020-02-24 09:00")
    org = enterprise(db)
    citizen = _resident(client, db)
    citizen.post("/citizen/report", data=FORM)
    console_login(client, org)
    client.post("/ent/employees", data={"name": "张小明", "id_number": ZHANG})
    request = _request(db, org.org_id)
    citizen.post(f"/citizen/employers/{request.id}", data={"action": "accept"})
    assert "37.8" in client.get("/ent/").text
    # the resident also named the enterprise on today's report, then ends the link
    citizen.post("/citizen/report", data={**FORM, "employer_uscc": org.username})
    ended = citizen.post(f"/citizen/employers/{request.id}", data={"action": "end"})
    assert "已解除与该企业的关联" in ended.text
    _sees_nothing(client, db, org.org_id, request.id)
    assert "新增关联员工 0 名" in client.post("/ent/sync").text
    # and his report form does not propose the employer he just left (sending it again would re-confirm it)
    assert f'value="{org.username}"' not in citizen.get("/citizen/report").text


def test_a_wrong_name_is_answered_like_the_right_one_and_the_holder_sees_it_masked(client: Any, db: Any) -> None:
    """No oracle of name + ID number: the enterprise's answer is the same whether the name is the real one; the
    request reaches the holder, who sees the name it was made under and refuses."""
    org = enterprise(db)
    citizen = _resident(client, db)  # 张小明, registered
    make_account(db, LI, "李四")
    console_login(client, org)
    right = client.post("/ent/employees", data={"name": "李四", "id_number": LI})
    wrong = client.post("/ent/employees", data={"name": "王大锤", "id_number": ZHANG})
    assert right.status_code == wrong.status_code == 200
    assert "已向员工 *四 发送确认请求" in right.text
    assert "已向员工 王*锤 发送确认请求" in wrong.text and "张小明" not in wrong.text and "张*明" not in wrong.text
    request = _request(db, org.org_id)
    assert request.state == "pending" and request.name == "王大锤"
    listed = citizen.get("/citizen/employers")
    assert 'data-testid="other-name"' in listed.text and "王*锤" in listed.text and "与您的实名不一致" in listed.text
    assert citizen.post(f"/citizen/employers/{request.id}", data={"action": "refuse"}).status_code == 200
    assert _request(db, org.org_id).state == "refused"
    li = TestClient(client.app)
    assert sign_in(li, LI).status_code == 200
    listed = li.get("/citizen/employers")
    assert "测试企业1" in listed.text and 'data-testid="other-name"' not in listed.text
