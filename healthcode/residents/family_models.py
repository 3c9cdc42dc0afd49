"""The family_links table: which relatives a resident applies for codes for (为家人申领); family_views: each time a
resident was shown a relative's code or its reasons (SPEC section 10: every view of a person's data is logged)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from healthcode.db import Base


class FamilyLink(Base):
    """An applicant's request to show a relative's code. It shows only while active: the relative confirmed it from
    his own sign-in (confirmed_at), or guardianship holds from official data now (family.guardianship); never once the
    relative refused or ended it (refused_at)."""

    __tablename__ = "family_links"
    __table_args__ = (UniqueConstraint("owner_id", "member_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"), index=True)
    relation: Mapped[str] = mapped_column(String(20))
    # The relative's name as the applicant entered it: shown to him until the link is active, and to the relative
    # when it is not his real name (it is never compared: that would tell a stranger whose ID number it is).
    name: Mapped[str] = mapped_column(String(64), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(DateTime)
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime)
    refused_at: Mapped[datetime | None] = mapped_column(DateTime)


class FamilyView(Base):
    """One showing of a relative's data to the resident who applies for them: who, whose, what (code / reasons), when.
    The relation on their family link is the why."""

    __tablename__ = "family_views"
    __table_args__ = (Index("ix_family_views_member_at", "member_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"))
    what: Mapped[str] = mapped_column(String(16))  # code / reasons
    at: Mapped[datetime] = mapped_column(DateTime)
