"""Tables of the code domain: the keys that sign QR tokens (with rotation) and every code issued."""

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
