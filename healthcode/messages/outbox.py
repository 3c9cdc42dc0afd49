"""The delivery states of the SMS outbox, each change one short transaction of the dispatcher: claiming the texts due
(a try counted, a lease taken), and recording what the gateway answered (delivered; retried after a backoff; failed
after the last try). Also the counts and the list the health authority sees. Nothing here talks HTTP."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from healthcode.messages import repository, sealing
from healthcode.messages.models import DELIVERED, FAILED, SMS_STATES, SmsOutbox

# A text carrying a secret (a verification code, valid 5 minutes) is not delivered later than this after it was
# written: a stale code is useless to its reader, and its sealed text is wiped instead.
SECRET_DELIVERY_WINDOW = timedelta(minutes=5)
EXPIRED = "验证码已过期，未投递"
UNREADABLE = "密文无法解开（密钥已更换），未投递"


@dataclass(frozen=True)
class Claimed:
    """A text a dispatcher has claimed: it posts `text` to `phone`, then records the outcome at `attempts` tries."""

    id: int
    phone: str
    text: str
    attempts: int


@dataclass
class Tally:
    delivered: int = 0
    retrying: int = 0
    failed: int = 0

    def add(self, other: Tally) -> None:
        self.delivered += other.delivered
        self.retrying += other.retrying
        self.failed += other.failed

    @property
    def total(self) -> int:
        return self.delivered + self.retrying + self.failed

    def summary(self) -> str:
        return f"短信投递：已送达 {self.delivered} 条，待重试 {self.retrying} 条，已失败 {self.failed} 条（不再重试）"


def claim(session: Session, now: datetime, *, limit: int, lease: timedelta, secret_key: str
          ) -> tuple[list[Claimed], Tally]:
    """Claims up to `limit` due texts: each gets one more try counted and is not due again before `now + lease`
    (a dispatcher that dies mid-try leaves it to be tried again then). A text whose secret is past its window, or
    whose sealed text does not open, fails here without a try (counted in the tally)."""
    claimed, tally = [], Tally()
    for row in repository.lock_due_sms(session, now, limit):
        text, problem = _text(row, now, secret_key)
        if problem is not None:
            _close(row, FAILED, problem)
            tally.failed += 1
            continue
        row.attempts += 1
        row.next_attempt_at = now + lease
        claimed.append(Claimed(row.id, row.phone, text, row.attempts))
    session.flush()
    return claimed, tally


def _text(row: SmsOutbox, now: datetime, secret_key: str) -> tuple[str, str | None]:
    if row.sealed is None:
        return row.body, None
    if now - row.created_at > SECRET_DELIVERY_WINDOW:
        return "", EXPIRED
    try:
        return sealing.unseal(secret_key, row.phone, row.sealed), None
    except sealing.Unreadable:
        return "", UNREADABLE


def _close(row: SmsOutbox, status: str, error: str) -> None:
    row.status, row.last_error, row.next_attempt_at, row.sealed = status, error, None, None


@dataclass(frozen=True)
class Retry:
    """The retry policy: at most `max_attempts` tries, about base x 2^(tries-1) seconds apart, at most `cap`."""

    max_attempts: int
    base_seconds: float
    cap_seconds: float
    rand: Callable[[], float] = random.random

    def delay(self, attempts: int) -> timedelta:
        """After the `attempts`-th try: the exponential delay with jitter (between half of it and all of it), so
        that texts that failed together (a gateway outage) do not all come back in the same second."""
        full = min(self.cap_seconds, self.base_seconds * 2 ** (attempts - 1))
        return timedelta(seconds=full * (0.5 + 0.5 * self.rand()))


def record(session: Session, outcomes: Sequence[tuple[Claimed, str | None]], now: datetime, retry: Retry) -> Tally:
    """Records each claimed text's outcome (None: the gateway answered 2xx; else a short error, no personal data)."""
    tally = Tally()
    for text, error in outcomes:
        values: dict[str, Any]
        if error is None:
            values = {"status": DELIVERED, "delivered_at": now, "next_attempt_at": None, "sealed": None}
        elif text.attempts >= retry.max_attempts:
            values = {"status": FAILED, "last_error": error, "next_attempt_at": None, "sealed": None}
        else:
            values = {"last_error": error, "next_attempt_at": now + retry.delay(text.attempts)}
        if not repository.finish_sms_try(session, text.id, text.attempts, values):
            continue  # claimed again since by another dispatcher, which records its own try
        if error is None:
            tally.delivered += 1
        elif values.get("status") == FAILED:
            tally.failed += 1
        else:
            tally.retrying += 1
    return tally


def purge(session: Session, now: datetime, retention_days: int) -> int:
    """Deletes the texts past their retention (`healthcode purge`): delivered ones `retention_days` after delivery;
    failed ones and ones still waiting that long after they were written. The outbox keeps no time of giving up: a
    text fails within its tries' backoff (about half an hour by default) or its secret's five minutes of being
    written, and one still waiting after `retention_days` (no gateway all that time) is no longer worth sending."""
    return repository.delete_sms_before(session, now - timedelta(days=retention_days))


# --- what the health authority sees ---------------------------------------------------------------------------------

def counts(session: Session) -> dict[str, int]:
    """Texts per delivery state (every state listed, zero or not)."""
    found = repository.sms_counts(session)
    return {state: found.get(state, 0) for state in SMS_STATES}


def deliveries(session: Session, status: str | None, *, limit: int, offset: int) -> tuple[list[Any], int]:
    return repository.sms_deliveries(session, status if status in SMS_STATES else None, limit=limit, offset=offset)
