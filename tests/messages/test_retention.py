"""Retention of the SMS outbox and of verification codes (`healthcode purge`): a delivered text goes
`sms_retention_days` after delivery, a failed or still waiting one that long after it was written; a code after a
day."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from healthcode.messages import outbox, sms_codes
from healthcode.messages.models import DELIVERED, FAILED, PENDING, SmsCode, SmsOutbox

NOW = datetime(2020, 3, 30, 3, 0)
DAYS = 30


def _text(db: Session, body: str, status: str, written: datetime, delivered: datetime | None = None) -> None:
    db.add(SmsOutbox(phone="13912345678", body=body, created_at=written, status=status, attempts=1,
                     next_attempt_at=written if status == PENDING else None, delivered_at=delivered))


def _values(db: Session, column: Any) -> list[str]:
    db.expire_all()
    return sorted(db.scalars(select(column)))


def test_given_texts_in_every_state_when_purging_then_only_those_past_retention_go(db: Session) -> None:
    # Given texts delivered, failed and waiting, some past the 30 days and some inside them
    long_ago, lately = NOW - timedelta(days=DAYS, minutes=1), NOW - timedelta(days=DAYS - 1)
    _text(db, "送达已久", DELIVERED, long_ago - timedelta(hours=1), long_ago)
    _text(db, "写于31天前、29天前才送达", DELIVERED, NOW - timedelta(days=31), lately)
    _text(db, "失败已久", FAILED, long_ago)
    _text(db, "新近失败", FAILED, lately)
    _text(db, "待发已久", PENDING, long_ago)
    _text(db, "待发", PENDING, NOW - timedelta(minutes=5))
    db.commit()
    # When the outbox is purged (in the caller's transaction)
    deleted = outbox.purge(db, NOW, DAYS)
    db.commit()
    # Then what was delivered, failed or written more than 30 days ago is gone; the rest, pending text included, stays
    assert deleted == 3
    assert _values(db, SmsOutbox.body) == sorted(["写于31天前、29天前才送达", "新近失败", "待发"])


def test_given_the_same_texts_when_purged_again_later_then_the_recent_ones_go_in_their_turn(db: Session) -> None:
    _text(db, "新近送达", DELIVERED, NOW - timedelta(days=2), NOW - timedelta(days=1))
    db.commit()
    assert outbox.purge(db, NOW, DAYS) == 0
    assert outbox.purge(db, NOW + timedelta(days=DAYS), DAYS) == 1
    db.commit()
    assert _values(db, SmsOutbox.body) == []


def test_given_codes_of_today_and_of_yesterday_when_purging_then_those_older_than_a_day_go(db: Session) -> None:
    # Given a code of 25 hours ago (long expired, out of the daily count) and one of 23 hours ago (still counted)
    for hours, purpose in ((25, "old"), (23, "counted")):
        written = NOW - timedelta(hours=hours)
        db.add(SmsCode(phone="13912345678", purpose=purpose, code_hash="0" * 64, created_at=written,
                       expires_at=written + sms_codes.TTL, attempts=0))
    db.commit()
    # When purging
    deleted = sms_codes.purge(db, NOW)
    db.commit()
    # Then only the older one is gone: the one still counted against the phone's ten a day stays
    assert deleted == 1
    assert _values(db, SmsCode.purpose) == ["counted"]
