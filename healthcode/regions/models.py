"""Epidemic levels of county-level regions (with their history) and the editable policy text of each level."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from healthcode.db import Base


class RegionLevel(Base):
    """One setting of a region's level; the region's current level is its newest row (none: level 0)."""

    __tablename__ = "region_levels"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(6))
    level: Mapped[int] = mapped_column(Integer)
    set_by: Mapped[str] = mapped_column(String(64))
    set_at: Mapped[datetime] = mapped_column(DateTime)

    __table_args__ = (Index("ix_region_levels_code_set_at", "code", "set_at"),)


class RegionPolicy(Base):
    """An edited policy of a level; a level without a row uses the default text of the rule book."""

    __tablename__ = "region_policies"

    level: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    headline: Mapped[str] = mapped_column(String(100))
    text: Mapped[str] = mapped_column(Text)
    updated_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(DateTime)
