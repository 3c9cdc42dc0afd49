"""Scanners (扫码员) and their authorisation, scan points, scans with their feedback, and refused attempts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DDL, DateTime, Float, ForeignKey, Index, Integer, String, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column

from healthcode.db import Base, bytewise, partitioned_by_range

PENDING, AUTHORISED, REVOKED = "pending", "authorised", "revoked"


class Scanner(Base):
    __tablename__ = "scanners"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), unique=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id"), index=True)
    phone: Mapped[str] = mapped_column(String(11), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    id_number: Mapped[str] = mapped_column(bytewise(18))
    status: Mapped[str] = mapped_column(String(16), default=PENDING)
    status_by: Mapped[str | None] = mapped_column(String(64))  # who authorised or revoked, and when
    status_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    # Set when too many refused codes came in a short time: number-code look-ups are refused until then.
    number_locked_until: Mapped[datetime | None] = mapped_column(DateTime)

    @property
    def authorised(self) -> bool:
        return self.status == AUTHORISED


class ScanPoint(Base):
    """Where a scanner scans (上报社区和扫码点信息以及具体位置); belongs to the scanner's organisation."""

    __tablename__ = "scan_points"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id"), index=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("scanners.id"))
    community: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(100))
    address: Mapped[str] = mapped_column(String(300))
    region_code: Mapped[str] = mapped_column(String(6))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class Scan(Base):
    """One successful scan: who scanned whom, where, when, and the colour at that moment; then the feedback.

    On PostgreSQL the table is partitioned by day of `at` (checkpoints/partitions.py: a partition a day, made ahead,
    and a DEFAULT one; docs/decisions.md, «The scans table partitioned by day»): its primary key there is (id, at),
    as a partitioned table's unique keys must hold the partition key; `id` stays unique, from its one sequence. The
    ORM's identity is (id, at) on both databases, so that an UPDATE of a loaded scan names its day's partition."""

    __tablename__ = "scans"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scanner_id: Mapped[int] = mapped_column(ForeignKey("scanners.id"), index=True)
    point_id: Mapped[int] = mapped_column(ForeignKey("scan_points.id"), index=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id"))  # the point's organisation, for the console's views
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"))
    color: Mapped[str] = mapped_column(String(8))
    via: Mapped[str] = mapped_column(String(8))  # qr / number
    at: Mapped[datetime] = mapped_column(DateTime)
    pass_reason: Mapped[str | None] = mapped_column(String(16))
    temperature_result: Mapped[str | None] = mapped_column(String(8))  # normal / abnormal
    temperature: Mapped[float | None] = mapped_column(Float)
    feedback_at: Mapped[datetime | None] = mapped_column(DateTime)

    __table_args__ = (
        Index("ix_scans_person_at", "person_id", "at"),
        Index("ix_scans_org_at", "org_id", "at"),
        partitioned_by_range("at"),
    )
    __mapper_args__ = {"primary_key": ["id", "at"]}


# The partition every scan lands in when its day has none (never refused for a missing partition); the migration makes
# it too. Made with the table by create_all (the tests' databases, the benchmarks').
event.listen(Scan.__table__, "after_create",
             DDL("CREATE TABLE scans_default PARTITION OF scans DEFAULT").execute_if(dialect="postgresql"))


class ScanRefusal(Base):
    """A refused code (malformed, wrong check digit, expired, …), counted against the scanner for rate limiting."""

    __tablename__ = "scan_refusals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scanner_id: Mapped[int] = mapped_column(ForeignKey("scanners.id"))
    at: Mapped[datetime] = mapped_column(DateTime)
    via: Mapped[str] = mapped_column(String(8))
    error: Mapped[str] = mapped_column(String(32))

    __table_args__ = (Index("ix_scan_refusals_scanner_at", "scanner_id", "at"),)


class OfflineScan(Base):
    """One uploaded offline scan, keyed by the page's own id for it, so a re-sent upload finds it again."""

    __tablename__ = "offline_scans"
    __table_args__ = (UniqueConstraint("scanner_id", "client_scan_id", name="uq_offline_scans_client"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scanner_id: Mapped[int] = mapped_column(ForeignKey("scanners.id"))
    client_scan_id: Mapped[str] = mapped_column(String(64))
    scanned_at: Mapped[datetime] = mapped_column(DateTime)
    received_at: Mapped[datetime] = mapped_column(DateTime)
    # Set when recorded; a refused code keeps its error so that a re-send gets the same answer. No foreign key: on
    # PostgreSQL `scans.id` alone is no unique key (the partitioned table's key is (id, at)); `healthcode purge`
    # clears the ids of the scans it removes, as ON DELETE SET NULL did (checkpoints/partitions.py).
    scan_id: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(String(32))
    # The refusal's message; on a recorded scan (no error), the note of a 体温结果 corrected from the temperature.
    message: Mapped[str | None] = mapped_column(String(200))
