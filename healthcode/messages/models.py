"""In-app messages (站内消息) to residents, the SMS outbox (a transactional outbox: texts written in the caller's
transaction, delivered after the commit by messages/dispatch.py), and SMS verification codes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from healthcode.db import Base, bytewise


class Message(Base):
    """A message in a resident's inbox, addressed by ID number so that it waits for a resident who never signed in."""

    __tablename__ = "messages"
    __table_args__ = (Index("ix_messages_recipient_created", "recipient_id_number", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    recipient_id_number: Mapped[str] = mapped_column(bytewise(18))
    title: Mapped[str] = mapped_column(String(100))
    body: Mapped[str] = mapped_column(Text)
    sender_org_id: Mapped[int | None] = mapped_column(ForeignKey("orgs.id", ondelete="SET NULL"), index=True)
    # What the message is about, so that a sender can tell it already sent one (e.g. `reminder:2020-02-24`).
    topic: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    read_at: Mapped[datetime | None] = mapped_column(DateTime)


# Delivery states of an outbox row: waiting (or being tried), handed to the gateway (2xx), given up.
PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"
SMS_STATES = (PENDING, DELIVERED, FAILED)


class SmsOutbox(Base):
    """A text message for the SMS gateway, written in the transaction that decided to send it (a rollback sends
    nothing) and delivered by the dispatcher after the commit; with no gateway configured (development) the table
    is where texts stay.

    `body` is what may be shown: a verification code in it reads ******. What the gateway needs of such a text is
    in `sealed` (AES-GCM under a key derived from the secret key, messages/sealing.py) until the row is delivered
    or failed, then NULL."""

    __tablename__ = "sms_outbox"
    __table_args__ = (Index("ix_sms_outbox_status_next", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    phone: Mapped[str] = mapped_column(String(20))
    body: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    status: Mapped[str] = mapped_column(String(12), default=PENDING, server_default=PENDING)
    # Tries made so far (one is counted when a dispatcher claims the row, before it posts).
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # When a dispatcher may (next) try it: the write time, then the end of a claim's lease or of a backoff; NULL once
    # delivered or failed.
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_error: Mapped[str | None] = mapped_column(String(200))  # "HTTP 503", "超时": never the text or the phone
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime)
    sealed: Mapped[bytes | None] = mapped_column(LargeBinary)


class SmsCode(Base):
    __tablename__ = "sms_codes"
    __table_args__ = (Index("ix_sms_codes_phone_created", "phone", "purpose", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    phone: Mapped[str] = mapped_column(String(11))
    purpose: Mapped[str] = mapped_column(String(24))
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    used_at: Mapped[datetime | None] = mapped_column(DateTime)
