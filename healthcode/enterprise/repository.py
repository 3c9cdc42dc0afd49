"""Queries on employees, health reports and the per-day report counts. Reports are only ever read through an
enterprise's employee rows (or by the resident's own ID number): that join is the privacy boundary."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, and_, delete, func, insert, literal, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from healthcode.enterprise.models import Employee, EnterpriseDayStat, EnterpriseProfile, HealthReport
from healthcode.orgs.audit_models import DataAccess
from healthcode.residents.models import Person

CHUNK = 500


# ---- employees -------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class EmployeeFilter:
    name: str | None = None
    id_number: str | None = None
    reported_from: date | None = None  # on the latest report's date
    reported_to: date | None = None
    status: str | None = None  # "reported" / "unreported" (today)
    today: date | None = None


def _employee_query(org_id: int, f: EmployeeFilter) -> Select[Any]:
    query = select(Employee).where(Employee.org_id == org_id)
    if f.name:
        query = query.where(Employee.name.contains(f.name, autoescape=True))
    if f.id_number:
        query = query.where(Employee.id_number.contains(f.id_number, autoescape=True))
    if f.reported_from:
        query = query.where(Employee.last_report_date >= f.reported_from)
    if f.reported_to:
        query = query.where(Employee.last_report_date <= f.reported_to)
    if f.status == "reported":
        query = query.where(Employee.last_report_date == f.today)
    elif f.status == "unreported":
        query = query.where(or_(Employee.last_report_date.is_(None), Employee.last_report_date != f.today))
    return query


def employees(session: Session, org_id: int, f: EmployeeFilter, *, offset: int, limit: int | None) -> list[Employee]:
    query = _employee_query(org_id, f).order_by(Employee.id).offset(offset)
    if limit is not None:
        query = query.limit(limit)
    return list(session.scalars(query))


def count_employees(session: Session, org_id: int, f: EmployeeFilter | None = None) -> int:
    query = _employee_query(org_id, f or EmployeeFilter()).with_only_columns(func.count()).order_by(None)
    return session.scalar(query) or 0


def employee(session: Session, org_id: int, employee_id: int) -> Employee | None:
    return session.scalars(select(Employee).where(Employee.id == employee_id, Employee.org_id == org_id)).first()


def employees_by_ids(session: Session, org_id: int, ids: Sequence[int]) -> list[Employee]:
    found: list[Employee] = []
    for start in range(0, len(ids), CHUNK):
        found += session.scalars(
            select(Employee).where(Employee.org_id == org_id, Employee.id.in_(ids[start:start + CHUNK]))
        )
    return found


def employee_by_id_number(session: Session, org_id: int, id_number: str) -> Employee | None:
    return session.scalars(
        select(Employee).where(Employee.org_id == org_id, Employee.id_number == id_number)
    ).first()


def employee_ids(session: Session, org_id: int, id_numbers: Sequence[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for start in range(0, len(id_numbers), CHUNK):
        found.update({r[0]: r[1] for r in session.execute(
            select(Employee.id_number, Employee.id)
            .where(Employee.org_id == org_id, Employee.id_number.in_(id_numbers[start:start + CHUNK])))})
    return found


def reset_summaries(session: Session, org_id: int) -> list[str]:
    """Clears every employee's report summary; the ID numbers of the enterprise's employees."""
    session.execute(update(Employee).where(Employee.org_id == org_id).values(
        report_count=0, first_report_date=None, last_report_date=None, last_reported_at=None))
    return list(session.scalars(select(Employee.id_number).where(Employee.org_id == org_id)))


def registered_names(session: Session, id_numbers: Sequence[str]) -> dict[str, str]:
    """The real names of the residents among the ID numbers who are registered on the platform."""

    found: dict[str, str] = {}
    for start in range(0, len(id_numbers), CHUNK):
        found.update({r[0]: r[1] for r in session.execute(
            select(Person.id_number, Person.name).where(Person.id_number.in_(id_numbers[start:start + CHUNK])))})
    return found


def existing_id_numbers(session: Session, org_id: int) -> set[str]:
    return set(session.scalars(select(Employee.id_number).where(Employee.org_id == org_id)))


def employers_of(session: Session, id_number: str) -> list[Employee]:
    return list(session.scalars(select(Employee).where(Employee.id_number == id_number)))


def insert_employees(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    for start in range(0, len(rows), 5000):
        session.execute(insert(Employee), list(rows[start:start + 5000]))


def delete_employees(session: Session, org_id: int, ids: Sequence[int]) -> None:
    for start in range(0, len(ids), CHUNK):
        session.execute(delete(Employee).where(Employee.org_id == org_id, Employee.id.in_(ids[start:start + CHUNK])))


def mark_reminded(session: Session, ids: Sequence[int], day: date) -> None:
    for start in range(0, len(ids), CHUNK):
        session.execute(update(Employee).where(Employee.id.in_(ids[start:start + CHUNK])).values(last_reminded_on=day))


def profile(session: Session, org_id: int) -> EnterpriseProfile | None:
    return session.get(EnterpriseProfile, org_id)


# ---- reports ---------------------------------------------------------------------------------------------------
def insert_reports(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    for start in range(0, len(rows), 5000):
        session.execute(insert(HealthReport), list(rows[start:start + 5000]))


def report_of_day(session: Session, id_number: str, day: date) -> HealthReport | None:
    return session.scalars(
        select(HealthReport).where(HealthReport.id_number == id_number, HealthReport.report_date == day)
    ).first()


def reports_of_person(session: Session, id_number: str, *, limit: int, offset: int = 0) -> list[HealthReport]:
    return list(session.scalars(
        select(HealthReport).where(HealthReport.id_number == id_number)
        .order_by(HealthReport.report_date.desc()).limit(limit).offset(offset)
    ))


def count_reports_of_person(session: Session, id_number: str) -> int:
    return session.scalar(select(func.count()).where(HealthReport.id_number == id_number)) or 0


@dataclass(frozen=True)
class ReportFilter:
    name: str | None = None
    id_number: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    report_type: str | None = None

    @property
    def only_dates(self) -> bool:
        return not (self.name or self.id_number or self.report_type)


def _org_reports(org_id: int, f: ReportFilter) -> Select:  # type: ignore[type-arg]
    query = (select(HealthReport, Employee.id, Employee.name)
             .join(Employee, and_(Employee.id_number == HealthReport.id_number, Employee.org_id == org_id)))
    if f.name:
        query = query.where(Employee.name.contains(f.name, autoescape=True))
    if f.id_number:
        query = query.where(Employee.id_number.contains(f.id_number, autoescape=True))
    if f.date_from:
        query = query.where(HealthReport.report_date >= f.date_from)
    if f.date_to:
        query = query.where(HealthReport.report_date <= f.date_to)
    if f.report_type:
        query = query.where(HealthReport.report_type == f.report_type)
    return query


def org_reports(session: Session, org_id: int, f: ReportFilter, *, offset: int,
                limit: int | None) -> list[tuple[HealthReport, int, str]]:
    """A page of the enterprise's reports, newest first. Without name/ID/type filters the page is found day by day
    from the per-day counts, so that a 50,000-employee enterprise never sorts its millions of reports."""
    if f.only_dates and limit is not None:
        return _org_reports_by_day(session, org_id, f, offset, limit)
    query = _org_reports(org_id, f).order_by(HealthReport.reported_at.desc(), HealthReport.id.desc()).offset(offset)
    if limit is not None:
        query = query.limit(limit)
    return [(r[0], r[1], r[2]) for r in session.execute(query)]


def _org_reports_by_day(session: Session, org_id: int, f: ReportFilter, offset: int,
                        limit: int) -> list[tuple[HealthReport, int, str]]:
    query = select(EnterpriseDayStat.day, EnterpriseDayStat.reporters).where(
        EnterpriseDayStat.org_id == org_id, EnterpriseDayStat.reporters > 0)
    if f.date_from:
        query = query.where(EnterpriseDayStat.day >= f.date_from)
    if f.date_to:
        query = query.where(EnterpriseDayStat.day <= f.date_to)
    found: list[tuple[HealthReport, int, str]] = []
    skip = offset
    for day, count in session.execute(query.order_by(EnterpriseDayStat.day.desc())):
        if skip >= count:
            skip -= count
            continue
        take = min(limit - len(found), count - skip)
        found += _day_page(session, org_id, day, skip, take)
        skip = 0
        if len(found) >= limit:
            break
    return found


def _day_page(session: Session, org_id: int, day: date, offset: int, limit: int) -> list[tuple[HealthReport, int, str]]:
    """First walks the day's newest reports across the platform (cheap when the enterprise is a good share of them);
    when that window holds too few of the enterprise's reports, goes through the enterprise's own employees."""
    order = (HealthReport.reported_at.desc(), HealthReport.id.desc())
    window = (select(HealthReport.id).where(HealthReport.report_date == day).order_by(*order)
              .limit(max(200, (offset + limit) * 8)).subquery())
    walk = (_org_reports(org_id, ReportFilter()).join(window, window.c.id == HealthReport.id)
            .order_by(*order).offset(offset).limit(limit))
    rows = [(r[0], r[1], r[2]) for r in session.execute(walk)]
    if len(rows) == limit:
        return rows
    own = (_org_reports(org_id, ReportFilter(date_from=day, date_to=day)).order_by(*order)
           .offset(offset).limit(limit))
    return [(r[0], r[1], r[2]) for r in session.execute(own)]


def iter_org_reports(session: Session, org_id: int, f: ReportFilter) -> Iterable[tuple[HealthReport, int, str]]:
    query = _org_reports(org_id, f).order_by(HealthReport.report_date, Employee.id)
    for row in session.execute(query.execution_options(yield_per=2000)):
        yield row[0], row[1], row[2]


def count_org_reports(session: Session, org_id: int, f: ReportFilter) -> int:
    if f.only_dates:
        # One report per employee per day: the day counts hold the answer without the join over millions of rows.
        return day_stat_sum(session, org_id, f.date_from, f.date_to)
    return session.scalar(_org_reports(org_id, f).with_only_columns(func.count()).order_by(None)) or 0


def org_report(session: Session, org_id: int, report_id: int) -> tuple[HealthReport, int, str] | None:
    row = session.execute(_org_reports(org_id, ReportFilter()).where(HealthReport.id == report_id)).first()
    return (row[0], row[1], row[2]) if row else None


# ---- summaries kept on employees and per day ---------------------------------------------------------------------
def person_summaries(session: Session, id_numbers: Sequence[str]) -> dict[str, tuple[int, date, date, datetime]]:
    """Per ID number: (report count, first day, last day, last report time). The aggregate reads the (id_number,
    report_date) index only; the time comes from one lookup of the last day's row, not from every report."""
    found: dict[str, tuple[int, date, date, datetime]] = {}
    for start in range(0, len(id_numbers), CHUNK):
        rows = session.execute(
            select(HealthReport.id_number, func.count(), func.min(HealthReport.report_date),
                   func.max(HealthReport.report_date))
            .where(HealthReport.id_number.in_(id_numbers[start:start + CHUNK])).group_by(HealthReport.id_number)
        ).all()
        if not rows:
            continue
        by_day: dict[date, list[str]] = {}
        for r in rows:
            by_day.setdefault(r[3], []).append(r[0])
        times: dict[str, datetime] = {}
        for day, numbers in by_day.items():  # usually one or two days: most people last reported yesterday or today
            times.update((number, at) for number, at in session.execute(
                select(HealthReport.id_number, HealthReport.reported_at)
                .where(HealthReport.report_date == day, HealthReport.id_number.in_(numbers))
            ))
        found.update({r[0]: (r[1], r[2], r[3], times[r[0]]) for r in rows})
    return found


