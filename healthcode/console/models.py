"""Tables of the government console: the daily report aggregates (which outlive the scans they count, purged after
28 days) and when each day's were built."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Index, Integer, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from healthcode.db import Base


class DailyStat(Base):
    """Scans of one hour of one day at one scan point: the unit of every report and roll-up."""

    __tablename__ = "report_daily_stats"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id"))
    point_id: Mapped[int] = mapped_column(ForeignKey("scan_points.id"))
    hour: Mapped[int] = mapped_column(Integer)
    scans: Mapped[int] = mapped_column(Integer)
    orange: Mapped[int] = mapped_column(Integer)
    abnormal: Mapped[int] = mapped_column(Integer)

    __table_args__ = (UniqueConstraint("day", "org_id", "point_id", "hour", name="uq_report_daily_stats_key"),
                      Index("ix_report_daily_stats_org_day", "org_id", "day"))


class ReportBuild(Base):
    """When a day's aggregates were last computed."""

    __tablename__ = "report_builds"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    built_at: Mapped[datetime] = mapped_column(DateTime)
    rows: Mapped[int] = mapped_column(Integer)
