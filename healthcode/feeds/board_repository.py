"""Queries of the health authority's feed pages: the newest batch of each feed, and the current fever-drug codes."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from healthcode.feeds.models import Batch, FeverDrugCode


def latest_batches(session: Session) -> dict[str, Batch]:
    """The newest batch of every feed that ever had one (any status)."""
    newest = select(Batch.feed, func.max(Batch.id).label("id")).group_by(Batch.feed).subquery()
    rows = session.scalars(select(Batch).join(newest, newest.c.id == Batch.id))
    return {b.feed: b for b in rows}


def latest_applied(session: Session) -> dict[str, Batch]:
    newest = (select(Batch.feed, func.max(Batch.id).label("id")).where(Batch.status == "applied")
              .group_by(Batch.feed).subquery())
    rows = session.scalars(select(Batch).join(newest, newest.c.id == Batch.id))
    return {b.feed: b for b in rows}


def fever_drug_codes(session: Session, search: str, offset: int, limit: int) -> tuple[list[FeverDrugCode], int]:
    stmt = select(FeverDrugCode)
    if search:
        pattern = f"%{search}%"
        stmt = stmt.where(FeverDrugCode.drug_code.like(pattern) | FeverDrugCode.drug_name.like(pattern))
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = list(session.scalars(stmt.order_by(FeverDrugCode.drug_code).offset(offset).limit(limit)))
    return rows, total
