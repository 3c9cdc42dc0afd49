"""A double-tapped 提交 of today's health report (the morning rush): the second request's look-up missed, its insert
meets the first one's row (unique person and day). It corrects that report, as it would a moment later, instead of
failing with a 500; the employer's counts stay those of one report. Played deterministically (tests/races.py)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from healthcode.db import session_factory
from healthcode.enterprise import reports, repository
from healthcode.enterprise.models import HealthReport
from tests.enterprise.factories import employ, enterprise, person
from tests.enterprise.test_citizen_side import FORM
from tests.identity.flow import ZHANG, make_account, sign_in
from tests.races import miss_once

DAY = date(2020, 2, 24)
WINNER = reports.ReportInput("36.6", ["无"], "350102", False, "日常上报")


def reports_today(db: Session) -> int:
    db.rollback()  # a fresh snapshot: the app committed in its own transactions
    return db.scalar(select(func.count()).select_from(HealthReport).where(HealthReport.report_date == DAY)) or 0


def test_given_todays_report_committed_meanwhile_then_submit_corrects_it_and_counts_it_once(
    engine: Any, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    org = enterprise(db)
    resident = person(db, ZHANG)
    employ(db, org.org_id, "张三", ZHANG, datetime(2020, 2, 1))
    first = reports.submit(db, resident, WINNER, datetime(2020, 2, 24, 8)).report.id
    db.commit()
    missed = miss_once(monkeypatch, repository, "report_of_day")
    with session_factory(engine)() as session, session.begin():
        done = reports.submit(session, session.merge(resident), reports.ReportInput(
            "37.9", ["发热"], "350102", False, "日常上报"), datetime(2020, 2, 24, 8, 1))
        assert missed and done.corrected and done.report.id == first
    assert reports_today(db) == 1
    stored = db.get(HealthReport, first)
    assert stored is not None and (stored.temperature, stored.corrections) == (37.9, 1)
    employee = repository.employee_by_id_number(db, org.org_id, ZHANG)
    assert employee is not None and employee.report_count == 1
    assert employee.last_reported_at == datetime(2020, 2, 24, 8, 1)
    assert repository.day_stats(db, org.org_id, DAY, DAY) == {DAY: 1}


def test_given_a_double_tap_then_the_report_page_and_the_api_answer_normally(
    client: Any, db: Session, freeze: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    freeze("2020-02-24 09:00")
    make_account(db)
    assert sign_in(client).status_code == 200
    assert client.post("/citizen/report", data=FORM).status_code == 200  # the first tap, committed
    missed = miss_once(monkeypatch, repository, "report_of_day")
    page = client.post("/citizen/report", data=FORM, follow_redirects=False)
    assert page.status_code == 303 and missed and reports_today(db) == 1
    missed = miss_once(monkeypatch, repository, "report_of_day")
    body = {"temperature": "36.7", "symptoms": ["无"], "location_code": "350102", "report_type": "日常上报"}
    created = client.post("/api/v1/me/reports", json=body)
    assert created.status_code == 201 and created.json()["corrected"] is True and missed
    assert created.json()["corrections"] == 2 and reports_today(db) == 1
