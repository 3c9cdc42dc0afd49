"""Queries of the government console (scan records, drill-downs, scanners, the unit tree). Every query on personal
data takes the admin's org_id and filters on it: that is the tenant boundary."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row, Select, exists, func, select
from sqlalchemy.orm import Session

from healthcode.checkpoints.models import Scan, Scanner, ScanPoint
from healthcode.feeds.models import HouseholdRecord
from healthcode.feeds.repository import household_column
from healthcode.orgs.models import Org
from healthcode.residents.models import Person


@dataclass(frozen=True)
class ScanFilter:
    """The filters of the 扫码记录 table; org_id is always set."""

    org_id: int
    since: datetime | None = None
    until: datetime | None = None
    point_id: int | None = None
    color: str | None = None
    scanner_id: int | None = None
    person_id: int | None = None


def _conditions(f: ScanFilter) -> list[Any]:
    conditions: list[Any] = [Scan.org_id == f.org_id]
    if f.since is not None:
        conditions.append(Scan.at >= f.since)
    if f.until is not None:
        conditions.append(Scan.at <= f.until)
    if f.point_id is not None:
        conditions.append(Scan.point_id == f.point_id)
    if f.color is not None:
        conditions.append(Scan.color == f.color)
    if f.scanner_id is not None:
        conditions.append(Scan.scanner_id == f.scanner_id)
    if f.person_id is not None:
        conditions.append(Scan.person_id == f.person_id)
    return conditions


def _record_columns() -> Select[*tuple[Any, ...]]:
    # The resident's community: their household address without the province/city/county prefix (one indexed
    # look-up per row of the page), from the row feeds.repository.household gives.
    community = household_column(HouseholdRecord.address_norm, Person.id_number)
    return (
        select(Scan.id, Scan.at, Scan.color, Scan.via, Scan.pass_reason, Scan.temperature_result, Scan.temperature,
               Scan.feedback_at, Scan.point_id, ScanPoint.name.label("point_name"), ScanPoint.community,
               ScanPoint.address.label("point_address"), ScanPoint.region_code, Scan.person_id,
               Person.name.label("person_name"), Person.id_number, community.label("home"), Scan.scanner_id,
               Scanner.name.label("scanner_name"))
        .join(ScanPoint, ScanPoint.id == Scan.point_id)
        .join(Person, Person.id == Scan.person_id)
        .join(Scanner, Scanner.id == Scan.scanner_id)
    )


def count_scans(session: Session, f: ScanFilter) -> int:
    return session.scalar(select(func.count()).select_from(Scan).where(*_conditions(f))) or 0


def scan_page(session: Session, f: ScanFilter, offset: int, limit: int) -> Sequence[Row[*tuple[Any, ...]]]:
    """One page of records, newest first (index scans (org_id, at))."""
    return session.execute(
        _record_columns().where(*_conditions(f)).order_by(Scan.at.desc(), Scan.id.desc()).offset(offset).limit(limit)
    ).all()


def iter_scans(session: Session, f: ScanFilter, chunk: int = 2000) -> Iterator[Row[*tuple[Any, ...]]]:
    """Every matching record, newest first, fetched in chunks (for exports of any size)."""
    stmt = _record_columns().where(*_conditions(f)).order_by(Scan.at.desc(), Scan.id.desc())
    yield from session.execute(stmt.execution_options(yield_per=chunk))


def scan_record(session: Session, org_id: int, scan_id: int) -> Row[*tuple[Any, ...]] | None:
    return session.execute(_record_columns().where(Scan.id == scan_id, Scan.org_id == org_id)).first()


def points_of_org(session: Session, org_id: int) -> list[ScanPoint]:
    return list(session.scalars(select(ScanPoint).where(ScanPoint.org_id == org_id).order_by(ScanPoint.name,
                                                                                              ScanPoint.id)))


def person_seen_by_org(session: Session, org_id: int, person_id: int) -> Person | None:
    """The person, only when they passed one of the organisation's points (the console's only way to them)."""
    seen = exists().where(Scan.org_id == org_id, Scan.person_id == person_id)
    return session.scalars(select(Person).where(Person.id == person_id, seen)).first()


def scanner_of_org(session: Session, org_id: int, scanner_id: int) -> Scanner | None:
    return session.scalars(select(Scanner).where(Scanner.id == scanner_id, Scanner.org_id == org_id)).first()


def scanners_of_org(session: Session, org_id: int, status: str | None) -> list[Scanner]:
    stmt = select(Scanner).where(Scanner.org_id == org_id)
    if status:
        stmt = stmt.where(Scanner.status == status)
    return list(session.scalars(stmt.order_by(Scanner.created_at.desc(), Scanner.id.desc())))


def scanner_status_counts(session: Session, org_id: int) -> dict[str, int]:
    rows = session.execute(select(Scanner.status, func.count()).where(Scanner.org_id == org_id)
                           .group_by(Scanner.status)).all()
    return {status: count for status, count in rows}


def org_tree(session: Session) -> list[tuple[int, int | None, str, str]]:
    """(id, parent_id, name, uscc) of every organisation: the hierarchy is walked in memory (thousands of rows)."""
    return [(r[0], r[1], r[2], r[3]) for r in session.execute(select(Org.id, Org.parent_id, Org.name, Org.uscc))]
