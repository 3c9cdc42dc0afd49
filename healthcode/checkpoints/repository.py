"""Queries on scanners, scan points, scans and refused attempts. The scan path's queries are single indexed
look-ups returning plain rows, so a scan costs a fixed, small number of round trips."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, delete, func, select
from sqlalchemy.orm import Session

from healthcode.accounts.models import Account
from healthcode.checkpoints.models import Scan, Scanner, ScanPoint, ScanRefusal
from healthcode.feeds.models import HouseholdRecord
from healthcode.residents.models import Person

RECENT_LIMIT = 200  # a resident scanned at every meal for 14 days stays far below this


def scanner_for_account(session: Session, account_id: int) -> tuple[Scanner, Account] | None:
    row = session.execute(
        select(Scanner, Account).join(Account, Account.id == Scanner.account_id).where(Scanner.account_id == account_id)
    ).first()
    return (row[0], row[1]) if row else None


def scanner_by_phone(session: Session, phone: str) -> Scanner | None:
    return session.scalars(select(Scanner).where(Scanner.phone == phone)).first()


def scanner_by_id(session: Session, scanner_id: int) -> Scanner | None:
    return session.get(Scanner, scanner_id)


def scanners_of_org(session: Session, org_id: int) -> list[Scanner]:
    return list(session.scalars(select(Scanner).where(Scanner.org_id == org_id).order_by(Scanner.created_at,
                                                                                          Scanner.id)))


def point(session: Session, point_id: int) -> ScanPoint | None:
    return session.get(ScanPoint, point_id)


def points_of_org(session: Session, org_id: int) -> list[ScanPoint]:
    return list(session.scalars(select(ScanPoint).where(ScanPoint.org_id == org_id).order_by(ScanPoint.id)))


def person_with_household_county(session: Session, person_id: int) -> tuple[Person, str | None] | None:
    """The person and the county of their household address (if the household feed names them), in one query."""
    county = (select(HouseholdRecord.county_code).where(HouseholdRecord.id_number == Person.id_number)
              .limit(1).scalar_subquery())
    row = session.execute(select(Person, county).where(Person.id == person_id)).first()
    return (row[0], row[1]) if row else None


def recent_visits(session: Session, person_id: int, since: datetime) -> Sequence[Row[Any]]:
    """The person's scans since `since`, newest first, with their point's region and name."""
    return session.execute(
        select(Scan.id, Scan.at, ScanPoint.region_code, ScanPoint.name.label("point_name"),
               Scan.temperature_result, Scan.pass_reason)
        .join(ScanPoint, ScanPoint.id == Scan.point_id)
        .where(Scan.person_id == person_id, Scan.at >= since)
        .order_by(Scan.at.desc(), Scan.id.desc()).limit(RECENT_LIMIT)
    ).all()


def scan(session: Session, scan_id: int) -> Scan | None:
    return session.get(Scan, scan_id)


def count_refusals(session: Session, scanner_id: int, since: datetime) -> int:
    return session.scalar(
        select(func.count()).select_from(ScanRefusal).where(ScanRefusal.scanner_id == scanner_id,
                                                            ScanRefusal.at >= since)
    ) or 0


def org_scans(session: Session, org_id: int, *, since: datetime | None, until: datetime | None,
              point_id: int | None, offset: int, limit: int) -> tuple[Sequence[Row[Any]], int]:
    """One page of the organisation's scans (newest first) with point, person and scanner, and the total count."""
    conditions = [Scan.org_id == org_id]
    if since is not None:
        conditions.append(Scan.at >= since)
    if until is not None:
        conditions.append(Scan.at <= until)
    if point_id is not None:
        conditions.append(Scan.point_id == point_id)
    total = session.scalar(select(func.count()).select_from(Scan).where(*conditions)) or 0
    rows = session.execute(
        select(Scan.id, Scan.at, Scan.point_id, Scan.color, Scan.via, Scan.pass_reason, Scan.temperature_result,
               Scan.temperature, Scan.scanner_id, ScanPoint.name.label("point_name"), ScanPoint.community,
               ScanPoint.region_code, Person.name.label("person_name"), Person.id_number,
               Scanner.name.label("scanner_name"))
        .join(ScanPoint, ScanPoint.id == Scan.point_id)
        .join(Person, Person.id == Scan.person_id)
        .join(Scanner, Scanner.id == Scan.scanner_id)
        .where(*conditions).order_by(Scan.at.desc(), Scan.id.desc()).offset(offset).limit(limit)
    ).all()
    return rows, total


def purge_scans(session: Session, before: datetime) -> int:
    """Deletes scans and refused attempts older than `before` (the retention period)."""
    deleted = session.execute(delete(Scan).where(Scan.at < before)).rowcount or 0
    session.execute(delete(ScanRefusal).where(ScanRefusal.at < before))
    return deleted
