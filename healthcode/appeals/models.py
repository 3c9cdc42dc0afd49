"""The appeals table. The evidence file lives under the data directory (appeals/evidence.py), the row keeps its
random name, type, size and SHA-256 only."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from healthcode.db import Base, bytewise

OPEN, UPHELD, REJECTED = "open", "upheld", "rejected"
STATES = (OPEN, UPHELD, REJECTED)


class Appeal(Base):
    __tablename__ = "appeals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    id_number: Mapped[str] = mapped_column(bytewise(18), index=True)
    rule: Mapped[str] = mapped_column(String(40))
    reason_since: Mapped[date] = mapped_column(Date)
    reason_detail: Mapped[str] = mapped_column(Text)  # the reason as the resident read it when he filed
    statement: Mapped[str] = mapped_column(Text)  # why he contests it
    state: Mapped[str] = mapped_column(String(16), default=OPEN)
    filed_at: Mapped[datetime] = mapped_column(DateTime)
    due_at: Mapped[datetime] = mapped_column(DateTime)  # the authority decides by then
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
    decided_by: Mapped[str | None] = mapped_column(String(100))  # the stored 操作人 (the authority's USCC)
    decision: Mapped[str | None] = mapped_column(Text)  # the authority's reason, which the resident reads
    evidence_file: Mapped[str | None] = mapped_column(String(64))  # random name under <data dir>/appeals
    evidence_type: Mapped[str | None] = mapped_column(String(40))  # image/jpeg, image/png, application/pdf
    evidence_size: Mapped[int | None] = mapped_column(Integer)
    evidence_sha256: Mapped[str | None] = mapped_column(String(64))



# One open appeal per reason at a time (the service checks first; this partial index settles a race).
_OPEN = Appeal.__table__.c.state == OPEN
Index("uq_appeals_open_reason", Appeal.id_number, Appeal.rule, unique=True, sqlite_where=_OPEN,
      postgresql_where=_OPEN)
