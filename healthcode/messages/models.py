"""In-app messages (站内消息) to residents, and the development SMS outbox."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text
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


class SmsOutbox(Base):
    """Text messages waiting for (or handed to) the SMS gateway; in development the table is the gateway."""

    __tablename__ = "sms_outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    phone: Mapped[str] = mapped_column(String(20))
    body: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)


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
