"""Tables of the nine data feeds (SPEC section 4), their batches (provenance) and the data providers.

Each feed row remembers the batch that brought it, so a person's reasons can be traced to their source.
Date-times are stored as naive Asia/Shanghai times, with the calendar day beside them for the 14-day windows.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from healthcode.db import Base, bytewise


class Provider(Base):
    """A data provider (国家卫健委, 省统计局, …) with its API key and the feeds it may write."""

    __tablename__ = "feed_providers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 of the API key
    feeds: Mapped[str] = mapped_column(String(300))  # comma-separated feed names
    created_at: Mapped[datetime] = mapped_column(DateTime)


class Batch(Base):
    """One applied (or rejected) batch of one feed: who, when, file hash, row counts."""

    __tablename__ = "feed_batches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    feed: Mapped[str] = mapped_column(String(32), index=True)
    status: Mapped[str] = mapped_column(String(16))  # applied / rejected
    source: Mapped[str] = mapped_column(String(200))  # file name, or "api"
    provider_id: Mapped[int | None] = mapped_column(ForeignKey("feed_providers.id"))
    operator: Mapped[str | None] = mapped_column(String(100))
    sha256: Mapped[str] = mapped_column(String(64))
    rows_read: Mapped[int] = mapped_column(Integer, default=0)
    rows_applied: Mapped[int] = mapped_column(Integer, default=0)
    bad_rows: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[str | None] = mapped_column(Text)  # JSON of the first bad rows, for the status board
    created_at: Mapped[datetime] = mapped_column(DateTime)

    __table_args__ = (Index("ix_feed_batches_feed_sha", "feed", "sha256"),)


def _batch() -> Mapped[int]:
    return mapped_column(ForeignKey("feed_batches.id"), index=True)


class CaseRecord(Base):
    __tablename__ = "feed_cases"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_id: Mapped[int] = _batch()
    row_key: Mapped[str] = mapped_column(String(64), unique=True)
    record_id: Mapped[str | None] = mapped_column(String(64))
    id_number: Mapped[str] = mapped_column(bytewise(18), index=True)
    name: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))  # confirmed / suspected / cleared
    reported_at: Mapped[datetime] = mapped_column(DateTime)


class CloseContactRecord(Base):
    __tablename__ = "feed_close_contacts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_id: Mapped[int] = _batch()
    row_key: Mapped[str] = mapped_column(String(64), unique=True)
    record_id: Mapped[str | None] = mapped_column(String(64))
    id_number: Mapped[str] = mapped_column(bytewise(18), index=True)
    name: Mapped[str] = mapped_column(String(64))
    contact_date: Mapped[date] = mapped_column(Date)
    case_id_number: Mapped[str | None] = mapped_column(bytewise(18))


class TravelRecord(Base):
    __tablename__ = "feed_travel"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_id: Mapped[int] = _batch()
    row_key: Mapped[str] = mapped_column(String(64), unique=True)
    record_id: Mapped[str | None] = mapped_column(String(64))
    trip_id: Mapped[str] = mapped_column(String(64))
    mode: Mapped[str] = mapped_column(String(8))  # train / flight / bus
    travel_date: Mapped[date] = mapped_column(Date)
    id_number: Mapped[str] = mapped_column(bytewise(18), index=True)
    name: Mapped[str] = mapped_column(String(64))
    carriage: Mapped[str | None] = mapped_column(String(16))
    seat_row: Mapped[int | None] = mapped_column(Integer)

    # seat_row last: the computed-contacts query reads the seven rows around a case as one index range.
    __table_args__ = (Index("ix_feed_travel_trip", "trip_id", "travel_date", "seat_row"),)


class ArrivalRecord(Base):
    __tablename__ = "feed_arrivals"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_id: Mapped[int] = _batch()
    id_number: Mapped[str] = mapped_column(bytewise(18), index=True)
    name: Mapped[str] = mapped_column(String(64))
    origin: Mapped[str] = mapped_column(String(200))
    arrived_on: Mapped[date] = mapped_column(Date)
    health_abnormal: Mapped[bool] = mapped_column(Boolean, default=False)


class ClosureRecord(Base):
    __tablename__ = "feed_closures"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_id: Mapped[int] = _batch()
    community: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(300))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    region_code: Mapped[str | None] = mapped_column(String(12))
    source: Mapped[str | None] = mapped_column(String(300))
    # Derived at load: the county the closure resolves to and its normalised community name.
    county_code: Mapped[str | None] = mapped_column(bytewise(6), index=True)
    community_norm: Mapped[str] = mapped_column(bytewise(200))


class HouseholdRecord(Base):
    __tablename__ = "feed_households"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_id: Mapped[int] = _batch()
    id_number: Mapped[str] = mapped_column(bytewise(18), index=True)
    name: Mapped[str] = mapped_column(String(64))
    address: Mapped[str] = mapped_column(String(300))
    region_code: Mapped[str | None] = mapped_column(String(12))
    # Derived at load: the county the address resolves to and the address without its province/city/county prefix.
    county_code: Mapped[str | None] = mapped_column(bytewise(6))
    address_norm: Mapped[str] = mapped_column(bytewise(300))

    # Covering index for closed-community matching: a closure reads its county's addresses from the index alone
    # (1M households x 1,000 closures in ~3 s on SQLite instead of ~25 s of row look-ups).
    __table_args__ = (Index("ix_feed_households_county_address", "county_code", "address_norm", "id_number"),)


class ClinicVisitRecord(Base):
    __tablename__ = "feed_clinic_visits"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_id: Mapped[int] = _batch()
    row_key: Mapped[str] = mapped_column(String(64), unique=True)
    record_id: Mapped[str | None] = mapped_column(String(64))
    id_number: Mapped[str] = mapped_column(bytewise(18), index=True)
    name: Mapped[str] = mapped_column(String(64))
    visited_at: Mapped[datetime] = mapped_column(DateTime)
    visited_on: Mapped[date] = mapped_column(Date)
    department: Mapped[str] = mapped_column(String(100))
    institution: Mapped[str | None] = mapped_column(String(200))


class DrugPurchaseRecord(Base):
    __tablename__ = "feed_drug_purchases"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_id: Mapped[int] = _batch()
    row_key: Mapped[str] = mapped_column(String(64), unique=True)
    record_id: Mapped[str | None] = mapped_column(String(64))
    id_number: Mapped[str] = mapped_column(bytewise(18), index=True)
    name: Mapped[str] = mapped_column(String(64))
    purchased_at: Mapped[datetime] = mapped_column(DateTime)
    purchased_on: Mapped[date] = mapped_column(Date)
    drug_code: Mapped[str] = mapped_column(String(64))
    drug_name: Mapped[str | None] = mapped_column(String(200))
    institution: Mapped[str | None] = mapped_column(String(200))


class FeverDrugCode(Base):
    __tablename__ = "feed_fever_drug_codes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_id: Mapped[int] = _batch()
    drug_code: Mapped[str] = mapped_column(String(64), index=True)
    drug_name: Mapped[str] = mapped_column(String(200))
