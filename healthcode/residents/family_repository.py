"""Every query of family codes and of the citizen portal: links, members, the household record of a person."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from healthcode.feeds.repository import household
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


def household_name(session: Session, id_number: str) -> str | None:
    record = household(session, id_number)
    return record.name if record else None


def household_county(session: Session, id_number: str) -> str | None:
    record = household(session, id_number)
    return record.county_code if record else None


def applicants_of(session: Session, member_id: int) -> list[tuple[FamilyLink, Person]]:
    """The links naming this resident as the relative, with the applicant of each, newest first."""
    rows = session.execute(
        select(FamilyLink, Person).join(Person, Person.id == FamilyLink.owner_id)
        .where(FamilyLink.member_id == member_id).order_by(FamilyLink.created_at.desc(), FamilyLink.id.desc())
    )
    return [(row[0], row[1]) for row in rows]


def link_naming(session: Session, link_id: int, member_id: int) -> FamilyLink | None:
    return session.scalars(
        select(FamilyLink).where(FamilyLink.id == link_id, FamilyLink.member_id == member_id)).first()


def same_household(session: Session, first: str, second: str) -> bool:
    """Both ID numbers are at the same address (county and normalised address) in the current households snapshot."""
    a, b = household(session, first), household(session, second)
    return (a is not None and b is not None and a.county_code is not None and a.address_norm != ""
            and (a.county_code, a.address_norm) == (b.county_code, b.address_norm))


def add_view(session: Session, view: FamilyView) -> None:
    session.add(view)