def update_employees(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Bulk update by primary key (`id` in each dict)."""
    if rows:
        session.execute(update(Employee), list(rows))


def day_counts(session: Session, id_numbers: Sequence[str]) -> dict[date, int]:
    counts: dict[date, int] = {}
    for start in range(0, len(id_numbers), CHUNK):
        for day, n in session.execute(
            select(HealthReport.report_date, func.count())
            .where(HealthReport.id_number.in_(id_numbers[start:start + CHUNK])).group_by(HealthReport.report_date)
        ):
            counts[day] = counts.get(day, 0) + n
    return counts


def shift_day_stats(session: Session, org_id: int, deltas: dict[date, int]) -> None:
    """Adds each delta to the enterprise's count of that day, atomically (concurrent reports of one day)."""
    rows = [{"org_id": org_id, "day": d, "reporters": n} for d, n in deltas.items() if n]
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    ins = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(EnterpriseDayStat)
    stmt = ins.on_conflict_do_update(
        index_elements=["org_id", "day"], set_={"reporters": EnterpriseDayStat.reporters + ins.excluded.reporters}
    )
    session.execute(stmt, rows)


def day_stats(session: Session, org_id: int, start: date, end: date) -> dict[date, int]:
    rows = session.execute(
        select(EnterpriseDayStat.day, EnterpriseDayStat.reporters)
        .where(EnterpriseDayStat.org_id == org_id, EnterpriseDayStat.day >= start, EnterpriseDayStat.day <= end)
    ).all()
    return {r[0]: r[1] for r in rows}


def day_stat_sum(session: Session, org_id: int, start: date | None, end: date | None) -> int:
    query = select(func.coalesce(func.sum(EnterpriseDayStat.reporters), 0)).where(EnterpriseDayStat.org_id == org_id)
    if start:
        query = query.where(EnterpriseDayStat.day >= start)
    if end:
        query = query.where(EnterpriseDayStat.day <= end)
    return int(session.scalar(query) or 0)


def clear_day_stats(session: Session, org_id: int) -> None:
    session.execute(delete(EnterpriseDayStat).where(EnterpriseDayStat.org_id == org_id))


def reporters_until(session: Session, org_id: int, day: date) -> int:
    return session.scalar(
        select(func.count()).where(Employee.org_id == org_id, Employee.first_report_date <= day)
    ) or 0


def reports_until(session: Session, org_id: int, day: date) -> int:
    return day_stat_sum(session, org_id, None, day)


# ---- access log of exports -----------------------------------------------------------------------------------------
def _log_people(session: Session, id_numbers: Select[Any], entry: dict[str, Any]) -> None:
    """One access-log row per registered person among `id_numbers` (INSERT ... SELECT: no rows through Python), so
    that each resident sees in his own access log that the enterprise exported his data."""
    keys = ("account_id", "username", "org_id", "subject", "purpose", "at")
    rows = select(*(literal(entry[k]).label(k) for k in keys), Person.id.label("person_id")).where(
        Person.id_number.in_(id_numbers))
    session.execute(insert(DataAccess).from_select([*keys, "person_id"], rows))


def log_report_export(session: Session, org_id: int, f: ReportFilter, entry: dict[str, Any]) -> None:
    _log_people(session, _org_reports(org_id, f).with_only_columns(Employee.id_number).distinct(), entry)


def log_employee_export(session: Session, org_id: int, f: EmployeeFilter, entry: dict[str, Any]) -> None:
    _log_people(session, _employee_query(org_id, f).with_only_columns(Employee.id_number), entry)
