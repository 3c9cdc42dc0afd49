"""Sending a text message: a row in the SMS outbox, written in the caller's transaction (a rollback sends nothing).
The dispatcher (messages/dispatch.py) delivers the rows to the gateway after the commit; with no gateway configured
(development) they stay in the table for the /dev/sms page."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Protocol

from sqlalchemy import event
from sqlalchemy.orm import Session

from healthcode.messages import repository, sealing
from healthcode.messages.models import PENDING

SECRET_MASK = "******"


class SmsSender(Protocol):
    def send(self, session: Session, texts: Sequence[tuple[str, str]], now: datetime, *,
             secret: str | None = None, secret_key: str | None = None) -> None:
        """Queues (phone, text) pairs; runs inside the caller's transaction, so a rollback sends nothing.

        `secret` is a part of the texts (a verification code) that is never stored in plain: the row's `body` keeps
        the text with it replaced by `SECRET_MASK` (`stored_text`), and the full text is sealed under `secret_key`
        for the gateway (messages/sealing.py) until the row is delivered or failed."""


def stored_text(text: str, secret: str | None) -> str:
    return text.replace(secret, SECRET_MASK) if secret else text


class OutboxSms:
    """The outbox: texts wait in the sms_outbox table for the dispatcher (or, in development, for a person to read)."""

    def send(self, session: Session, texts: Sequence[tuple[str, str]], now: datetime, *,
             secret: str | None = None, secret_key: str | None = None) -> None:
        if secret and not secret_key:
            raise ValueError("a text with a secret needs the key that seals it")
        repository.add_sms(session, [
            {"phone": p, "body": stored_text(t, secret)[:500], "created_at": now, "status": PENDING, "attempts": 0,
             "next_attempt_at": now, "sealed": sealing.seal(secret_key, p, t) if secret and secret_key else None}
            for p, t in texts])
        if texts:
            event.listen(session, "after_commit", _wake_dispatchers, once=True)


_sender: SmsSender = OutboxSms()


def sender() -> SmsSender:
    return _sender


# --- waking the dispatchers of this process after a commit that wrote texts ------------------------------------------

_wakers: set[Callable[[], None]] = set()
_wakers_lock = threading.Lock()


def on_texts_committed(wake: Callable[[], None]) -> Callable[[], None]:
    """Calls `wake` (from the committing thread) after each commit that wrote texts, until the returned function is
    called. The server's dispatcher uses it to deliver at once instead of at its next poll."""
    with _wakers_lock:
        _wakers.add(wake)

    def stop() -> None:
        with _wakers_lock:
            _wakers.discard(wake)

    return stop


def _wake_dispatchers(_session: Session) -> None:
    with _wakers_lock:
        wakers = list(_wakers)
    for wake in wakers:
        wake()
