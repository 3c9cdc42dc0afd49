"""Tables of the code domain: the keys that sign QR tokens (with rotation), every code issued, every card printed."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import DateTime, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from healthcode.db import Base

# The longest a token may live (SPEC: exp - iat <= 300 s): a retired key stays published this long after it
# stops signing.
MAX_TOKEN_LIFETIME = timedelta(seconds=300)


class SigningKey(Base):
    """A key that signs QR tokens. It is published from creation, signs from `activates_at` until `retires_at`
    (when the next key starts signing), and stays published until `retires_at` + the longest token lifetime."""

    __tablename__ = "code_signing_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kid: Mapped[bytes] = mapped_column(LargeBinary(8), unique=True)
    alg: Mapped[str] = mapped_column(String(8))  # EdDSA (Ed25519) or ES256 (P-256)
    # PKCS#8 PEM, encrypted with a password derived from settings.secret_key: a database dump alone cannot sign.
    private_key_pem: Mapped[str] = mapped_column(Text)
    public_jwk: Mapped[str] = mapped_column(Text)  # JSON of the public JWK, as published
    created_at: Mapped[datetime] = mapped_column(DateTime)
    activates_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    retires_at: Mapped[datetime | None] = mapped_column(DateTime)


class IssuedCode(Base):
    """One issued code: its token id (cti, the only link from a QR to the person) and its 12-digit number code.

    A number code is unique among unexpired codes only (it is reused after expiry), hence no unique constraint. The
    person's codes are indexed with their issue time: the code page's refresh looks for the newest one."""

    __tablename__ = "issued_codes"
    __table_args__ = (Index("ix_issued_codes_person_id_issued_at", "person_id", "issued_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number_code: Mapped[str] = mapped_column(String(12), index=True)
    cti: Mapped[bytes] = mapped_column(LargeBinary(16), unique=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"))
    color: Mapped[str] = mapped_column(String(8))
    kid: Mapped[bytes] = mapped_column(LargeBinary(8))
    issued_at: Mapped[datetime] = mapped_column(DateTime)
    expires_at: Mapped[datetime] = mapped_column(DateTime, index=True)


class PrintedCard(Base):
    """A printed card (纸质健康码, issue 16): the QR of a year-long token that shows no colour, only who it is; the
    checkpoint computes the colour online. `card_id` is random (the token's only link to the person) and so is the
    `serial` printed on it. A person has at most one card not revoked: printing a new one revokes the older."""

    __tablename__ = "printed_cards"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    card_id: Mapped[bytes] = mapped_column(LargeBinary(16), unique=True)
    serial: Mapped[str] = mapped_column(String(9), unique=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"))  # the partial index
    kid: Mapped[bytes] = mapped_column(LargeBinary(8))  # the key that signed it (verified online even once retired)
    issued_at: Mapped[datetime] = mapped_column(DateTime)
    # Who printed it, without personal data: "cli", or "resident:<persons.id>" (the holder or his family applicant).
    issued_by: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)
    revoked_by: Mapped[str | None] = mapped_column(String(64))


# At most one card not revoked a person (SQLite and PostgreSQL both have partial indexes): two prints that race cannot
# both leave a live card.
Index("ux_printed_cards_live_person", PrintedCard.person_id, unique=True,
      sqlite_where=PrintedCard.revoked_at.is_(None), postgresql_where=PrintedCard.revoked_at.is_(None))
