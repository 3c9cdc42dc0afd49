"""Every query of the code domain: signing keys and issued codes."""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import DateTime, Integer, LargeBinary, String, bindparam, delete, exists, func, insert, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.schema import Table
from sqlalchemy.sql import Select

from healthcode.codes.models import MAX_TOKEN_LIFETIME, IssuedCode, SigningKey
from healthcode.db.hotsql import Hot


def any_key(session: Session) -> bool:
    return bool(session.scalar(select(exists().where(SigningKey.id.is_not(None)))))


FIRST_KEY_LOCK = 0x68635F6B79  # PostgreSQL advisory lock key of the platform's first signing key ("hc_ky")


def lock_first_key(session: Session) -> None:
    """PostgreSQL: waits until no other transaction is making the platform's first key, and holds that turn until
    this one ends (several server processes starting on an empty database would each make one). SQLite's
    transactions are one at a time already."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(FIRST_KEY_LOCK)))


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
_SIGNER_ROW_AT = Hot(_signing_at(select(SigningKey.kid, SigningKey.alg, SigningKey.private_key_pem,
                                        SigningKey.activates_at, SigningKey.retires_at)))
_ISSUED_COLUMNS = ("number_code", "cti", "person_id", "color", "kid", "issued_at", "expires_at")
_ISSUED_TYPES = (String, LargeBinary, Integer, String, LargeBinary, DateTime, DateTime)
# Inserts the code only if no unexpired code carries its number: the uniqueness check and the write in one statement
# (on the table, not the class: an ORM insert given a dict of parameters would be a bulk insert).
_ISSUED_TABLE = IssuedCode.__table__
assert isinstance(_ISSUED_TABLE, Table)  # declared as a FromClause on the class; a mapped class's table is a Table
_INSERT_IF_NUMBER_FREE = Hot(insert(_ISSUED_TABLE).from_select(
    list(_ISSUED_COLUMNS),
    select(*(bindparam(name, type_=type_) for name, type_ in zip(_ISSUED_COLUMNS, _ISSUED_TYPES, strict=True))).where(
        ~exists().where(IssuedCode.number_code == bindparam("number_code"),
                        IssuedCode.expires_at > bindparam("now", type_=DateTime))
    ),
).returning(_ISSUED_TABLE.c.id))  # rowcount of INSERT … SELECT is -1 through psycopg; a returned row is not


def signing_key_at(session: Session, now: datetime) -> SigningKey | None:
    """The newest key that has started signing and not yet retired."""
    return session.scalars(_SIGNING_KEY_AT, {"now": now}).first()


def signer_row_at(session: Session, now: datetime) -> tuple[bytes, str, str, datetime, datetime | None] | None:
    """(kid, alg, private_key_pem, activates_at, retires_at) of the signing key at `now`, without ORM overhead."""
    return _SIGNER_ROW_AT.first(session, {"now": now})  # type: ignore[no-any-return]


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


_KEY_BY_KID = Hot(select(SigningKey.__table__).where(SigningKey.__table__.c.kid == bindparam("kid")))
_ISSUED_BY_CTI = Hot(select(IssuedCode.__table__).where(IssuedCode.__table__.c.cti == bindparam("cti")))
_ISSUED_BY_NUMBER = Hot(
    select(IssuedCode.__table__).where(IssuedCode.__table__.c.number_code == bindparam("number_code"))
    .order_by(IssuedCode.__table__.c.expires_at.desc()).limit(1)
)


_LATEST_ISSUED_SINCE = Hot(
    select(IssuedCode.__table__.c.number_code, IssuedCode.__table__.c.cti, IssuedCode.__table__.c.color,
           IssuedCode.__table__.c.kid, IssuedCode.__table__.c.issued_at, IssuedCode.__table__.c.expires_at)
    .where(IssuedCode.__table__.c.person_id == bindparam("person_id"),
           IssuedCode.__table__.c.issued_at > bindparam("since", type_=DateTime),
           IssuedCode.__table__.c.issued_at <= bindparam("now", type_=DateTime))
    .order_by(IssuedCode.__table__.c.issued_at.desc(), IssuedCode.__table__.c.id.desc()).limit(1)
)


def latest_issued_since(session: Session, person_id: int, since: datetime, now: datetime) -> Any | None:
    """(number_code, cti, color, kid, issued_at, expires_at) of the person's newest code issued after `since` and
    not after `now`, a plain row (the code page's refresh asks on every call: the index on person and issue time)."""
    return _LATEST_ISSUED_SINCE.first(session, {"person_id": person_id, "since": since, "now": now})


def key_by_kid(session: Session, kid: bytes) -> Any | None:
    """The signing_keys row of a kid (a plain row: the scan path reads it on every QR)."""
    return _KEY_BY_KID.first(session, {"kid": kid})


def add_issued_if_number_free(session: Session, now: datetime, **values: object) -> bool:
    """Stores an issued code unless an unexpired code already carries its number (then nothing is written)."""
    return _INSERT_IF_NUMBER_FREE.first(session, {**values, "now": now}) is not None


def issued_by_cti(session: Session, cti: bytes) -> Any | None:
    """The issued_codes row of a token id (a plain row)."""
    return _ISSUED_BY_CTI.first(session, {"cti": cti})


def issued_by_number(session: Session, number_code: str) -> Any | None:
    """The latest code that carried this number (older ones have expired: a number is reused only after expiry)."""
    return _ISSUED_BY_NUMBER.first(session, {"number_code": number_code})


def delete_issued_before(session: Session, before: datetime) -> int:
    result = session.execute(delete(IssuedCode).where(IssuedCode.expires_at < before))
    return int(getattr(result, "rowcount", 0) or 0)
