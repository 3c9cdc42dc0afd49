"""Every query of the corrections: the condition that keeps a corrected record out of a person's facts (used by the
facts statement, hence by the code, the status and the scan's one statement on PostgreSQL), and the rows."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, exists, select
from sqlalchemy.orm import Session

from healthcode.rules.correction_models import Correction


def not_corrected(who: Any, feed: str, key: Any, on: Any = None) -> ColumnElement[bool]:
    """No correction of `who` names this record of `feed`: by its key alone (keyed feeds: `row_key`), or by its key
    and day (records identified by their content). One probe of ix_corrections_person_record per fact row."""
    k = Correction.__table__.c
    conditions = [k.id_number == who, k.feed == feed, k.record_key == key]
    if on is not None:
        conditions.append(k.record_on == on)
    return ~exists().where(*conditions)


def add(session: Session, correction: Correction) -> Correction:
    session.add(correction)
    session.flush()
    return correction


def of_person(session: Session, id_number: str) -> list[Correction]:
    return list(session.scalars(select(Correction).where(Correction.id_number == id_number)
                                .order_by(Correction.id)))


def of_appeal(session: Session, appeal_id: int) -> list[Correction]:
    return list(session.scalars(select(Correction).where(Correction.appeal_id == appeal_id)
                                .order_by(Correction.id)))
