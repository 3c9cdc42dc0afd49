"""Every query of the identity domain: dev-provider accounts and codes, and the Person a sign-in lands on."""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from healthcode.db.hotsql import Hot
from healthcode.identity.models import DevIdpAccount, DevIdpCode, DevIdpKey
from healthcode.residents.models import Person


def account_by_id_number(session: Session, id_number: str) -> DevIdpAccount | None:
    return session.scalar(select(DevIdpAccount).where(DevIdpAccount.id_number == id_number))


def account_by_id(session: Session, account_id: int) -> DevIdpAccount | None:
    return session.get(DevIdpAccount, account_id)


def code_by_value(session: Session, code: str, client_id: str) -> DevIdpCode | None:
    return session.scalar(
        select(DevIdpCode).where(DevIdpCode.code == code, DevIdpCode.client_id == client_id).with_for_update()
    )


def nonce_used(session: Session, client_id: str, nonce: str) -> bool:
    found = session.scalar(
        select(DevIdpCode.id).where(DevIdpCode.client_id == client_id, DevIdpCode.nonce == nonce).limit(1)
    )
    return found is not None


DEV_KEY_ID = 1


def dev_key_pem(session: Session) -> str | None:
    return session.scalar(select(DevIdpKey.private_key_pem).where(DevIdpKey.id == DEV_KEY_ID))


def offer_dev_key(session: Session, pem: str) -> None:
    """Stores the key unless one is stored (a concurrent offer waits for the first to commit, then stores nothing)."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    session.execute(dialect.insert(DevIdpKey).values(id=DEV_KEY_ID, private_key_pem=pem)
                    .on_conflict_do_nothing(index_elements=["id"]))


def person_by_id(session: Session, person_id: int) -> Person | None:
    return session.get(Person, person_id)


_CODE_HOLDER = Hot(select(Person.id, Person.id_number, Person.name, Person.initial_region_code)
                   .where(Person.id == bindparam("person_id")))


def code_holder(session: Session, person_id: int) -> Any | None:
    """What a code needs of a person (id, id_number, name, initial_region_code) as a plain row, in one hot
    statement: loading the ORM object cost as much as issuing the code."""
    return _CODE_HOLDER.first(session, {"person_id": person_id})
