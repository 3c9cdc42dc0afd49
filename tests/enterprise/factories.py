"""Factories for the enterprise tests: enterprises through the real add_org, valid ID numbers and USCCs, residents,
reports through the real service, and a console sign-in with a TestClient."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from stdnum.cn import ric, uscc

from healthcode.enterprise import consent, reports, service
from healthcode.enterprise.models import Employee
from healthcode.orgs.service import Created, add_org
from healthcode.residents.models import Person


def id_number(n: int, born: str = "19850315", area: str = "350102") -> str:
    body = f"{area}{born}{n % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")


def uscc_code(n: int) -> str:
    body = f"91350100MA{n:07d}"
    return body + uscc.calc_check_digit(body)


def enterprise(db: Session, n: int = 1, name: str | None = None) -> Created:
    created = add_org(db, name=name or f"测试企业{n}", uscc=uscc_code(n), kind="enterprise",
                      now=datetime(2020, 2, 1, 8, 0))
    db.commit()
    return created


def registered(db: Session, n: int, name: str, *, operator: str, legal: str, verified: bool = True,
               password: str = "Abc12345!x") -> int:
    """An enterprise through 企业法人注册 (legal representative `legal`, operator `operator`, by ID number); verified
    by the legal representative's SMS code unless `verified` is False. Returns the org id."""
    from healthcode.enterprise import registration, verification

    done = registration.register(db, registration.Registration(
        name=name, uscc=uscc_code(n), legal_name="陈法人", legal_phone="13900000009", legal_id_number=legal,
        operator_name="王经办", operator_id_number=operator, operator_phone="13900000008", password=password,
        confirm_password=password), datetime(2020, 2, 1, 8, 0))
    assert isinstance(done, registration.Registered), done
    if verified:
        org, profile = verification.pending(db, done.org_id)
        verification.mark_verified(org, profile, verification.VIA_SMS, datetime(2020, 2, 1, 8, 5))
    db.commit()
    return done.org_id


def person(db: Session, number: str, name: str = "张三") -> Person:
    """The resident of the ID number (an existing one is reused: `employ` may have registered him already)."""
    found = db.scalars(select(Person).where(Person.id_number == number)).first()
    if found is not None:
        return found
    found = Person(id_number=number, name=name, created_at=datetime(2020, 2, 1))
    db.add(found)
    db.flush()
    return found


def employ(db: Session, org_id: int, name: str, number: str, when: datetime, phone: str = "") -> Employee:
    """An employee as the console knows one: the enterprise adds him (a pending request) and the resident, signed in,
    accepts it in the citizen portal."""
    request = service.add_employee(db, org_id, service.EmployeeInput(name, number, phone), when)
    consent.decide(db, person(db, number, name), request.id, "accept", when)
    employee = db.scalars(select(Employee).where(Employee.org_id == org_id, Employee.id_number == number)).one()
    return employee


def report(db: Session, who: Person, day: date, *, hour: int = 9, temperature: str = "36.5",
           symptoms: tuple[str, ...] = ("无",), report_type: str = "日常上报", employer: str = "") -> Any:
    data = reports.ReportInput(temperature, list(symptoms), "350102", False, report_type, employer)
    return reports.submit(db, who, data, datetime.combine(day, time(hour))).report


def sms_code(db: Session, phone: str) -> str:
    """The latest code texted to the phone (the development outbox)."""
    import re

    from sqlalchemy import select

    from healthcode.messages.models import SmsOutbox

    body = db.scalars(select(SmsOutbox.body).where(SmsOutbox.phone == phone).order_by(SmsOutbox.id.desc())).first()
    db.rollback()  # end the read, so the test's session sees what the requests commit next
    found = re.search(r"验证码为(\d{6})", body or "")
    assert found is not None, body
    return found.group(1)


def days_back(start: date, n: int) -> list[date]:
    return [start - timedelta(days=i) for i in range(n)]


def console_login(client: Any, created: Created) -> None:
    response = client.post("/gov/login", data={"username": created.username, "password": created.password})
    assert response.status_code == 200, response.text
    assert "/ent/" in str(response.url), str(response.url)


def realname_login(client: Any, id_number: str, password: str = "Passw0rd") -> Any:
    """The login page's 【个人实名认证登录】 through the development identity provider (password, then face step);
    returns the page the flow ends on (the console, the choice of enterprises, or 企业信息关联)."""
    page = client.get("/ent/realname/login")
    assert "/dev-idp/authorize" in str(page.url), page.text
    step = client.post(str(page.url), data={"step": "password", "id_number": id_number, "password": password})
    assert step.status_code == 200, step.text
    return client.post(str(page.url), data={"step": "face"})


def operator_login(client: Any, db: Session, created: Created, number: str, name: str) -> None:
    """Signs a person in to an enterprise's console as an operator added by the enterprise (经办人管理)."""
    from healthcode.enterprise import operators
    from healthcode.identity.devprovider import add_dev_account

    operators.add_operator(db, created.org_id, name, number, "测试管理员", datetime(2020, 2, 1, 8, 0))
    add_dev_account(db, number, name, "Passw0rd", level="L4")
    db.commit()
    response = realname_login(client, number)
    assert response.status_code == 200 and str(response.url).endswith("/ent/"), (response.url, response.text)
