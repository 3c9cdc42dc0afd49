"""Queries on the export log."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from healthcode.orgs.export_models import ExportLog
from healthcode.orgs.models import Org


def add(session: Session, entry: ExportLog) -> None:
    session.add(entry)
    session.flush()


def latest(session: Session, org_id: int | None, limit: int) -> list[tuple[ExportLog, str]]:
    """The newest exports with their unit's name: one unit's, or every unit's when org_id is None."""
    query = select(ExportLog, Org.name).join(Org, Org.id == ExportLog.org_id)
    if org_id is not None:
        query = query.where(ExportLog.org_id == org_id)
    rows = session.execute(query.order_by(ExportLog.at.desc(), ExportLog.id.desc()).limit(limit)).all()
    return [(r[0], r[1]) for r in rows]
