"""Messages to residents: send (one or many), the inbox, reading. Sending is part of the caller's transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from healthcode.messages import repository, sms
from healthcode.messages.errors import MessageNotFound
from healthcode.messages.models import Message, SmsOutbox


@dataclass(frozen=True)
class InboxItem:
    id: int
    title: str
    body: str
    sender: str
    created_at: datetime
    read: bool


def send(session: Session, recipients: Sequence[str], *, title: str, body: str, now: datetime,
         sender_org_id: int | None = None, topic: str | None = None,
         sms_to: Sequence[str] = ()) -> int:
    """Puts the message into each recipient's inbox (ID numbers) and, when phones are given, queues a text too."""
    repository.add_many(session, [
        {"recipient_id_number": r, "title": title, "body": body, "sender_org_id": sender_org_id, "topic": topic,
         "created_at": now, "read_at": None}
        for r in recipients
    ])
    if sms_to:
        sms.sender().send(session, [(p, f"【八闽健康码】{body}") for p in sms_to], now)
    return len(recipients)


def inbox(session: Session, id_number: str, *, limit: int = 50, offset: int = 0) -> list[InboxItem]:
    return [_item(m, org) for m, org in repository.inbox(session, id_number, limit=limit, offset=offset)]


def unread_count(session: Session, id_number: str) -> int:
    return repository.unread_count(session, id_number)


def read(session: Session, id_number: str, message_id: int, now: datetime) -> InboxItem:
    """One of the resident's own messages, marked read; another resident's message is not found."""
    found = repository.own_message(session, id_number, message_id)
    if found is None:
        raise MessageNotFound()
    message, org = found
    if message.read_at is None:
        message.read_at = now
    return _item(message, org)


def mark_all_read(session: Session, id_number: str, now: datetime) -> int:
    return repository.mark_all_read(session, id_number, now)


def outbox(session: Session, phone: str | None = None) -> list[SmsOutbox]:
    """The texts of the SMS outbox, oldest first (of one phone when given): the development gateway's page."""
    return repository.sms_outbox(session, phone)


def _item(message: Message, org: str | None) -> InboxItem:
    return InboxItem(message.id, message.title, message.body, org or "八闽健康码", message.created_at,
                     message.read_at is not None)
