"""USCC disputes (统一社会信用代码异议): a registration refused because another unit already holds the USCC, kept with
the claimant's details so that the health authority can dismiss it or transfer the USCC to the claimant."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from healthcode.db import Base, bytewise

OPEN = "open"
DISMISSED = "dismissed"
TRANSFERRED = "transferred"
STATUS_LABELS = {OPEN: "待处理", DISMISSED: "已驳回", TRANSFERRED: "已转移给申请方"}


class UsccDispute(Base):
    """The refused registration as typed (validated), the unit that held the USCC then, and the resolution."""

    __tablename__ = "uscc_disputes"
    __table_args__ = (Index("ix_uscc_disputes_status_created", "status", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uscc: Mapped[str] = mapped_column(String(18), index=True)
    holder_org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id"))
    name: Mapped[str] = mapped_column(String(200))  # the enterprise name the claimant gave
    legal_name: Mapped[str] = mapped_column(String(64))
    legal_phone: Mapped[str] = mapped_column(String(20))
    legal_id_number: Mapped[str] = mapped_column(bytewise(18))
    operator_name: Mapped[str] = mapped_column(String(64))
    operator_id_number: Mapped[str] = mapped_column(bytewise(18))
    operator_phone: Mapped[str] = mapped_column(String(20))
    region_code: Mapped[str | None] = mapped_column(String(6))
    # The claimant's chosen password, hashed as an account's: a transfer creates their account with it.
    password_hash: Mapped[str] = mapped_column(String(200))
    client_ip: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    status: Mapped[str] = mapped_column(String(16), default=OPEN)
    resolved_by: Mapped[str | None] = mapped_column(String(64))
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime)
    resolution_note: Mapped[str | None] = mapped_column(String(200))
    new_org_id: Mapped[int | None] = mapped_column(ForeignKey("orgs.id"))
