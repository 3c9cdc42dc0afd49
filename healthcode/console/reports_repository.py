"""Queries of 数据报表: the daily aggregation of scans into report_daily_stats, and reads of the aggregates."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Integer, Row, case, cast, delete, extract, func, insert, literal, select
from sqlalchemy.orm import Session

from healthcode.checkpoints.models import Scan, ScanPoint
from healthcode.console.models import DailyStat, ReportBuild


def _hour(session: Session) -> Any:
    if session.get_bind().dialect.name == "sqlite":
        return cast(func.strftime("%H", Scan.at), Integer)
    return cast(extract("hour", Scan.at), Integer)


def rebuild_day(session: Session, day: date) -> int:
    """Replaces the day's aggregates with counts from the scans (one INSERT … SELECT … GROUP BY)."""
    start = datetime.combine(day, time.min)
    hour = _hour(session).label("hour")
    counts = (
        select(literal(day).label("day"), Scan.org_id, Scan.point_id, hour, func.count().label("scans"),
               func.sum(case((Scan.color == "orange", 1), else_=0)).label("orange"),
               func.sum(case((Scan.temperature_result == "abnormal", 1), else_=0)).label("abnormal"))
        .where(Scan.at >= start, Scan.at < start + timedelta(days=1))
        .group_by(Scan.org_id, Scan.point_id, hour)
    )
    session.execute(delete(DailyStat).where(DailyStat.day == day))
    session.execute(insert(DailyStat).from_select(
        ["day", "org_id", "point_id", "hour", "scans", "orange", "abnormal"], counts))
    return session.scalar(select(func.count()).select_from(DailyStat).where(DailyStat.day == day)) or 0


def build_of(session: Session, day: date, *, fresh: bool = False) -> ReportBuild | None:
    """The day's build record; `fresh` reads it again from the database, not from the session."""
    return session.get(ReportBuild, day, populate_existing=fresh)


BUILD_LOCK = 0x68635F7270  # PostgreSQL advisory lock key of the report builds ("hc_rp")


def lock_builds(session: Session) -> None:
    """PostgreSQL: waits until no other transaction is building reports, and holds that turn until this one ends.
    (SQLite's transactions take the write lock at their start: one at a time already.)"""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(BUILD_LOCK)))


def mark_built(session: Session, day: date, at: datetime, rows: int) -> None:
    row = session.get(ReportBuild, day)
    if row is None:
        session.add(ReportBuild(day=day, built_at=at, rows=rows))
    else:
        row.built_at, row.rows = at, rows
    session.flush()


def by_hour(session: Session, org_ids: Collection[int], day: date) -> dict[int, tuple[int, int, int]]:
    rows = session.execute(
        select(DailyStat.hour, func.sum(DailyStat.scans), func.sum(DailyStat.orange), func.sum(DailyStat.abnormal))
        .where(DailyStat.org_id.in_(list(org_ids)), DailyStat.day == day).group_by(DailyStat.hour)
    ).all()
    return {int(h): (int(s or 0), int(o or 0), int(a or 0)) for h, s, o, a in rows}


def by_point(session: Session, org_id: int, day: date) -> Sequence[Row[int, str, str, int, int, int]]:
    return session.execute(
        select(ScanPoint.id, ScanPoint.community, ScanPoint.name, func.sum(DailyStat.scans).label("scans"),
               func.sum(DailyStat.orange).label("orange"), func.sum(DailyStat.abnormal).label("abnormal"))
        .join(ScanPoint, ScanPoint.id == DailyStat.point_id)
        .where(DailyStat.org_id == org_id, DailyStat.day == day)
        .group_by(ScanPoint.id, ScanPoint.community, ScanPoint.name).order_by(ScanPoint.community, ScanPoint.name)
    ).all()


def by_org(session: Session, org_ids: Collection[int], first: date,
           last: date) -> Sequence[tuple[int, date, int, int, int]]:
    """(org_id, day, scans, orange, abnormal) of each organisation and day in [first, last]."""
    return session.execute(
        select(DailyStat.org_id, DailyStat.day, func.sum(DailyStat.scans), func.sum(DailyStat.orange),
               func.sum(DailyStat.abnormal))
        .where(DailyStat.org_id.in_(list(org_ids)), DailyStat.day >= first, DailyStat.day <= last)
        .group_by(DailyStat.org_id, DailyStat.day)
    ).all()


def live_totals(session: Session, org_id: int, since: datetime, until: datetime) -> tuple[int, int, int]:
    """(scans, orange, abnormal) at the unit's points in [since, until], counted from the scans themselves (one range
    of index ix_scans_org_at): the home page's figures of today, current to the moment."""
    row = session.execute(
        select(func.count(), func.sum(case((Scan.color == "orange", 1), else_=0)),
               func.sum(case((Scan.temperature_result == "abnormal", 1), else_=0)))
        .where(Scan.org_id == org_id, Scan.at >= since, Scan.at <= until)
    ).one()
    return int(row[0] or 0), int(row[1] or 0), int(row[2] or 0)
