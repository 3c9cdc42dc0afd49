"""The person registry: residents who signed in, or who were registered from the household feed when first needed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from healthcode.db import Base, bytewise


class Person(Base):
    __tablename__ = "persons"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    id_number: Mapped[str] = mapped_column(bytewise(18), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    phone: Mapped[str | None] = mapped_column(String(20))
    # County-level region where the resident was when first obtaining a code (SPEC glossary); fixed at the first code.
    initial_region_code: Mapped[str | None] = mapped_column(String(6))
    assurance_level: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    signed_in_at: Mapped[datetime | None] = mapped_column(DateTime)
