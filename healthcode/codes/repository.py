"""Every query of the code domain: signing keys and issued codes."""

from __future__ import annotations

from datetime import datetime
from typing import TypeVar

from sqlalchemy import DateTime, Integer, LargeBinary, String, bindparam, delete, exists, insert, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.schema import Table
from sqlalchemy.sql import Select

from healthcode.codes.models import MAX_TOKEN_LIFETIME, IssuedCode, SigningKey


def any_key(session: Session) -> bool:
    return bool(session.scalar(select(exists().where(SigningKey.id.is_not(None)))))


_AnySelect = TypeVar("_AnySelect", bound=Select)


def _signing_at(stmt: _AnySelect) -> _AnySelect:
    now = bindparam("now", type_=DateTime)
    return (
        stmt
        .where(SigningKey.activates_at <= now, or_(SigningKey.retires_at.is_(None), SigningKey.retires_at > now))
        .order_by(SigningKey.activates_at.desc(), SigningKey.id.desc())
        .limit(1)
    )


# Built once: issuing runs these for every code, and building a statement costs more than running it on SQLite.
_SIGNING_KEY_AT = _signing_at(select(SigningKey))
_SIGNER_ROW_AT = _signing_at(select(SigningKey.kid, SigningKey.alg, SigningKey.private_key_pem,
                                    SigningKey.activates_at, SigningKey.retires_at))
_ISSUED_COLUMNS = ("number_code", "cti", "person_id", "color", "kid", "issued_at", "expires_at")
_ISSUED_TYPES = (String, LargeBinary, Integer, String, LargeBinary, DateTime, DateTime)
# Inserts the code only if no unexpired code carries its number: the uniqueness check and the write in one statement
# (on the table, not the class: an ORM insert given a dict of parameters would be a bulk insert).
_ISSUED_TABLE = IssuedCode.__table__
assert isinstance(_ISSUED_TABLE, Table)  # declared as a FromClause on the class; a mapped class's table is a Table
_INSERT_IF_NUMBER_FREE = insert(_ISSUED_TABLE).from_select(
    list(_ISSUED_COLUMNS),
    select(*(bindparam(name, type_=type_) for name, type_ in zip(_ISSUED_COLUMNS, _ISSUED_TYPES, strict=True))).where(
        ~exists().where(IssuedCode.number_code == bindparam("number_code"),
                        IssuedCode.expires_at > bindparam("now", type_=DateTime))
    ),
).returning(_ISSUED_TABLE.c.id)  # rowcount of INSERT … SELECT is -1 through psycopg; a returned row is not


def signing_key_at(session: Session, now: datetime) -> SigningKey | None:
    """The newest key that has started signing and not yet retired."""
    return session.scalars(_SIGNING_KEY_AT, {"now": now}).first()


def signer_row_at(session: Session, now: datetime) -> tuple[bytes, str, str, datetime, datetime | None] | None:
    """(kid, alg, private_key_pem, activates_at, retires_at) of the signing key at `now`, without ORM overhead."""
    return session.execute(_SIGNER_ROW_AT, {"now": now}).first()  # a typed Row is a tuple of these types


def unretired_keys(session: Session) -> list[SigningKey]:
    return list(session.scalars(select(SigningKey).where(SigningKey.retires_at.is_(None))))


def published_keys(session: Session, now: datetime) -> list[SigningKey]:
    """Keys a verifier needs at `now`: every key not retired more than the longest token lifetime ago."""
    return list(
        session.scalars(
            select(SigningKey)
            .where(or_(SigningKey.retires_at.is_(None), SigningKey.retires_at > now - MAX_TOKEN_LIFETIME))
            .order_by(SigningKey.activates_at, SigningKey.id)
        )
    )


def key_by_kid(session: Session, kid: bytes) -> SigningKey | None:
    return session.scalars(select(SigningKey).where(SigningKey.kid == kid)).first()


def add_issued_if_number_free(session: Session, now: datetime, **values: object) -> bool:
    """Stores an issued code unless an unexpired code already carries its number (then nothing is written)."""
    return session.execute(_INSERT_IF_NUMBER_FREE, {**values, "now": now}).first() is not None


def issued_by_cti(session: Session, cti: bytes) -> IssuedCode | None:
    return session.scalars(select(IssuedCode).where(IssuedCode.cti == cti)).first()


def issued_by_number(session: Session, number_code: str) -> IssuedCode | None:
    """The latest code that carried this number (older ones have expired: a number is reused only after expiry)."""
    return session.scalars(
        select(IssuedCode).where(IssuedCode.number_code == number_code).order_by(IssuedCode.expires_at.desc()).limit(1)
    ).first()


def delete_issued_before(session: Session, before: datetime) -> int:
    result = session.execute(delete(IssuedCode).where(IssuedCode.expires_at < before))
    return int(getattr(result, "rowcount", 0) or 0)
