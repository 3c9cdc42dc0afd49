"""The web sessions table: one row a signed-in (or signing-in) browser, found by the SHA-256 of its cookie's token."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Integer, LargeBinary, Text
from sqlalchemy.orm import Mapped, mapped_column

from healthcode.db import Base


class WebSession(Base):
    """`data` is the JSON of `request.session`. The principal columns say who is signed in, so that a revocation
    (a password change, a scanner revoked) can end their sessions with one statement; no foreign keys, so that
    nothing that deletes accounts or persons has to know about sessions (a session of a deleted one is refused by the
    portal's own check). `expires_at` is `last_seen_at` plus the idle limit of whoever is signed in."""

    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    data: Mapped[str] = mapped_column(Text)
    console_account_id: Mapped[int | None] = mapped_column(Integer, index=True)
    scanner_account_id: Mapped[int | None] = mapped_column(Integer, index=True)
    person_id: Mapped[int | None] = mapped_column(Integer, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime)
    expires_at: Mapped[datetime] = mapped_column(DateTime, index=True)
