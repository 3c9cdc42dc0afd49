"""What the enterprise console reads: the 企业看板 (totals as of yesterday, the daily trend, report details) and the
员工健康管理 table; paging and the parsing of the query forms."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Generic, TypeVar

from sqlalchemy.orm import Session

from healthcode.enterprise import repository, service
from healthcode.enterprise.errors import InvalidReportType, ReportNotFound
from healthcode.enterprise.models import REPORT_TYPES, Employee, HealthReport
from healthcode.enterprise.repository import EmployeeFilter, ReportFilter
from healthcode.errors import InvalidDate, InvalidStatus

T = TypeVar("T")
PAGE_SIZE = 20
TREND_DAYS = 30


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.page_size))

    @property
    def first_index(self) -> int:
        return (self.page - 1) * self.page_size + 1


def parse_date(value: str | None, label: str) -> date | None:
    text = (value or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        raise InvalidDate(f"{label}格式应为 YYYY-MM-DD") from None


def report_filter(name: str = "", id_number: str = "", date_from: str = "", date_to: str = "",
                  report_type: str = "") -> ReportFilter:
    start, end = parse_date(date_from, "开始日期"), parse_date(date_to, "结束日期")
    if start and end and start > end:
        raise InvalidDate("开始日期不能晚于结束日期")
    if report_type and report_type not in REPORT_TYPES:
        raise InvalidReportType()
    return ReportFilter(name.strip() or None, id_number.strip().upper() or None, start, end, report_type or None)


def employee_filter(today: date, name: str = "", id_number: str = "", date_from: str = "", date_to: str = "",
                    status: str = "") -> EmployeeFilter:
    start, end = parse_date(date_from, "开始日期"), parse_date(date_to, "结束日期")
    if start and end and start > end:
        raise InvalidDate("开始日期不能晚于结束日期")
    if status not in ("", "reported", "unreported"):
        raise InvalidStatus("上报状态无效")
    return EmployeeFilter(name.strip() or None, id_number.strip().upper() or None, start, end, status or None, today)


# ---- 企业看板 -----------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Summary:
    as_of: date
    employees: int
    reporters: int
    reports: int
    claimed: int  # residents naming the enterprise on a report who are not yet its employees


@dataclass(frozen=True)
class TrendPoint:
    day: date
    reporters: int
    share: float  # of the current employees, 0..1


def summary(session: Session, org_id: int, today: date) -> Summary:
    yesterday = today - timedelta(days=1)
    return Summary(yesterday, repository.count_employees(session, org_id),
                   repository.reporters_until(session, org_id, yesterday),
                   repository.reports_until(session, org_id, yesterday), service.claimed_count(session, org_id))


def trend(session: Session, org_id: int, today: date, days: int = TREND_DAYS,
          employees: int | None = None) -> list[TrendPoint]:
    end = today - timedelta(days=1)
    start = end - timedelta(days=days - 1)
    counts = repository.day_stats(session, org_id, start, end)
    total = repository.count_employees(session, org_id) if employees is None else employees
    points = []
    for i in range(days):
        day = start + timedelta(days=i)
        n = counts.get(day, 0)
        points.append(TrendPoint(day, n, (n / total) if total else 0.0))
    return points


@dataclass(frozen=True)
class ReportRow:
    report: HealthReport
    employee_id: int
    employee_name: str


def reports(session: Session, org_id: int, f: ReportFilter, page: int, page_size: int = PAGE_SIZE) -> Page[ReportRow]:
    page = max(1, page)
    rows = repository.org_reports(session, org_id, f, offset=(page - 1) * page_size, limit=page_size)
    return Page([ReportRow(*r) for r in rows], repository.count_org_reports(session, org_id, f), page, page_size)


def report_detail(session: Session, org_id: int, report_id: int) -> ReportRow:
    found = repository.org_report(session, org_id, report_id)
    if found is None:
        raise ReportNotFound()
    return ReportRow(*found)


def employee_history(session: Session, org_id: int, employee_id: int, page: int,
                     page_size: int = PAGE_SIZE) -> tuple[Employee, Page[HealthReport]]:
    """查看历史记录: one employee's reports, newest first (only while they are this enterprise's employee)."""
    employee = service.get_employee(session, org_id, employee_id)
    page = max(1, page)
    items = repository.reports_of_person(session, employee.id_number, limit=page_size, offset=(page - 1) * page_size)
    return employee, Page(items, repository.count_reports_of_person(session, employee.id_number), page, page_size)


# ---- 员工健康管理 / 企业员工管理 ----------------------------------------------------------------------------------
def employees(session: Session, org_id: int, f: EmployeeFilter, page: int,
              page_size: int = PAGE_SIZE) -> Page[Employee]:
    page = max(1, page)
    items = repository.employees(session, org_id, f, offset=(page - 1) * page_size, limit=page_size)
    return Page(items, repository.count_employees(session, org_id, f), page, page_size)
