"""The rule set in force, as the health authority switched it: one row per switch (who, when, from what to what); the
newest row names the set in force, and with no row at all the settings' `rule_set` is (rules/in_force.py)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from healthcode.db import Base


class RuleSetSwitch(Base):
    __tablename__ = "rule_set_switches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    rule_set: Mapped[str] = mapped_column(String(64))  # the set in force from `at`
    previous: Mapped[str] = mapped_column(String(64))  # the set in force until then
    switched_by: Mapped[str] = mapped_column(String(64))  # the authority admin's username
    org_id: Mapped[int | None] = mapped_column(Integer)  # the authority's unit
    at: Mapped[datetime] = mapped_column(DateTime)
    preview: Mapped[str | None] = mapped_column(Text)  # the what-if figures shown when confirming (JSON)
