"""Factories for the enterprise tests: enterprises through the real add_org, valid ID numbers and USCCs, residents,
reports through the real service, and a console sign-in with a TestClient."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy.orm import Session
from stdnum.cn import ric, uscc

from healthcode.enterprise import reports
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


def person(db: Session, number: str, name: str = "张三") -> Person:
    found = Person(id_number=number, name=name, created_at=datetime(2020, 2, 1))
    db.add(found)
    db.flush()
    return found


def report(db: Session, who: Person, day: date, *, hour: int = 9, temperature: str = "36.5",
           symptoms: tuple[str, ...] = ("无",), report_type: str = "日常上报", employer: str = "") -> Any:
    data = reports.ReportInput(temperature, list(symptoms), "350102", False, report_type, employer)
    return reports.submit(db, who, data, datetime.combine(day, time(hour))).report


def days_back(start: date, n: int) -> list[date]:
    return [start - timedelta(days=i) for i in range(n)]


def console_login(client: Any, created: Created) -> None:
    response = client.post("/gov/login", data={"username": created.username, "password": created.password})
    assert response.status_code == 200, response.text
    assert "/ent/" in str(response.url), str(response.url)
