"""Every query of the appeals table."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from healthcode.appeals.models import OPEN, Appeal


def add(session: Session, appeal: Appeal) -> Appeal:
    session.add(appeal)
    session.flush()
    return appeal


def get(session: Session, appeal_id: int, *, for_update: bool = False) -> Appeal | None:
    statement = select(Appeal).where(Appeal.id == appeal_id)
    if for_update:
        statement = statement.with_for_update()
    return session.scalars(statement).first()


def open_for(session: Session, id_number: str, rule: str) -> Appeal | None:
    return session.scalars(select(Appeal).where(Appeal.id_number == id_number, Appeal.rule == rule,
                                                Appeal.state == OPEN)).first()


def of_person(session: Session, id_number: str) -> list[Appeal]:
    return list(session.scalars(select(Appeal).where(Appeal.id_number == id_number)
                                .order_by(Appeal.filed_at.desc(), Appeal.id.desc())))


def listing(session: Session, state: str | None, limit: int, offset: int) -> tuple[list[Appeal], int]:
    """The appeals for the authority: open ones first, by deadline; then decided ones, newest first."""
    statement = select(Appeal)
    counting = select(func.count()).select_from(Appeal)
    if state:
        statement, counting = statement.where(Appeal.state == state), counting.where(Appeal.state == state)
    order = (Appeal.state != OPEN, Appeal.due_at, Appeal.id)
    rows = list(session.scalars(statement.order_by(*order).limit(limit).offset(offset)))
    return rows, session.scalar(counting) or 0


def expired(session: Session, decided_before: datetime) -> list[Appeal]:
    """Decided appeals past their retention (open ones are never purged)."""
    return list(session.scalars(select(Appeal).where(Appeal.state != OPEN, Appeal.decided_at < decided_before)))


def delete_ids(session: Session, ids: list[int]) -> int:
    if not ids:
        return 0
    return int(session.execute(delete(Appeal).where(Appeal.id.in_(ids))).rowcount or 0)  # type: ignore[attr-defined]


def evidence_names(session: Session) -> set[str]:
    return set(session.scalars(select(Appeal.evidence_file).where(Appeal.evidence_file.is_not(None))))
