"""Every query of the manual flags' use cases (the rules read approved flags in rules/repository.py)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from healthcode.rules.manual_models import PROPOSED, ManualFlag

LIST_LIMIT = 200


def add(session: Session, flag: ManualFlag) -> None:
    session.add(flag)
    session.flush()


def for_update(session: Session, flag_id: int) -> ManualFlag | None:
    """The flag, locked until the transaction ends (PostgreSQL; SQLite's writers take turns anyway), so that two
    users deciding at once cannot both decide it."""
    return session.scalars(select(ManualFlag).where(ManualFlag.id == flag_id).with_for_update()).first()


def pending_of(session: Session, id_number: str) -> ManualFlag | None:
    return session.scalars(select(ManualFlag).where(ManualFlag.id_number == id_number, ManualFlag.state == PROPOSED)
                           .limit(1)).first()


def newest(session: Session, limit: int = LIST_LIMIT) -> list[ManualFlag]:
    """The newest flags first, whatever their state."""
    return list(session.scalars(select(ManualFlag).order_by(ManualFlag.id.desc()).limit(limit)))
