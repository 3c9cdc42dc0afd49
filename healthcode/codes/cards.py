"""Printed cards (纸质健康码, issue 16) for residents without a phone: printing (which revokes the person's older card),
revoking, and resolving a scanned card to its person for the checkpoint, which computes the colour then.

A card's token (card_tokens.py) lives a year, signed by the key that signs codes when it is printed. It is verified
online only, against any key the platform ever made (keys are never deleted), so key rotation keeps its rule for
codes ("a retired key stays published while tokens it signed can be valid": 300 s) and cards outlive their key."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pycose.keys import CoseKey
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from healthcode import clock
from healthcode.codes import card_repository, card_tokens, keys, repository
from healthcode.codes.errors import BadSignature, CardRevoked, ExpiredCode
from healthcode.codes.models import PrintedCard
from healthcode.common.ids import InvalidIdNumber as BadIdNumber
from healthcode.common.ids import normalize_id_number
from healthcode.common.masking import mask_id_number, mask_name
from healthcode.config import Settings
from healthcode.errors import Conflict, InvalidIdNumber, NotFound
from healthcode.residents.models import Person
from healthcode.residents.service import get_registered

log = logging.getLogger(__name__)
_SERIAL_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read aloud to a help desk


@dataclass(frozen=True)
class Card:
    """A freshly printed card, as drawn on the PDF (the QR text exists only here, never stored)."""

    person_id: int
    qr_text: str
    serial: str
    masked_name: str
    issued_at: datetime
    expires_at: datetime

    def as_json(self) -> dict[str, str]:
        """`healthcode code print --json` (with the file): no QR text, which is in the PDF only."""
        return {"serial": self.serial, "name_masked": self.masked_name,
                "issued_at": self.issued_at.replace(tzinfo=clock.TZ).isoformat(),
                "expires_at": self.expires_at.replace(tzinfo=clock.TZ).isoformat()}


@dataclass(frozen=True)
class CardState:
    """A person's card not revoked, as the family page lists it."""

    serial: str
    issued_at: datetime
    expires_at: datetime
    expired: bool


def print_for_id_number(session: Session, settings: Settings, id_number: str, now: datetime, by: str) -> Card:
    """A card for a registered resident (the operator's `healthcode code print`); NotFound for anyone else."""
    try:
        number = normalize_id_number(id_number, now.date())
    except BadIdNumber as exc:
        raise InvalidIdNumber(str(exc)) from exc
    person = get_registered(session, number, now)
    if person is None:
        raise NotFound("未登记的居民：该身份证号既未实名登录，也不在户籍人口库中，不能打印纸质健康码")
    return print_card(session, settings, person, now, by)


def print_card(session: Session, settings: Settings, person: Person, now: datetime, by: str) -> Card:
    """A new card for the person, valid `card_validity_days`; the person's older card (if any) is revoked now.
    `by` names who printed it without personal data ("cli", "resident:<persons.id>")."""
    card_repository.revoke_live(session, person.id, now, by)
    key = keys.current_signing_key(session, now, settings.secret_key)
    issued_at = now.replace(microsecond=0)
    expires_at = issued_at + timedelta(days=settings.card_validity_days)
    claims = card_tokens.CardClaims(
        iss=settings.issuer, iat=clock.epoch_seconds(issued_at), exp=clock.epoch_seconds(expires_at),
        card_id=secrets.token_bytes(card_tokens.CARD_ID_BYTES), masked_name=mask_name(person.name),
        serial=_new_serial(session))
    row = PrintedCard(card_id=claims.card_id, serial=claims.serial, person_id=person.id, kid=key.kid,
                      issued_at=issued_at, issued_by=by[:64], expires_at=expires_at)
    try:
        with session.begin_nested():
            card_repository.add(session, row)
    except IntegrityError:  # another request printed this person's card in the meantime (one live card a person)
        raise Conflict("正在为该居民打印纸质健康码，请稍后重试") from None
    log.info("printed card %s for resident %s by %s, valid until %s", claims.serial,
             mask_id_number(person.id_number), by, expires_at.date())
    return Card(person.id, card_tokens.card_text(claims, key), claims.serial, claims.masked_name, issued_at,
                expires_at)


def revoke(session: Session, person: Person, now: datetime, by: str) -> None:
    """Revokes the person's card; NotFound when there is none to revoke."""
    if card_repository.revoke_live(session, person.id, now, by) == 0:
        raise NotFound("没有可作废的纸质健康码")
    log.info("revoked the card of resident %s by %s", mask_id_number(person.id_number), by)


def states(session: Session, person_ids: Iterable[int], now: datetime) -> dict[int, CardState]:
    """The cards not revoked of these persons, by person."""
    return {person_id: CardState(row.serial, row.issued_at, row.expires_at, row.expires_at <= now)
            for person_id, row in card_repository.live_cards(session, person_ids).items()}


def resolve(session: Session, text: str, now: datetime) -> int:
    """The person a scanned card names, or a CodeRefused: the token's format, key (any key the platform made, with
    the card's issue time inside its signing period), signature, claims and expiry, then the card's record: not
    revoked (CardRevoked) and not past its own expiry."""
    found: list[Any] = []

    def lookup(kid: bytes) -> tuple[str, CoseKey] | None:
        key = repository.key_by_kid(session, kid)
        found.append(key)
        return None if key is None else (key.alg, keys.cose_key_from_jwk_text(key.public_jwk))

    claims = card_tokens.verify_card(text, lookup, now)
    if not _signed_then(found[-1], clock.to_local(datetime.fromtimestamp(claims.iat, tz=clock.TZ))):
        raise BadSignature()
    card = card_repository.card_by_card_id(session, claims.card_id)
    if card is None:  # signed by us, never stored (or purged long after it was revoked): no card that holds now
        raise ExpiredCode("无效的纸质健康码，请持卡人重新打印")
    if card.revoked_at is not None:
        raise CardRevoked()
    if card.expires_at <= now:
        raise ExpiredCode("纸质健康码已过期，请持卡人重新打印")
    return card.person_id


def purge(session: Session, now: datetime, retention_days: int) -> int:
    """Deletes the cards revoked or expired more than `retention_days` ago (`healthcode purge`). A scan of one after
    that is told the card is not valid (its token is signed by us but names no stored card), not why."""
    return card_repository.delete_ended_before(session, now - timedelta(days=retention_days))


def _signed_then(key: Any, at: datetime) -> bool:
    """Whether the key (a signing_keys row) signed at `at` (whole seconds, as iat): a card claiming another time was
    not printed here."""
    return bool(key.activates_at.replace(microsecond=0) <= at and (key.retires_at is None or at < key.retires_at))


def _new_serial(session: Session) -> str:
    for _ in range(8):
        raw = "".join(secrets.choice(_SERIAL_ALPHABET) for _ in range(8))
        serial = f"{raw[:4]}-{raw[4:]}"
        if not card_repository.serial_taken(session, serial):
            return serial
    raise RuntimeError("纸质卡编号空间异常拥挤：连续 8 次随机均已被占用")  # pragma: no cover
