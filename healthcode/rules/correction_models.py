"""Corrections (issue 16): a source record that an upheld appeal found wrong, suppressed for one resident's colour.

A correction is data like a feed, in a table of its own, so that it survives a reload of the feed it corrects (a
snapshot replaces its feed's rows). It names the record by an identity that outlives the row (docs/decisions.md,
"Appeals and corrections"): the feed's `row_key` for the keyed feeds (the provider's `record_id`, else the hash of the
required columns), and the fact's content for the others (`record_key` + `record_on`): arrivals by origin and arrival
date, closures by community and start date, computed contacts by trip and travel date."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from healthcode.db import Base, bytewise

# The feeds whose records a correction can name: the record's identity is `row_key` (keyed) or its content.
KEYED_FEEDS = ("cases", "close_contacts", "clinic_visits", "drug_purchases")
CONTENT_FEEDS = ("arrivals", "closures", "travel")  # travel: a computed contact (trip_id, travel_date)


class Correction(Base):
    __tablename__ = "corrections"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    id_number: Mapped[str] = mapped_column(bytewise(18))
    feed: Mapped[str] = mapped_column(String(32))
    record_key: Mapped[str] = mapped_column(String(200))  # row_key, or origin / community / trip_id
    record_on: Mapped[date | None] = mapped_column(Date)  # the record's day (part of the identity for CONTENT_FEEDS)
    rule: Mapped[str] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(Text)  # why, in the authority's words (the resident reads it)
    appeal_id: Mapped[int | None] = mapped_column(Integer)  # no foreign key: the appeal is purged, the correction stays
    made_by: Mapped[str] = mapped_column(String(100))  # the stored 操作人 (the authority's USCC)
    made_at: Mapped[datetime] = mapped_column(DateTime)

    __table_args__ = (Index("ix_corrections_person_record", "id_number", "feed", "record_key"),)
