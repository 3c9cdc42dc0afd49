"""Tables of what console users did: the audit of views of a person's data, the account retrievals of the
政务信息网 page and the password resets by a superior unit."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from healthcode.db import Base


class DataAccess(Base):
    """One view of personal data in the console (PIPL art. 28, SPEC section 10): who, when, whose data, why."""

    __tablename__ = "console_data_access"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    username: Mapped[str] = mapped_column(String(64))
    org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id"))
    subject: Mapped[str] = mapped_column(String(16))  # person / export
    person_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"))
    purpose: Mapped[str] = mapped_column(String(100))
    detail: Mapped[str | None] = mapped_column(String(300))  # e.g. the filters of an export
    at: Mapped[datetime] = mapped_column(DateTime)

    __table_args__ = (Index("ix_console_data_access_org_at", "org_id", "at"),
                      Index("ix_console_data_access_person", "person_id"))


class AccountRetrieval(Base):
    """One attempt on the 账号获取 page, answered or not: the unit it named (None when no unit has the USCC), the
    USCC as entered, the client address and the outcome (RETRIEVAL_OUTCOMES). Shown to the unit's admin and to its
    superior unit's admin."""

    __tablename__ = "account_retrievals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int | None] = mapped_column(ForeignKey("orgs.id"), index=True)
    uscc: Mapped[str] = mapped_column(String(18), server_default="")
    at: Mapped[datetime] = mapped_column(DateTime)
    client_ip: Mapped[str] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(16), server_default="issued")


RETRIEVAL_OUTCOMES = {"issued": "已发放密码", "refused": "已拒绝（账号已发放或已使用）", "mismatch": "名称与代码不匹配",
                      "not_government": "非机关事业单位", "invalid": "输入有误", "rate_limited": "尝试过于频繁"}


class AccountReset(Base):
    """A unit's admin password reset in the console by its superior unit's admin or by the health authority: who,
    from which unit and address, when."""

    __tablename__ = "account_resets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id"), index=True)
    by_org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id"), index=True)
    by_username: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(DateTime)
    client_ip: Mapped[str] = mapped_column(String(64))
