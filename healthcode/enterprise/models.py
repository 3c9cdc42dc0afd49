"""Enterprise tables: the enterprise's profile, its employees, residents' daily health reports, daily report counts."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, Float, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from healthcode.db import Base, bytewise

SYMPTOMS = ("发热", "乏力", "干咳", "咽痛", "腹泻", "结膜充血", "无")
NO_SYMPTOM = "无"
REPORT_TYPES = ("日常上报", "返岗上报", "返乡上报")


class EnterpriseProfile(Base):
    """企业基本信息 beyond the Org row (name and USCC live there): the legal representative and who registered it."""

    __tablename__ = "enterprise_profiles"

    org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"), primary_key=True)
    legal_name: Mapped[str] = mapped_column(String(64))
    legal_phone: Mapped[str] = mapped_column(String(20))
    operator_name: Mapped[str | None] = mapped_column(String(64))
    operator_id_number: Mapped[str | None] = mapped_column(bytewise(18), index=True)
    operator_phone: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    # The legal representative's ID number (self-registration): their L4 real-name sign-in verifies the enterprise.
    legal_id_number: Mapped[str | None] = mapped_column(bytewise(18))
    verified_at: Mapped[datetime | None] = mapped_column(DateTime)
    verified_via: Mapped[str | None] = mapped_column(String(16))  # sms / realname


class Employee(Base):
    """An enterprise's employee, linked to the resident by ID number. The report_* columns summarise the resident's
    health reports, kept up to date when a report arrives or the employee is added, so that the console's tables and
    totals read 50,000 employees without touching millions of reports."""

    __tablename__ = "employees"
    __table_args__ = (
        UniqueConstraint("org_id", "id_number", name="uq_employees_org_id_number"),
        Index("ix_employees_id_number", "id_number"),
        # Paging in id order, and the 健康上报人数 total (first report on or before yesterday), read the index only.
        Index("ix_employees_org_page", "org_id", "id"),
        Index("ix_employees_org_first_report", "org_id", "first_report_date"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(64))
    id_number: Mapped[str] = mapped_column(bytewise(18))
    phone: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    report_count: Mapped[int] = mapped_column(Integer, default=0)
    first_report_date: Mapped[date | None] = mapped_column(Date)
    last_report_date: Mapped[date | None] = mapped_column(Date)
    last_reported_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_reminded_on: Mapped[date | None] = mapped_column(Date)


EMPLOYMENT_STATES = ("pending", "confirmed", "refused", "ended", "withdrawn")


class EmploymentRequest(Base):
    """The consent behind an employee row: an enterprise asks (新增 / 批量导入) or the resident names the enterprise on
    a report (同步员工信息), and the resident confirms or refuses in the citizen portal. An `employees` row exists only
    while the link is confirmed, so every enterprise-side read through that table sees confirmed employees only.
    States: pending, confirmed, refused (by the resident), ended (by the resident, after confirming), withdrawn
    (by the enterprise: deleted)."""

    __tablename__ = "employment_requests"
    __table_args__ = (
        UniqueConstraint("org_id", "id_number", name="uq_employment_requests_org_id_number"),
        Index("ix_employment_requests_id_number", "id_number"),
        Index("ix_employment_requests_org_state", "org_id", "state"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(64))  # as the enterprise typed it (or the resident's real name)
    id_number: Mapped[str] = mapped_column(bytewise(18))
    phone: Mapped[str | None] = mapped_column(String(20))
    state: Mapped[str] = mapped_column(String(12))
    requested_by: Mapped[str] = mapped_column(String(12))  # enterprise / resident
    requested_at: Mapped[datetime] = mapped_column(DateTime)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)


class HealthReport(Base):
    """A resident's health report of one day; a second report the same day corrects the first (the latest wins)."""

    __tablename__ = "health_reports"
    __table_args__ = (
        UniqueConstraint("id_number", "report_date", name="uq_health_reports_person_day"),
        # A day's reports newest first: the dashboard's detail table walks it (repository.org_reports).
        Index("ix_health_reports_day_time", "report_date", "reported_at", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    id_number: Mapped[str] = mapped_column(bytewise(18))
    name: Mapped[str] = mapped_column(String(64))
    report_date: Mapped[date] = mapped_column(Date)
    reported_at: Mapped[datetime] = mapped_column(DateTime)
    temperature: Mapped[float] = mapped_column(Float)
    symptoms: Mapped[str] = mapped_column(String(100))  # 、-joined subset of SYMPTOMS
    location_code: Mapped[str] = mapped_column(String(6))
    contact_risk: Mapped[bool] = mapped_column(Boolean)
    report_type: Mapped[str] = mapped_column(String(16))
    # The employer the resident names (返岗上报): lets that enterprise find them with 同步员工信息.
    employer_uscc: Mapped[str | None] = mapped_column(String(18), index=True)
    corrections: Mapped[int] = mapped_column(Integer, default=0)


class EnterpriseDayStat(Base):
    """How many of an enterprise's current employees reported on a day (one report per person per day, so it is
    also the number of reports); kept in step with reports and employee changes, read by the dashboard's trend."""

    __tablename__ = "enterprise_day_stats"

    org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    reporters: Mapped[int] = mapped_column(Integer, default=0)
