"""Queries on scanners, scan points, scans and refused attempts.

The scan path's statements are built once, on the tables' columns (plain rows, no ORM identity map), and each is one
indexed look-up: a scan costs a fixed, small number of round trips whatever the resident's history, and little Python.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import CursorResult, Table, bindparam, delete, func, insert, select, update
from sqlalchemy.orm import Session

from healthcode.accounts.models import Account
from healthcode.checkpoints.models import OfflineScan, Scan, Scanner, ScanPoint, ScanRefusal
from healthcode.db.hotsql import Hot
from healthcode.feeds.models import HouseholdRecord
from healthcode.feeds.repository import household_column
from healthcode.residents.models import Person

_SCAN_VALUES = ("scanner_id", "point_id", "org_id", "person_id", "color", "via", "at")
RECENT_LIMIT = 200  # a resident scanned at every meal for 14 days stays far below this

_scan_table, _point_table = cast(Table, Scan.__table__), cast(Table, ScanPoint.__table__)
_scans, _points = _scan_table.c, _point_table.c
_persons = Person.__table__.c

_POINT = Hot(select(_points.id, _points.org_id, _points.region_code).where(_points.id == bindparam("point_id")))
_PERSON = Hot(select(
    _persons.id, _persons.id_number, _persons.name, _persons.initial_region_code,
    # The county of the household row every other reader takes (feeds.repository.household: the newest row when the
    # snapshot names the person twice), compiled into this statement as a correlated sub-select.
    household_column(HouseholdRecord.county_code, _persons.id_number).label("household_county"),
).where(_persons.id == bindparam("person_id")))
_RECENT = Hot(
    select(_scans.id, _scans.at, _points.region_code, _points.name.label("point_name"), _scans.temperature_result,
           _scans.pass_reason)
    .join_from(_scan_table, _point_table, _points.id == _scans.point_id)
    .where(_scans.person_id == bindparam("person_id"), _scans.at >= bindparam("since"))
    .order_by(_scans.at.desc(), _scans.id.desc()).limit(RECENT_LIMIT)
)
_INSERT_SCAN = Hot(insert(_scan_table).values({c: bindparam(c) for c in _SCAN_VALUES}).returning(_scans.id))
_scanners, _accounts = cast(Table, Scanner.__table__).c, cast(Table, Account.__table__).c
# The scan route's first look-up: the caller's scanner and the point it scans at, in one round trip.
_SCANNER_AT_POINT = Hot(
    select(_scanners.id, _scanners.org_id, _scanners.status, _scanners.number_locked_until, _accounts.token_version,
           _points.id.label("point_id"), _points.org_id.label("point_org_id"),
           _points.region_code.label("point_region_code"))
    .join_from(Scanner.__table__, Account.__table__, _accounts.id == _scanners.account_id)
    .outerjoin(_point_table, _points.id == bindparam("point_id"))
    .where(_scanners.account_id == bindparam("account_id"))
)
PointPlace = namedtuple("PointPlace", "id org_id region_code")


def scanner_for_account(session: Session, account_id: int) -> tuple[Scanner, Account] | None:
    row = session.execute(
        select(Scanner, Account).join(Account, Account.id == Scanner.account_id).where(Scanner.account_id == account_id)
    ).first()
    return (row[0], row[1]) if row else None


def scanner_and_token_version(session: Session, account_id: int) -> tuple[Scanner, int] | None:
    """The scanner of an account and the account's token version (checked on every checkpoint request)."""
    row = session.execute(
        select(Scanner, Account.token_version).join(Account, Account.id == Scanner.account_id)
        .where(Scanner.account_id == account_id)
    ).first()
    return (row[0], row[1]) if row else None


def scanner_at_point(session: Session, account_id: int, point_id: int) -> Any | None:
    """(id, org_id, status, number_locked_until, token_version, point_id, point_org_id, point_region_code) of an
    account's scanner and of a scan point (its columns None when there is no such point)."""
    return _SCANNER_AT_POINT.first(session, {"account_id": account_id, "point_id": point_id})


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


def point_place(session: Session, point_id: int) -> Any:
    """(id, org_id, region_code) of a point (a PointPlace-shaped row)."""
    return _POINT.first(session, {"point_id": point_id})


def person_for_scan(session: Session, person_id: int) -> Any:
    """(id, id_number, name, initial_region_code, household_county) of a person: the county of their household
    address comes along when the household feed names them."""
    return _PERSON.first(session, {"person_id": person_id})


def recent_visits(session: Session, person_id: int, since: datetime) -> Sequence[Any]:
    """The person's scans since `since`, newest first, with their point's region and name."""
    return _RECENT.rows(session, {"person_id": person_id, "since": since})


