"""Tables of 经办人 (enterprise operators who sign in to the enterprise console by personal real-name verification):
who is associated with which enterprise, and the audit of associations, additions, removals and sign-ins."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from healthcode.db import Base, bytewise

ROLE_REGISTERED = "registered"  # the operator named in the enterprise's registration, associated themselves
ROLE_ADDED = "added"  # added by someone already in the enterprise console
ROLE_LEGAL = "legal"  # the legal representative, by their L4 real-name sign-in with the registered ID number


class EnterpriseOperator(Base):
    """A person (by ID number) who may enter an enterprise's console after real-name sign-in."""

    __tablename__ = "enterprise_operators"
    __table_args__ = (UniqueConstraint("org_id", "id_number", name="uq_enterprise_operators_org_person"),
                      Index("ix_enterprise_operators_id_number", "id_number"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"))
    id_number: Mapped[str] = mapped_column(bytewise(18))
    name: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    created_by: Mapped[str] = mapped_column(String(64))


class OperatorEvent(Base):
    """One association, addition, removal, sign-in or refused association: who, on which enterprise, when."""

    __tablename__ = "enterprise_operator_events"
    __table_args__ = (Index("ix_enterprise_operator_events_org_at", "org_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int | None] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"))
    id_number: Mapped[str] = mapped_column(bytewise(18))  # whose association
    action: Mapped[str] = mapped_column(String(16))  # associate / refused / add / remove / login / verify
    by: Mapped[str] = mapped_column(String(64))  # who did it (the operator themselves, or the console user)
    at: Mapped[datetime] = mapped_column(DateTime)
    detail: Mapped[str | None] = mapped_column(String(200))
