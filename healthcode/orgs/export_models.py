"""The export log: one row per 批量导出 of any console (who, which export, the filter, masked or full, row count)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from healthcode.db import Base


class ExportLog(Base):
    __tablename__ = "export_logs"
    __table_args__ = (Index("ix_export_logs_org_at", "org_id", "at"), Index("ix_export_logs_at", "at"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id"))
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    username: Mapped[str] = mapped_column(String(64))  # the admin, or the operator's label (name, masked ID)
    export: Mapped[str] = mapped_column(String(32))  # which export: a key of export_log.EXPORTS
    filter: Mapped[str] = mapped_column(String(300))  # the query, personal values masked
    full: Mapped[bool] = mapped_column(Boolean)  # 导出完整信息 asked for (and allowed)
    rows: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(DateTime)
