"""Enterprise A never sees or changes enterprise B's employees or reports through any /ent route, and a resident's
reports are only visible to the enterprises the resident is an employee of."""

from __future__ import annotations

import io
import re
from datetime import date, datetime
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from healthcode.enterprise import import_store, operators, service
from healthcode.enterprise.import_models import ImportFile
from healthcode.enterprise.models import Employee, EmploymentRequest, HealthReport
from healthcode.messages.models import Message
from healthcode.orgs.service import add_org
from tests.enterprise.factories import console_login, employ, enterprise, id_number, operator_login, person, report

B_NAME, B_ID = "乙方员工", id_number(50)
OUTSIDER_NAME, OUTSIDER_ID = "路人甲乙", id_number(60)
OPERATOR_ID = id_number(80)
B_OPERATOR_NAME, B_OPERATOR_ID = "乙方经办", id_number(90)


def all_routes(app: Any) -> list[Any]:
    """The app's routes, flattened through included routers (FastAPI keeps them nested)."""
    found = []
    for route in app.routes:
        if hasattr(route, "original_router"):
            found += all_routes(route.original_router)
        else:
            found.append(route)
    return found


def _world(db: Any) -> dict[str, Any]:
    a, b = enterprise(db, 1), enterprise(db, 2)
    employ(db, a.org_id, "甲方员工", id_number(10), datetime(2020, 2, 1))
    b_employee = employ(db, b.org_id, B_NAME, B_ID, datetime(2020, 2, 1), "13900000001")
    b_request = service.add_employee(db, b.org_id, service.EmployeeInput(OUTSIDER_NAME, OUTSIDER_ID),
                                     datetime(2020, 2, 1))  # B asked the outsider: pending
    report(db, person(db, id_number(10), "甲方员工"), date(2020, 2, 23))
    b_report = report(db, person(db, B_ID, B_NAME), date(2020, 2, 23))
    outsider = report(db, person(db, OUTSIDER_ID, OUTSIDER_NAME), date(2020, 2, 23))
    b_operator = operators.add_operator(db, b.org_id, B_OPERATOR_NAME, B_OPERATOR_ID, "乙方管理员",
                                        datetime(2020, 2, 1))
    # B's admin keeps an upload awaiting confirmation, B's operator an import error report, both naming B's employee
    kept, at = f"姓名,身份证号\n{B_NAME},{B_ID}\n".encode(), datetime(2020, 2, 24, 8, 59)
    b_import = import_store.keep(db, import_store.Uploader(b.org_id, 1), import_store.UPLOAD, ".csv", kept, at)
    b_errors = import_store.keep(db, import_store.Uploader(b.org_id, 1, B_OPERATOR_ID), import_store.REPORT, ".xlsx",
                                 _xlsx([["姓名", "身份证号"], [B_NAME, B_ID]]), at)
    db.commit()
    return {"a": a, "b": b, "b_employee": b_employee.id, "b_report": b_report.id, "outsider_report": outsider.id,
            "b_operator": b_operator.id, "b_request": b_request.id, "b_import": b_import, "b_errors": b_errors}


def _xlsx(rows: list[list[str]]) -> bytes:
    from healthcode.web.exports import write_xlsx

    buffer = io.BytesIO()
    write_xlsx(buffer, "sheet", rows[0], rows[1:])
    return buffer.getvalue()


def _leaks(text: str) -> list[str]:
    masked = B_ID[:2] + "*****" + B_ID[-3:]
    needles = (B_NAME, B_ID, masked, B_OPERATOR_NAME, B_OPERATOR_ID,
               OUTSIDER_NAME, OUTSIDER_ID, OUTSIDER_ID[:2] + "*****" + OUTSIDER_ID[-3:])
    return [n for n in needles if n in text]


def _text(response: Any) -> str:
    if response.headers.get("content-type", "").startswith("application/vnd"):
        sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
        return " ".join(str(v) for row in sheet.iter_rows(values_only=True) for v in row if v is not None)
    return response.text