def insert_scan(session: Session, **values: Any) -> int:
    """Stores a scan and returns its id (one INSERT … RETURNING, no unit-of-work flush)."""
    return int(_INSERT_SCAN.scalar(session, values))


def set_scan_color(session: Session, scan_id: int, at: datetime, color: str) -> None:
    """Corrects the colour stored with a scan (the one-statement scan, when the rules disagree with its SQL); its
    time names the day's partition on PostgreSQL, so that one partition is searched, not every one."""
    session.execute(update(_scan_table).where(_scans.id == scan_id, _scans.at == at).values(color=color))


def insert_scans(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Stores many scans with their feedback at once (one INSERT, executed for every row): the demo's history."""
    if rows:
        session.execute(insert(_scan_table), list(rows))


def scan(session: Session, scan_id: int, between: tuple[datetime, datetime] | None = None) -> Scan | None:
    """A scan by id; `between`, when its time is known to be in that range, names the partitions to search on
    PostgreSQL (by id alone every partition's key index is searched, and planned: ~1.5 ms with 37 partitions)."""
    statement = select(Scan).where(Scan.id == scan_id)
    if between is not None:
        statement = statement.where(Scan.at >= between[0], Scan.at <= between[1])
    return session.scalars(statement).first()


def lock_scanner_number_lookup(session: Session, scanner_id: int) -> datetime | None:
    """The scanner's number-code lock, read with its row locked until the transaction ends (PostgreSQL: SELECT … FOR
    NO KEY UPDATE; SQLite runs one write transaction at a time anyway): one scanner's refusals are counted one at a
    time. NO KEY UPDATE, the lock an UPDATE of the row takes, and not UPDATE: the request that counts may hold the
    row's KEY SHARE lock itself (it inserted a row naming the scanner), and the count is written beside it
    (healthcode/db/survive.py), which must not wait for it."""
    return session.scalar(select(Scanner.number_locked_until).where(Scanner.id == scanner_id)
                          .with_for_update(key_share=True))


def add_refusal(session: Session, refusal: ScanRefusal) -> None:
    session.add(refusal)
    session.flush()


def lock_number_lookups_until(session: Session, scanner_id: int, until: datetime) -> None:
    """Locks the scanner's number-code look-ups until `until` (too many refused codes)."""
    session.execute(update(Scanner).where(Scanner.id == scanner_id).values(number_locked_until=until))


def count_refusals(session: Session, scanner_id: int, since: datetime) -> int:
    return session.scalar(
        select(func.count()).select_from(ScanRefusal).where(ScanRefusal.scanner_id == scanner_id,
                                                            ScanRefusal.at >= since)
    ) or 0


def org_scans(session: Session, org_id: int, *, since: datetime | None, until: datetime | None,
              point_id: int | None, offset: int, limit: int) -> tuple[Sequence[Any], int]:
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
    """Deletes scans and refused attempts older than `before` (the retention period), and clears the scan id of the
    offline uploads whose scan goes (offline_scans.scan_id has no foreign key to do it: models.OfflineScan)."""
    session.execute(update(OfflineScan).where(OfflineScan.scan_id.in_(select(Scan.id).where(Scan.at < before)))
                    .values(scan_id=None))
    result = cast(CursorResult[Any], session.execute(delete(Scan).where(Scan.at < before)))
    deleted = result.rowcount or 0
    session.execute(delete(ScanRefusal).where(ScanRefusal.at < before))
    return deleted


def purge_offline_scans(session: Session, before: datetime) -> int:
    """Deletes the offline uploads of scans made before `before` (the scans' retention): a page re-sends a queue of at
    most a day (offline.MAX_AGE), so none of them can be asked for again."""
    result = cast(CursorResult[Any], session.execute(delete(OfflineScan).where(OfflineScan.scanned_at < before)))
    return result.rowcount or 0


def scan_days_before(session: Session, before: datetime) -> list[date]:
    """The days that have scans before `before` (what a purge removes), oldest first."""
    day = func.date(Scan.at)
    found = session.scalars(select(day).where(Scan.at < before).group_by(day).order_by(day))
    return [d if isinstance(d, date) else date.fromisoformat(d) for d in found]  # SQLite's date() is text


def add_offline_scan(session: Session, queued: OfflineScan) -> None:
    session.add(queued)
    session.flush()


def offline_scan(session: Session, scanner_id: int, client_scan_id: str) -> OfflineScan | None:
    return session.scalars(select(OfflineScan).where(OfflineScan.scanner_id == scanner_id,
                                                     OfflineScan.client_scan_id == client_scan_id)).first()
