"""Every query of family codes and of the citizen portal: links, members, the household record of a person."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from healthcode.feeds.models import HouseholdRecord
from healthcode.residents.family_models import FamilyLink, FamilyView
from healthcode.residents.models import Person


def links_of(session: Session, owner_id: int) -> list[FamilyLink]:
    return list(session.scalars(select(FamilyLink).where(FamilyLink.owner_id == owner_id)))


def members_of(session: Session, owner_id: int) -> list[tuple[FamilyLink, Person]]:
    rows = session.execute(
        select(FamilyLink, Person).join(Person, Person.id == FamilyLink.member_id)
        .where(FamilyLink.owner_id == owner_id).order_by(FamilyLink.created_at, FamilyLink.id)
    )
    return [(row[0], row[1]) for row in rows]


def member_of(session: Session, owner_id: int, member_id: int) -> tuple[FamilyLink, Person] | None:
    row = session.execute(
        select(FamilyLink, Person).join(Person, Person.id == FamilyLink.member_id)
        .where(FamilyLink.owner_id == owner_id, FamilyLink.member_id == member_id)
    ).first()
    return (row[0], row[1]) if row else None


def person_by_id_number(session: Session, id_number: str) -> Person | None:
    return session.scalar(select(Person).where(Person.id_number == id_number))


def _household(session: Session, id_number: str) -> HouseholdRecord | None:
    return session.scalars(
        select(HouseholdRecord).where(HouseholdRecord.id_number == id_number).order_by(HouseholdRecord.id.desc())
    ).first()


def household_name(session: Session, id_number: str) -> str | None:
    record = _household(session, id_number)
    return record.name if record else None


def household_county(session: Session, id_number: str) -> str | None:
    record = _household(session, id_number)
    return record.county_code if record else None


def add_view(session: Session, view: FamilyView) -> None:
    session.add(view)