@pytest.mark.parametrize("login", ["admin", "operator"])
def test_enterprise_a_sees_nothing_of_b_or_of_outsiders_through_any_ent_route(client: Any, db: Any, freeze: Any,
                                                                              login: str) -> None:
    freeze("2020-02-24 09:00")
    world = _world(db)
    if login == "admin":
        console_login(client, world["a"])
    else:  # A's operator, signed in by real name (个人实名认证登录), walks the same routes
        operator_login(client, db, world["a"], OPERATOR_ID, "甲方经办")
    routes = [r for r in all_routes(client.app) if getattr(r, "path", "").startswith("/ent")]
    assert len(routes) >= 15
    ids = {"employee_id": world["b_employee"], "report_id": world["b_report"], "request_id": world["b_request"],
           "token": world["b_errors"]}
    tried = 0
    for route in routes:
        path = re.sub(r"{(\w+)}", lambda m: str(ids[m.group(1)]), route.path)
        for method in route.methods - {"HEAD"}:
            form = {"employee_ids": [world["b_employee"]], "name": "丙", "id_number": id_number(70),
                    "legal_name": "某某", "legal_phone": "13900000000", "operator_id": world["b_operator"],
                    "org_id": world["b"].org_id, "uscc": world["b"].username, "token": world["b_import"],
                    "removals": "0"}
            # Queries use a part of B's name, so that the echoed search box is not mistaken for a leak.
            response = client.request(method, path, data=form if method == "POST" else None,
                                      params={"name": B_NAME[:2]} if method == "GET" else None)
            tried += 1
            if path.startswith("/ent/register"):
                continue  # public page; a POST there registers nothing with this data (no USCC)
            assert not _leaks(_text(response)), (method, path, _leaks(_text(response)))
    assert tried >= 15
    assert str(client.get("/ent/").url).endswith("/ent/")  # still signed in to A: the walk proved something
    db.rollback()
    b_employee = db.get(Employee, world["b_employee"])
    assert b_employee is not None and b_employee.name == B_NAME and b_employee.id_number == B_ID
    assert db.scalar(select(func.count()).select_from(Message)) == 0
    assert db.scalar(select(func.count()).select_from(Employee).where(Employee.org_id == world["a"].org_id)) <= 2
    assert [o.name for o in operators.operators(db, world["b"].org_id)] == [B_OPERATOR_NAME]
    assert db.get(EmploymentRequest, world["b_request"]).state == "pending"
    assert db.scalar(select(func.count()).select_from(ImportFile).where(ImportFile.org_id == world["b"].org_id)) == 2


def test_direct_links_to_b_records_are_not_found(client: Any, db: Any, freeze: Any) -> None:
    freeze("2020-02-24 09:00")
    world = _world(db)
    console_login(client, world["a"])
    assert client.get(f"/ent/employees/{world['b_employee']}/history").status_code == 404
    assert client.get(f"/ent/reports/{world['b_report']}").status_code == 404
    assert client.get(f"/ent/reports/{world['outsider_report']}").status_code == 404
    remind = client.post("/ent/health/remind", data={"employee_ids": [world["b_employee"]]},
                         headers={"HX-Request": "true"})
    assert "员工不存在或不属于本企业" in remind.text
    assert client.post("/ent/employees-delete", data={"employee_ids": [world["b_employee"]]}).status_code == 404


def test_a_resident_reporting_is_only_counted_by_employers(client: Any, db: Any, freeze: Any) -> None:
    freeze("2020-02-24 09:00")
    world = _world(db)
    console_login(client, world["a"])
    page = client.get("/ent/")
    assert 'data-testid="stat-reports">1<' in page.text and not _leaks(page.text)
    assert db.scalar(select(func.count()).select_from(HealthReport)) == 3


def test_a_government_unit_has_no_enterprise_console(client: Any, db: Any) -> None:
    gov = add_org(db, name="某局", uscc=_gov_uscc(), kind="government")
    db.commit()
    client.post("/gov/login", data={"username": gov.username, "password": gov.password})
    assert client.get("/ent/").status_code == 403
    assert client.get("/ent/employees").status_code == 403


def test_without_sign_in_the_console_sends_to_login(client: Any) -> None:
    response = client.get("/ent/health", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].endswith("/ent/login?next=/ent/health")


def _gov_uscc() -> str:
    from stdnum.cn import uscc

    body = "11350000MB0000001"
    return body + uscc.calc_check_digit(body)
