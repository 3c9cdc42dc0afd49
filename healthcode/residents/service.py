"""The resident registry (SPEC section 5): a registered resident signed in, or is in the current households snapshot.

Someone known only from the households feed gets a Person row the first time they are needed (e.g. a printed code)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from healthcode import clock, db
from healthcode.feeds import repository as feeds
from healthcode.residents import repository
from healthcode.residents.models import Person


def get_registered(session: Session, id_number: str, now: datetime | None = None) -> Person | None:
    """The Person of a registered resident (normalised ID number), creating it from the households feed if needed."""
    person = repository.person_by_id_number(session, id_number)
    if person is not None:
        return person
    household = feeds.household(session, id_number)
    if household is None:
        return None
    return add_or_existing(session, Person(id_number=id_number, name=household.name,
                                           initial_region_code=household.county_code, created_at=now or clock.now()))


def add_or_existing(session: Session, person: Person) -> Person:
    """Adds a new Person after a look-up missed, or returns the row another transaction stored for the same ID number
    in the meantime (two first requests for one resident at once: a double tap, two tabs, a relative linking him
    while he signs in): `db.add_or_existing`, so the loser's transaction goes on with the winner's row instead of
    failing on the unique ID number; the caller then treats it as a row it found (see decisions.md)."""
    return db.add_or_existing(session, person, lambda: repository.person_by_id_number(session, person.id_number))


def register_many(session: Session, id_numbers: list[str], now: datetime) -> dict[str, Person]:
    """`get_registered` for many residents at once (the demo's crowd), in a transaction where nobody else registers
    them: one flush, no savepoint each. A number the households feed does not name is left out."""
    found = repository.persons_by_id_numbers(session, id_numbers)
    homes = feeds.households(session, [n for n in id_numbers if n not in found])
    for number, household in homes.items():
        if number not in found:
            found[number] = Person(id_number=number, name=household.name, initial_region_code=household.county_code,
                                   created_at=now)
            session.add(found[number])
    session.flush()
    return found
