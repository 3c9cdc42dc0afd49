"""Retention of printed cards (`healthcode purge`): a card goes `card_retention_days` after it was revoked or expired,
whichever came first; a live card and one revoked or expired lately stay."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from healthcode.codes import cards
from healthcode.codes.models import PrintedCard
from tests.codes.factories import person

NOW = datetime(2021, 6, 1, 3, 0)
DAYS = 30


def _card(db: Session, n: int, serial: str, *, expires: datetime, revoked: datetime | None = None) -> None:
    db.add(PrintedCard(card_id=secrets.token_bytes(16), serial=serial, person_id=person(db, n).id, kid=b"k" * 8,
                       issued_at=expires - timedelta(days=365), issued_by="cli", expires_at=expires,
                       revoked_at=revoked, revoked_by=None if revoked is None else "cli"))


def test_given_cards_revoked_or_expired_long_ago_and_lately_when_purging_then_only_the_old_ones_go(
        db: Session) -> None:
    # Given cards: live, revoked 31 and 29 days ago, expired 31 and 29 days ago
    later = NOW + timedelta(days=200)
    _card(db, 1, "LIVE-0001", expires=later)
    _card(db, 2, "REVK-0031", expires=later, revoked=NOW - timedelta(days=31))
    _card(db, 3, "REVK-0029", expires=later, revoked=NOW - timedelta(days=29))
    _card(db, 4, "EXPD-0031", expires=NOW - timedelta(days=31))
    _card(db, 5, "EXPD-0029", expires=NOW - timedelta(days=29))
    db.commit()
    # When the cards are purged (in the caller's transaction)
    deleted = cards.purge(db, NOW, DAYS)
    db.commit()
    # Then the two past the 30 days are gone
    assert deleted == 2
    db.expire_all()
    assert sorted(db.scalars(select(PrintedCard.serial))) == ["EXPD-0029", "LIVE-0001", "REVK-0029"]
