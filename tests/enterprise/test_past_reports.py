"""`record_past_reports` (the demo's history): reports of the past stored in bulk are checked as `submit` checks them,
one per person and day, and the employers' summaries and day counts agree with them afterwards, as if each report had
been submitted on its day."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from healthcode.enterprise.errors import DuplicateReport
from healthcode.enterprise.models import EnterpriseDayStat, HealthReport
from healthcode.enterprise.reports import PastReport, ReportInput, record_past_reports
from healthcode.errors import InvalidTemperature
from tests.enterprise.factories import employ, enterprise, id_number, person

DAY = date(2020, 2, 20)


def _input(temperature: str = "36.5") -> ReportInput:
    return ReportInput(temperature, ["无"], "350102", False, "日常上报")


def _at(days: int, hour: int = 8) -> datetime:
    return datetime.combine(DAY + timedelta(days=days), time(hour))


def test_given_past_reports_then_the_employees_summaries_and_day_counts_follow(db: Session) -> None:
    company = enterprise(db, 1)
    first = employ(db, company.org_id, "张三", id_number(1), _at(-1))
    employ(db, company.org_id, "李四", id_number(2), _at(-1))
    zhang, li = person(db, id_number(1)), person(db, id_number(2), "李四")
    stored = record_past_reports(db, [PastReport(zhang, _input(), _at(0)), PastReport(zhang, _input("37.5"), _at(1)),
                                      PastReport(li, _input(), _at(1, 9))])
    db.commit()
    assert stored == 3 and db.scalars(select(HealthReport.temperature).order_by(HealthReport.id)).all() == [
        36.5, 37.5, 36.5]
    counts = dict(db.execute(select(EnterpriseDayStat.day, EnterpriseDayStat.reporters)).all())
    assert counts == {DAY: 1, DAY + timedelta(days=1): 2}
    db.refresh(first)
    assert (first.report_count, first.first_report_date, first.last_report_date, first.last_reported_at) == (
        2, DAY, DAY + timedelta(days=1), _at(1))


@pytest.mark.parametrize("bad", ["same_day", "temperature"])
def test_given_a_bad_past_report_then_none_is_stored(db: Session, bad: str) -> None:
    zhang = person(db, id_number(1))
    second = PastReport(zhang, _input(), _at(0, 10)) if bad == "same_day" else PastReport(zhang, _input("45"), _at(1))
    with pytest.raises(DuplicateReport if bad == "same_day" else InvalidTemperature):
        record_past_reports(db, [PastReport(zhang, _input(), _at(0)), second])
    db.rollback()
    assert db.scalars(select(HealthReport)).all() == []
