"""Queries on in-app messages, the SMS outbox and SMS verification codes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, func, insert, or_, select, update
from sqlalchemy.orm import Session

from healthcode.messages.models import DELIVERED, PENDING, Message, SmsCode, SmsOutbox
from healthcode.orgs.models import Org


def add_many(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        session.execute(insert(Message), list(rows))


def inbox(session: Session, id_number: str, *, limit: int, offset: int = 0) -> list[tuple[Message, str | None]]:
    rows = session.execute(
        select(Message, Org.name).outerjoin(Org, Org.id == Message.sender_org_id)
        .where(Message.recipient_id_number == id_number)
        .order_by(Message.created_at.desc(), Message.id.desc()).limit(limit).offset(offset)
    ).all()
    return [(r[0], r[1]) for r in rows]


def unread_count(session: Session, id_number: str) -> int:
    return session.scalar(
        select(func.count()).select_from(Message)
        .where(Message.recipient_id_number == id_number, Message.read_at.is_(None))
    ) or 0


def own_message(session: Session, id_number: str, message_id: int) -> tuple[Message, str | None] | None:
    row = session.execute(
        select(Message, Org.name).outerjoin(Org, Org.id == Message.sender_org_id)
        .where(Message.id == message_id, Message.recipient_id_number == id_number)
    ).first()
    return (row[0], row[1]) if row else None


def mark_all_read(session: Session, id_number: str, at: datetime) -> int:
    result = session.execute(
        update(Message).where(Message.recipient_id_number == id_number, Message.read_at.is_(None))
        .values(read_at=at)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def add_sms(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        session.execute(insert(SmsOutbox), list(rows))


def sms_outbox(session: Session, phone: str | None = None) -> list[SmsOutbox]:
    query = select(SmsOutbox).order_by(SmsOutbox.id)
    if phone is not None:
        query = query.where(SmsOutbox.phone == phone)
    return list(session.scalars(query))


def has_due_sms(session: Session, now: datetime) -> bool:
    return session.scalar(select(SmsOutbox.id).where(SmsOutbox.status == PENDING, SmsOutbox.next_attempt_at <= now)
                          .limit(1)) is not None


def lock_due_sms(session: Session, now: datetime, limit: int) -> list[SmsOutbox]:
    """Up to `limit` texts due now, oldest due first, locked for this transaction. PostgreSQL: FOR UPDATE SKIP LOCKED,
    so that another dispatcher claiming at the same moment passes over these rows instead of waiting for them. SQLite
    has no row locks (the clause is not emitted): the claiming transaction holds the database's write lock."""
    return list(session.scalars(
        select(SmsOutbox).where(SmsOutbox.status == PENDING, SmsOutbox.next_attempt_at <= now)
        .order_by(SmsOutbox.next_attempt_at, SmsOutbox.id).limit(limit).with_for_update(skip_locked=True)))


def finish_sms_try(session: Session, sms_id: int, attempts: int, values: dict[str, Any]) -> bool:
    """Records a try's outcome on the row, unless another dispatcher claimed it since (its lease ran out): then the
    row is no longer at `attempts` tries and the newer claim records its own outcome."""
    result = session.execute(update(SmsOutbox).where(
        SmsOutbox.id == sms_id, SmsOutbox.status == PENDING, SmsOutbox.attempts == attempts).values(**values))
    return bool(result.rowcount)  # type: ignore[attr-defined]


def sms_counts(session: Session) -> dict[str, int]:
    rows = session.execute(select(SmsOutbox.status, func.count()).group_by(SmsOutbox.status)).all()
    return {status: int(n) for status, n in rows}


def sms_deliveries(session: Session, status: str | None, *, limit: int, offset: int) -> tuple[list[Any], int]:
    """A page of the outbox's delivery states, newest first, and how many there are: no text, no sealed text."""
    where = [SmsOutbox.status == status] if status else []
    rows = session.execute(
        select(SmsOutbox.id, SmsOutbox.phone, SmsOutbox.status, SmsOutbox.attempts, SmsOutbox.last_error,
               SmsOutbox.created_at, SmsOutbox.next_attempt_at, SmsOutbox.delivered_at)
        .where(*where).order_by(SmsOutbox.id.desc()).limit(limit).offset(offset)).all()
    total = session.scalar(select(func.count()).select_from(SmsOutbox).where(*where)) or 0
    return list(rows), total


def delete_sms_before(session: Session, before: datetime) -> int:
    """Deletes the texts delivered before `before`, and the others (failed, or still waiting) written before it."""
    delivered = and_(SmsOutbox.status == DELIVERED,
                     func.coalesce(SmsOutbox.delivered_at, SmsOutbox.created_at) < before)
    others = and_(SmsOutbox.status != DELIVERED, SmsOutbox.created_at < before)
    result = session.execute(delete(SmsOutbox).where(or_(delivered, others)))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def delete_sms_codes_before(session: Session, before: datetime) -> int:
    result = session.execute(delete(SmsCode).where(SmsCode.created_at < before))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def latest_sms_code(session: Session, phone: str, purpose: str) -> SmsCode | None:
    return session.scalars(select(SmsCode).where(SmsCode.phone == phone, SmsCode.purpose == purpose)
                           .order_by(SmsCode.created_at.desc(), SmsCode.id.desc()).limit(1)).first()


def sms_codes_sent_since(session: Session, phone: str, since: datetime) -> int:
    return session.scalar(select(func.count()).select_from(SmsCode)
                          .where(SmsCode.phone == phone, SmsCode.created_at >= since)) or 0


def count_sms_code_try(session: Session, code_id: int) -> int:
    """One more wrong try of the code (counted in the database, not read and written back: two tries at once both
    count); returns the tries so far."""
    session.execute(update(SmsCode).where(SmsCode.id == code_id).values(attempts=SmsCode.attempts + 1))
    return session.scalar(select(SmsCode.attempts).where(SmsCode.id == code_id)) or 0
