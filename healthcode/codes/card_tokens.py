"""The QR token of a printed card (issue 16, docs/code-format.md "Printed cards"): the envelope of SPEC section 6
(Base45 of zlib of a COSE_Sign1, the same keys and kids) under its own prefix `BMJKK1:`, over a CWT with no colour.

A card lives a year, far beyond the 300 s of a `BMJKM1:` code, so it must never look like one to an offline verifier:
another prefix, another private claim (−70001), and it is verified online only (`codes.cards.resolve`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import cbor2

from healthcode.clock import TZ
from healthcode.codes.errors import ExpiredCode
from healthcode.codes.keys import SigningMaterial
from healthcode.codes.tokens import CLAIM_EXP, CLAIM_IAT, CLAIM_ISS, KeyLookup, invalid, is_int, sign, to_qr_text
from healthcode.codes.tokens import verified_payload as _verified_payload

CARD_PREFIX = "BMJKK1:"
CLAIM_CARD = -70001
CARD_ID_BYTES = 16
# The longest card the verifier accepts (the setting `card_validity_days` is at most this): three years and a day.
MAX_CARD_LIFETIME_SECONDS = 1097 * 86400
_SERIAL = re.compile(r"^[0-9A-Z]{4}-[0-9A-Z]{4}$")


@dataclass(frozen=True)
class CardClaims:
    iss: str
    iat: int
    exp: int
    card_id: bytes  # random: the only link from a card to its person, inside the platform (printed_cards)
    masked_name: str
    serial: str  # printed on the card, for the resident and a help desk: random too

    def to_cbor(self) -> bytes:
        return cbor2.dumps({
            CLAIM_ISS: self.iss, CLAIM_IAT: self.iat, CLAIM_EXP: self.exp,
            CLAIM_CARD: {"k": self.card_id, "n": self.masked_name, "s": self.serial},
        })

    @classmethod
    def from_map(cls, claims: Any) -> CardClaims:
        """The claims of a decoded card payload, or InvalidCode when their shape is not a card's."""
        if not isinstance(claims, dict):
            raise invalid("内容不是声明集合")
        iss, iat, exp, card = (claims.get(k) for k in (CLAIM_ISS, CLAIM_IAT, CLAIM_EXP, CLAIM_CARD))
        if not isinstance(iss, str):
            raise invalid("签发方缺失")
        if not is_int(iat) or not is_int(exp) or not 0 < exp - iat <= MAX_CARD_LIFETIME_SECONDS:
            raise invalid("有效期格式错误")
        if not isinstance(card, dict):
            raise invalid("缺少纸质卡声明")
        card_id, name, serial = (card.get(k) for k in ("k", "n", "s"))
        if not isinstance(card_id, bytes) or len(card_id) != CARD_ID_BYTES:
            raise invalid("卡号格式错误")
        if not isinstance(name, str) or not isinstance(serial, str) or not _SERIAL.match(serial):
            raise invalid("纸质卡声明格式错误")
        return cls(iss, iat, exp, card_id, name, serial)


def card_text(claims: CardClaims, key: SigningMaterial) -> str:
    """The QR text of a card: its claims signed by the key that signs now, under the card prefix."""
    return to_qr_text(sign(claims, key), CARD_PREFIX)


def is_card_text(text: str) -> bool:
    return text.strip().startswith(CARD_PREFIX)


def verify_card(text: str, lookup: KeyLookup, now: datetime) -> CardClaims:
    """The claims of a card's QR text: format, key, signature, claims, expiry, in that order (the refusals of a
    code). `lookup(kid)` gives (alg, public key) of any key the platform ever made (`keys.card_verification_key`)."""
    claims = CardClaims.from_map(_verified_payload(text.strip(), CARD_PREFIX, lookup))
    if now.replace(tzinfo=TZ).timestamp() >= claims.exp:
        raise ExpiredCode("纸质健康码已过期，请持卡人重新打印")
    return claims
