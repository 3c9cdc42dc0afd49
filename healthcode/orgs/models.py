"""Organisations (government units, enterprises, communities) with their hierarchy, and their admin accounts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, false
from sqlalchemy.orm import Mapped, mapped_column

from healthcode.db import Base

KINDS = {"government": "机关事业单位", "enterprise": "企业", "community": "社区（村）"}


class Org(Base):
    __tablename__ = "orgs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    uscc: Mapped[str] = mapped_column(String(18), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    region_code: Mapped[str | None] = mapped_column(String(6))
    # The superior unit: reports roll up along this link.
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("orgs.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    # A self-registered enterprise until its legal representative proves the registration (SMS code or real-name
    # sign-in): its admin signs in only to the verification step (enterprise/verification.py).
    pending_verification: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class OrgAdmin(Base):
    """The 法人用户 of an organisation: its admin account (`name` None, username its USCC). The health authority also
    has named users (审核人员, `name` set, `healthcode org add-user`): each signs in to the console with an account of
    his own, so that a manual flag can be proposed by one and approved by another (healthcode/manualflags)."""

    __tablename__ = "org_admins"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), unique=True)
    name: Mapped[str | None] = mapped_column(String(50))
    created_at: Mapped[datetime] = mapped_column(DateTime)
