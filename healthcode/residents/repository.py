"""The one look-up of a person by ID number (a normalised, 18-character number): residents' own pages, the sign-in,
the scanner's and the enterprise's consoles all find a person through here."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from healthcode.residents.models import Person


def person_by_id_number(session: Session, id_number: str) -> Person | None:
    return session.scalars(select(Person).where(Person.id_number == id_number)).first()


def person_id_by_id_number(session: Session, id_number: str) -> int | None:
    """The id alone, when only a row to point at is wanted (no Person loaded into the session)."""
    return session.scalar(select(Person.id).where(Person.id_number == id_number))


def persons_by_id_numbers(session: Session, id_numbers: list[str]) -> dict[str, Person]:
    found: dict[str, Person] = {}
    for start in range(0, len(id_numbers), 500):
        found.update((p.id_number, p) for p in session.scalars(
            select(Person).where(Person.id_number.in_(id_numbers[start:start + 500]))))
    return found
