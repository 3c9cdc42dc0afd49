"""The SMS adapter interface. The default writes to the development outbox table; a production gateway is another
implementation of `SmsSender`, chosen where the app is built."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from sqlalchemy.orm import Session

from healthcode.messages import repository

SECRET_MASK = "******"


class SmsSender(Protocol):
    def send(self, session: Session, texts: Sequence[tuple[str, str]], now: datetime, *,
             secret: str | None = None) -> None:
        """Queues (phone, text) pairs; runs inside the caller's transaction, so a rollback sends nothing.

        `secret` is a part of the texts (a verification code) that is never stored: the outbox row keeps the text
        with it replaced by `SECRET_MASK` (`stored_text`). A gateway delivers the full text it was handed here (after
        the commit) and stores the same masked row."""


def stored_text(text: str, secret: str | None) -> str:
    return text.replace(secret, SECRET_MASK) if secret else text


class OutboxSms:
    """Development and test gateway: the texts stay in the sms_outbox table for a person (or a test) to read."""

    def send(self, session: Session, texts: Sequence[tuple[str, str]], now: datetime, *,
             secret: str | None = None) -> None:
        repository.add_sms(session, [{"phone": p, "body": stored_text(t, secret)[:500], "created_at": now}
                                     for p, t in texts])


_sender: SmsSender = OutboxSms()


def sender() -> SmsSender:
    return _sender


def use_sender(new: SmsSender) -> None:
    """Installs the production gateway (called once at start-up)."""
    global _sender
    _sender = new
