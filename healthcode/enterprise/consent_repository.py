"""Queries on employment requests (the resident's consent behind each employee row)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, func, insert, or_, select, update
from sqlalchemy.orm import Session

from healthcode.enterprise.models import Employee, EmploymentRequest, HealthReport
from healthcode.orgs.models import Org

CHUNK = 500


def request_of(session: Session, org_id: int, id_number: str) -> EmploymentRequest | None:
    return session.scalars(select(EmploymentRequest).where(
        EmploymentRequest.org_id == org_id, EmploymentRequest.id_number == id_number)).first()


def request_by_id(session: Session, request_id: int) -> EmploymentRequest | None:
    return session.get(EmploymentRequest, request_id)


def open_requests(session: Session, org_id: int, limit: int) -> list[EmploymentRequest]:
    """The enterprise's requests not (or no longer) confirmed by the resident, newest first (withdrawn ones gone)."""
    return list(session.scalars(
        select(EmploymentRequest)
        .where(EmploymentRequest.org_id == org_id, EmploymentRequest.state.in_(("pending", "refused", "ended")))
        .order_by(EmploymentRequest.requested_at.desc(), EmploymentRequest.id.desc()).limit(limit)))


def count_open(session: Session, org_id: int) -> int:
    return session.scalar(select(func.count()).where(
        EmploymentRequest.org_id == org_id, EmploymentRequest.state.in_(("pending", "refused", "ended")))) or 0


def requests_of_person(session: Session, id_number: str) -> list[tuple[EmploymentRequest, Org]]:
    rows = session.execute(
        select(EmploymentRequest, Org).join(Org, Org.id == EmploymentRequest.org_id)
        .where(EmploymentRequest.id_number == id_number, EmploymentRequest.state != "withdrawn")
        .order_by(EmploymentRequest.requested_at.desc(), EmploymentRequest.id.desc()))
    return [(r[0], r[1]) for r in rows]


def taken_id_numbers(session: Session, org_id: int) -> set[str]:
    """ID numbers with a request of the enterprise that a new request may not replace (all but withdrawn)."""
    return set(session.scalars(select(EmploymentRequest.id_number).where(
        EmploymentRequest.org_id == org_id, EmploymentRequest.state != "withdrawn")))


def drop_withdrawn(session: Session, org_id: int, id_numbers: Sequence[str]) -> None:
    for start in range(0, len(id_numbers), CHUNK):
        session.execute(delete(EmploymentRequest).where(
            EmploymentRequest.org_id == org_id, EmploymentRequest.state == "withdrawn",
            EmploymentRequest.id_number.in_(id_numbers[start:start + CHUNK])))


def insert_requests(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    for start in range(0, len(rows), 5000):
        session.execute(insert(EmploymentRequest), list(rows[start:start + 5000]))


def mark(session: Session, org_id: int, id_numbers: Sequence[str], state: str, at: datetime) -> None:
    for start in range(0, len(id_numbers), CHUNK):
        session.execute(update(EmploymentRequest).where(
            EmploymentRequest.org_id == org_id, EmploymentRequest.id_number.in_(id_numbers[start:start + CHUNK])
        ).values(state=state, decided_at=at))


def employee_of(session: Session, org_id: int, id_number: str) -> Employee | None:
    return session.scalars(select(Employee).where(Employee.org_id == org_id, Employee.id_number == id_number)).first()


def self_named(session: Session, org_id: int, uscc: str) -> list[tuple[str, str, datetime]]:
    """Residents who named this enterprise (its USCC) on a report of their own and are not its employees, unless they
    refused or ended the link after their latest such report: (ID number, name, latest naming time)."""
    listed = select(Employee.id_number).where(Employee.org_id == org_id)
    named = (select(HealthReport.id_number, func.max(HealthReport.name).label("name"),
                    func.max(HealthReport.reported_at).label("at"))
             .where(HealthReport.employer_uscc == uscc, HealthReport.id_number.not_in(listed))
             .group_by(HealthReport.id_number).subquery())
    declined = and_(EmploymentRequest.org_id == org_id, EmploymentRequest.id_number == named.c.id_number,
                    EmploymentRequest.state.in_(("refused", "ended")), EmploymentRequest.decided_at >= named.c.at)
    rows = session.execute(select(named.c.id_number, named.c.name, named.c.at)
                           .where(~select(EmploymentRequest.id).where(declined).exists())).all()
    return [(r[0], r[1], r[2]) for r in rows]


def declined_since(session: Session, id_number: str, usccs: Sequence[str], since: datetime) -> set[str]:
    """The USCCs among `usccs` whose link the resident refused or ended at or after `since`."""
    if not usccs:
        return set()
    return set(session.scalars(
        select(Org.uscc).join(EmploymentRequest, EmploymentRequest.org_id == Org.id)
        .where(EmploymentRequest.id_number == id_number, Org.uscc.in_(usccs),
               or_(EmploymentRequest.state == "refused", EmploymentRequest.state == "ended"),
               EmploymentRequest.decided_at >= since)))


def drop_any(session: Session, org_id: int, id_numbers: Sequence[str]) -> None:
    """Removes the enterprise's requests of these people whatever their state (a new consent replaces them)."""
    for start in range(0, len(id_numbers), CHUNK):
        session.execute(delete(EmploymentRequest).where(
            EmploymentRequest.org_id == org_id, EmploymentRequest.id_number.in_(id_numbers[start:start + CHUNK])))


# ---- the roster as a re-upload compares with it -----------------------------------------------------------------
def roster_employees(session: Session, org_id: int) -> dict[str, tuple[int, str, str | None]]:
    """The enterprise's employees: ID number -> (employee id, name, phone)."""
    rows = session.execute(select(Employee.id_number, Employee.id, Employee.name, Employee.phone)
                           .where(Employee.org_id == org_id))
    return {r[0]: (r[1], r[2], r[3]) for r in rows}


def roster_requests(session: Session, org_id: int) -> dict[str, tuple[int, str, str, str | None]]:
    """The enterprise's requests, withdrawn ones too: ID number -> (request id, state, name, phone)."""
    rows = session.execute(select(EmploymentRequest.id_number, EmploymentRequest.id, EmploymentRequest.state,
                                  EmploymentRequest.name, EmploymentRequest.phone)
                           .where(EmploymentRequest.org_id == org_id))
    return {r[0]: (r[1], r[2], r[3], r[4]) for r in rows}


def update_requests(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Bulk update by primary key (`id` in each dict)."""
    for start in range(0, len(rows), 5000):
        session.execute(update(EmploymentRequest), list(rows[start:start + 5000]))
