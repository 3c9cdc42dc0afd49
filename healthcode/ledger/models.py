"""The ledger's one table: entries in the order they were appended, each chained to the one before."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from healthcode.db import Base, bytewise


class LedgerEntry(Base):
    """One act: what (`kind`), who (`actor`, a readable label), about whom (`id_number`, None for acts about no one
    resident, e.g. a feed batch), which row it made (`ref_table`, `ref_id`), the facts (`body`, canonical JSON: ids,
    dates, rule ids and digests, never free text or names) and the chain: `hash` = SHA-256 of `prev_hash` and the
    entry's canonical form (see `ledger.chain`)."""

    __tablename__ = "ledger_entries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime)
    kind: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str] = mapped_column(String(100))
    id_number: Mapped[str | None] = mapped_column(bytewise(18))
    ref_table: Mapped[str | None] = mapped_column(String(40))
    ref_id: Mapped[int | None] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)

    __table_args__ = (Index("ix_ledger_entries_id_number", "id_number"),
                      Index("ix_ledger_entries_ref", "ref_table", "ref_id"))


class LedgerAnchor(Base):
    """What a purge of the ledger leaves behind: the last entry it removed (`last_entry_id`, `last_hash`), how many
    went (`removed`), when (`at`) and the retention's cut-off (`cutoff`). The first entry kept names `last_hash` as its
    predecessor, so `audit verify` starts there. Anchors chain to each other (`prev_seal`, `seal`, see
    `ledger.chain.anchor_seal`) so an altered one shows; they hold no personal data and are never deleted."""

    __tablename__ = "ledger_anchors"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime)
    cutoff: Mapped[datetime] = mapped_column(DateTime)
    last_entry_id: Mapped[int] = mapped_column(Integer)
    last_hash: Mapped[str] = mapped_column(String(64))
    removed: Mapped[int] = mapped_column(Integer)
    prev_seal: Mapped[str] = mapped_column(String(64))
    seal: Mapped[str] = mapped_column(String(64), unique=True)
