"""Queries on accounts and on the throttle's hits."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from healthcode.accounts.models import Account, ThrottleHit


def by_id(session: Session, account_id: int) -> Account | None:
    return session.get(Account, account_id)


def by_username(session: Session, username: str) -> Account | None:
    return session.scalars(select(Account).where(Account.username == username)).first()


def username_taken(session: Session, username: str) -> bool:
    return session.scalar(select(Account.id).where(Account.username == username)) is not None


def throttle_hits_since(session: Session, action: str, key: str, since: datetime) -> list[datetime]:
    """The times of the hits on (action, key) after `since`, newest first."""
    return list(session.scalars(select(ThrottleHit.at).where(ThrottleHit.action == action, ThrottleHit.key == key,
                                                             ThrottleHit.at > since)
                                .order_by(ThrottleHit.at.desc())))


def add_throttle_hit(session: Session, action: str, key: str, at: datetime) -> None:
    session.add(ThrottleHit(action=action, key=key, at=at))
    session.flush()


def prune_throttle_hits(session: Session, action: str, before: datetime) -> None:
    session.execute(delete(ThrottleHit).where(ThrottleHit.action == action, ThrottleHit.at <= before))


def clear_throttle_hits(session: Session, action: str, key: str) -> None:
    session.execute(delete(ThrottleHit).where(ThrottleHit.action == action, ThrottleHit.key == key))


THROTTLE_LOCK_CLASS = 0x68635F74  # first half of the two-key advisory locks of the throttle ("hc_t")


def lock_throttle_key(session: Session, lock_id: int) -> None:
    """PostgreSQL: concurrent hits on one key take turns until their transactions end, so two processes never both
    count the last free attempt. SQLite needs nothing: a request's transaction holds the write lock from its start."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(THROTTLE_LOCK_CLASS, lock_id)))
