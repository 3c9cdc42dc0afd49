"""Two requests creating the same resident at once: the loser's look-up missed, its insert meets the winner's row.

The race is played deterministically (tests/races.py): the look-up misses once while the row already exists, committed
by another session, as when a concurrent request commits between this one's look-up and its insert."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from healthcode.db import session_factory
from healthcode.identity import service as identity
from healthcode.residents import family_repository
from healthcode.residents import repository as people
from healthcode.residents import service as registry
from healthcode.residents.family_models import FamilyLink
from healthcode.residents.models import Person
from tests.identity.flow import ZHANG, make_account
from tests.identity.test_signin import face_redirect
from tests.races import miss_once
from tests.residents.citizen import household
from tests.residents.test_family import CHILD, add, links, signed_in

NOW = datetime(2020, 2, 24, 9, 0)


def stored_by_another(db: Session, id_number: str, name: str) -> int:
    """The winner: a Person committed by another transaction."""
    person = Person(id_number=id_number, name=name, created_at=NOW)
    db.add(person)
    db.commit()
    return person.id


def persons_numbered(db: Session, id_number: str) -> int:
    db.rollback()  # a fresh snapshot: the app committed in its own transactions
    return db.scalar(select(func.count()).select_from(Person).where(Person.id_number == id_number)) or 0


def test_given_the_row_committed_meanwhile_then_add_or_existing_returns_it_and_the_transaction_goes_on(
    engine: Any, db: Session
) -> None:
    winner = stored_by_another(db, ZHANG, "张小明")
    with session_factory(engine)() as session, session.begin():
        got = registry.add_or_existing(session, Person(id_number=ZHANG, name="别人", created_at=NOW))
        assert got.id == winner and got.name == "张小明"
        assert session.scalar(select(func.count()).select_from(Person)) == 1  # the transaction still works
    assert persons_numbered(db, ZHANG) == 1


def test_given_a_new_number_then_add_or_existing_stores_the_new_row(engine: Any, db: Session) -> None:
    with session_factory(engine)() as session, session.begin():
        got = registry.add_or_existing(session, Person(id_number=ZHANG, name="张小明", created_at=NOW))
        assert got.id is not None
    assert persons_numbered(db, ZHANG) == 1


def test_given_a_household_resident_registered_meanwhile_then_get_registered_returns_that_row(
    engine: Any, db: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    household(engine, tmp_path, ZHANG, "张小明", "福建省福州市鼓楼区软件园1号")
    winner = stored_by_another(db, ZHANG, "张小明")
    missed = miss_once(monkeypatch, people, "person_by_id_number")
    with session_factory(engine)() as session, session.begin():
        got = registry.get_registered(session, ZHANG, NOW)
        assert got is not None and got.id == winner
    assert missed and persons_numbered(db, ZHANG) == 1


def test_given_a_concurrent_first_sign_in_then_sign_in_updates_the_winners_row(
    engine: Any, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    winner = stored_by_another(db, ZHANG, "张某")  # e.g. a relative linked him meanwhile, under another name
    missed = miss_once(monkeypatch, people, "person_by_id_number")
    verified = identity.VerifiedIdentity(subject="s", id_number=ZHANG, name="张小明", level="L4", phone="13800000000")
    with session_factory(engine)() as session, session.begin():
        got = identity.sign_in(session, verified, NOW)
        assert got.id == winner
    db.rollback()
    person = db.scalar(select(Person).where(Person.id_number == ZHANG))
    assert person is not None and missed and persons_numbered(db, ZHANG) == 1
    assert (person.name, person.assurance_level, person.phone, person.signed_in_at) == (
        "张小明", "L4", "13800000000", NOW)


def test_given_a_concurrent_first_sign_in_then_the_callback_signs_in_rather_than_failing(
    client: Any, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_account(db)
    callback = face_redirect(client)
    winner = stored_by_another(db, ZHANG, "张小明")  # the double tap's other request won
    missed = miss_once(monkeypatch, people, "person_by_id_number")
    answer = client.get(callback, follow_redirects=False)
    assert answer.status_code in (302, 303) and missed
    home = client.get("/citizen/")
    assert home.status_code == 200 and "张*明" in home.text
    assert persons_numbered(db, ZHANG) == 1
    person = db.scalar(select(Person).where(Person.id_number == ZHANG))
    assert person is not None and person.id == winner and person.assurance_level == "L4"


def test_given_the_relative_stored_meanwhile_then_linking_him_succeeds_on_his_row(
    client: Any, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    signed_in(client, db)
    winner = stored_by_another(db, CHILD, "张小宝")  # he signed in himself meanwhile
    missed = miss_once(monkeypatch, people, "person_by_id_number")
    page = add(client, "张小宝", CHILD)
    assert page.status_code == 200 and missed
    assert links(db) == 1 and persons_numbered(db, CHILD) == 1
    assert db.scalar(select(FamilyLink.member_id)) == winner


def test_given_a_double_tapped_link_then_the_second_is_refused_as_already_added(
    client: Any, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    signed_in(client, db)
    assert add(client, "张小宝", CHILD).status_code == 200  # the first tap, committed
    missed = miss_once(monkeypatch, family_repository, "links_of", missed=[])  # read before the first committed
    page = add(client, "张小宝", CHILD)
    assert page.status_code == 409 and "该家人已添加" in page.text and missed
    assert links(db) == 1 and persons_numbered(db, CHILD) == 1
