"""Every query of printed cards (issue 16)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete, exists, or_, select, update
from sqlalchemy.orm import Session

from healthcode.codes.models import PrintedCard


def live_card(session: Session, person_id: int) -> PrintedCard | None:
    """The person's card not revoked (at most one: the partial unique index), expired or not."""
    return session.scalars(
        select(PrintedCard).where(PrintedCard.person_id == person_id, PrintedCard.revoked_at.is_(None))).first()


def live_cards(session: Session, person_ids: Iterable[int]) -> dict[int, PrintedCard]:
    """The cards not revoked of these persons, by person (the family page lists the resident's and his relatives')."""
    ids = list(person_ids)
    if not ids:
        return {}
    rows = session.scalars(
        select(PrintedCard).where(PrintedCard.person_id.in_(ids), PrintedCard.revoked_at.is_(None)))
    return {row.person_id: row for row in rows}


def card_by_card_id(session: Session, card_id: bytes) -> PrintedCard | None:
    return session.scalars(select(PrintedCard).where(PrintedCard.card_id == card_id)).first()


def serial_taken(session: Session, serial: str) -> bool:
    return bool(session.scalar(select(exists().where(PrintedCard.serial == serial))))


def revoke_live(session: Session, person_id: int, now: datetime, by: str) -> int:
    """Revokes the person's card not revoked yet; how many (0 or 1)."""
    result = session.execute(
        update(PrintedCard).where(PrintedCard.person_id == person_id, PrintedCard.revoked_at.is_(None))
        .values(revoked_at=now, revoked_by=by).execution_options(synchronize_session=False))
    return int(getattr(result, "rowcount", 0) or 0)


def add(session: Session, card: PrintedCard) -> None:
    session.add(card)
    session.flush()


def delete_ended_before(session: Session, before: datetime) -> int:
    """Deletes the cards revoked or expired before `before`."""
    result = session.execute(delete(PrintedCard).where(or_(PrintedCard.revoked_at < before,
                                                            PrintedCard.expires_at < before)))
    return int(getattr(result, "rowcount", 0) or 0)
