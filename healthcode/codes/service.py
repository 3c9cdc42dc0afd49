"""Issuing codes (token + number code) and resolving a presented code back to the person, for the checkpoint."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy.orm import Session

from healthcode import clock
from healthcode.codes import card_tokens, cards, keys, numbers, repository, tokens
from healthcode.codes.errors import ExpiredCode, InvalidCode
from healthcode.common import ids
from healthcode.common.ids import normalize_id_number
from healthcode.common.masking import mask_name
from healthcode.config import Settings
from healthcode.errors import Invalid, InvalidIdNumber, NotFound
from healthcode.residents.models import Person
from healthcode.residents.service import get_registered
from healthcode.rules import service as rules
from healthcode.rules.status import Status

_REGION = re.compile(r"^\d{6}$")
# A code issued less than this share of its lifetime ago is shown again instead of a new one (`code_for_page`).
REUSE_FRACTION = 0.5
# The QR texts of the codes this process issued or showed last (`_shown_again`): ~2 MB at most.
SHOWN_TEXTS = 4096
_SHOWN: dict[tuple[tokens.CodeClaims, bytes], str] = {}


@dataclass(frozen=True)
class Issued:
    """A freshly issued code, as shown to the resident (the QR text exists only here, never stored)."""

    person_id: int
    color: str
    number_code: str
    qr_text: str
    issued_at: datetime  # naive Asia/Shanghai, whole seconds (= iat)
    expires_at: datetime  # = exp
    masked_name: str
    region_code: str
    rule_set: str

    @property
    def ttl_seconds(self) -> int:
        return int((self.expires_at - self.issued_at).total_seconds())

    def as_json(self) -> dict[str, Any]:
        """The CONTRACT shape of `healthcode code issue --json` (SPEC section 5)."""
        return {"color": self.color, "number_code": self.number_code, "qr_text": self.qr_text,
                "issued_at": _iso(self.issued_at), "expires_at": _iso(self.expires_at)}


@dataclass(frozen=True)
class Resolved:
    """A presented code that checks out: whose it is and the colour it carried when issued."""

    person_id: int
    kind: Literal["qr", "number", "card"]
    color_at_issue: str  # "" for a printed card: it carries no colour
    issued_code: Any  # the issued_codes row (None for a printed card)
    claims: tokens.CodeClaims | None  # the verified token claims (QR only)


def kind_of(code_text: str) -> Literal["qr", "number", "card"]:
    """How a presented code is read: a printed card's QR (issue 16), a typed number code, or a code's QR."""
    if card_tokens.is_card_text(code_text):
        return "card"
    return "number" if numbers.looks_like_number_code(code_text) else "qr"


def issue_for_id_number(session: Session, settings: Settings, id_number: str, now: datetime) -> Issued:
    """A code for a registered resident (printed codes, 代领); NotFound for anyone else."""
    try:
        number = normalize_id_number(id_number, now.date())
    except ids.InvalidIdNumber as exc:
        raise InvalidIdNumber(str(exc)) from exc
    person = get_registered(session, number, now)
    if person is None:
        raise NotFound("未登记的居民：该身份证号既未实名登录，也不在户籍人口库中")
    return issue_for_person(session, settings, person, now)


def issue_for_person(session: Session, settings: Settings, person: Person, now: datetime, *,
                     region_code: str | None = None) -> Issued:
    """Signs a token with the person's current colour and gives it a fresh number code, both valid for the TTL (the
    settings' issuer, TTL, rule set, and secret that unlocks the signing key).

    `region_code` (device location or picked region) fixes the initial region if it is not yet known."""
    status = rules.status_for(session, settings, person.id_number, now)
    region = _initial_region(person, region_code, settings.issuer)
    key = keys.current_signing_key(session, now, settings.secret_key)
    return _issue(session, settings, person, now, status, region, key)


def code_for_page(session: Session, settings: Settings, person: Person, now: datetime) -> Issued:
    """The code the code page shows: the person's newest code again when it was issued less than half its lifetime
    ago and a new one would say the same (the colour and rule set of now, the key that signs now), else a new code.

    The page asks for a new code shortly before its code expires (`REFRESH_MARGIN_SECONDS`), which always issues
    one; a page opened again, reloaded or retried within the first half of a code's life gets that code, without
    writing anything. The colour is read afresh every time: a record that changes it gives a new code at once."""
    status = rules.status_for(session, settings, person.id_number, now)
    region = _initial_region(person, None, settings.issuer)
    key = keys.current_signing_key(session, now, settings.secret_key)
    half = timedelta(seconds=settings.code_ttl_seconds * REUSE_FRACTION)
    latest = repository.latest_issued_since(session, person.id, now - half, now)
    if latest is None or latest.expires_at - now <= half or latest.color != status.color or latest.kid != key.kid:
        return _issue(session, settings, person, now, status, region, key)
    claims = tokens.CodeClaims(
        iss=settings.issuer, iat=clock.epoch_seconds(latest.issued_at), exp=clock.epoch_seconds(latest.expires_at),
        cti=latest.cti, color=status.color, masked_name=mask_name(person.name), region_code=region,
        rule_set=status.rule_set,
    )
    return Issued(person.id, status.color, latest.number_code, _shown_again(claims, key), latest.issued_at,
                  latest.expires_at, claims.masked_name, region, claims.rule_set)


def _shown_again(claims: tokens.CodeClaims, key: keys.SigningMaterial) -> str:
    """The QR text of a code shown again: the same claims signed by the same key give the same text (Ed25519 is
    deterministic; an ES256 signature made earlier is as valid), so the process keeps the texts it made last. A memo
    of a pure function, not a cache of what the database says: whatever changed (the colour, the rule set, the name,
    the key) makes other claims or another kid, hence another entry."""
    text = _SHOWN.get((claims, key.kid))
    return text if text is not None else _remember(claims, key)


def _remember(claims: tokens.CodeClaims, key: keys.SigningMaterial) -> str:
    """The QR text of the claims signed by the key, kept for `_shown_again`."""
    if len(_SHOWN) >= SHOWN_TEXTS:
        _SHOWN.clear()
    text = _SHOWN[(claims, key.kid)] = tokens.to_qr_text(tokens.sign(claims, key))
    return text


def _issue(session: Session, settings: Settings, person: Person, now: datetime, status: Status, region: str,
           key: keys.SigningMaterial) -> Issued:
    issued_at = now.replace(microsecond=0)
    expires_at = issued_at + timedelta(seconds=settings.code_ttl_seconds)
    claims = tokens.CodeClaims(
        iss=settings.issuer, iat=clock.epoch_seconds(issued_at), exp=clock.epoch_seconds(expires_at),
        cti=secrets.token_bytes(16), color=status.color, masked_name=mask_name(person.name), region_code=region,
        rule_set=status.rule_set,
    )
    qr_text = _remember(claims, key)  # a page opened again soon is shown this code: kept, not signed again
    number = numbers.store_with_new_number(session, now, cti=claims.cti, person_id=person.id, color=status.color,
                                           kid=key.kid, issued_at=issued_at, expires_at=expires_at)
    return Issued(person.id, status.color, number, qr_text, issued_at, expires_at, claims.masked_name, region,
                  claims.rule_set)


def resolve(session: Session, code_text: str, now: datetime) -> Resolved:
    """The person behind a scanned QR text or a typed 12-digit number code, or a CodeRefused (422) saying why.

    A number code that is unknown or past its code's expiry is refused as `expired` alike: a number reveals
    nothing by itself, and numbers are reused after expiry, so "never issued" and "no longer valid" are one case.
    A printed card's QR (`BMJKK1:`) is verified online and names its person (codes.cards.resolve)."""
    if card_tokens.is_card_text(code_text):
        return Resolved(cards.resolve(session, code_text, now), "card", "", None, None)
    found = presented(session, code_text, now)
    if found.claims is not None:
        issued = repository.issued_by_cti(session, found.claims.cti)
        if issued is None:  # signed by us yet unknown: its record was purged, so it is long past use
            raise ExpiredCode("健康码已失效，请对方刷新健康码后重新扫码")
        return Resolved(issued.person_id, "qr", found.claims.color, issued, found.claims)
    issued = repository.issued_by_number(session, found.number)
    if issued is None or issued.expires_at <= now:
        raise ExpiredCode("数字码无效或已过期，请对方刷新健康码后重新输入")
    return Resolved(issued.person_id, "number", issued.color, issued, None)


@dataclass(frozen=True)
class Presented:
    """A presented code as far as it checks out before its issued record is read: a QR's verified claims, or a
    number code's 12 digits."""

    claims: tokens.CodeClaims | None
    number: str


def presented(session: Session, code_text: str, now: datetime) -> Presented:
    """What `resolve` checks before reading the issued code (a QR's signature, key and expiry; a number code's form
    and check digit), with the same CodeRefused. Reads the database only for a signing key not read in the last
    minute (`keys.verification_key`)."""
    text = code_text.strip()
    if text.startswith(tokens.PREFIX):
        return Presented(tokens.verify(text, lambda kid: keys.verification_key(session, kid, now), now), "")
    if not numbers.looks_like_number_code(text):
        raise InvalidCode("无法识别的健康码：请扫描八闽健康码二维码，或输入12位数字码")
    return Presented(None, numbers.parse(text))


def purge_expired(session: Session, before: datetime) -> int:
    """Deletes issued-code records that expired before `before` (keep them as long as anything refers to them)."""
    return repository.delete_issued_before(session, before)


def _initial_region(person: Person, region_code: str | None, issuer: str) -> str:
    if person.initial_region_code is None and region_code is not None:
        if not _REGION.match(region_code):
            raise Invalid("地区代码应为6位数字")
        person.initial_region_code = region_code
    if person.initial_region_code and _REGION.match(person.initial_region_code):
        return person.initial_region_code
    # Nothing known yet (no location, no pick, no household): the issuing province, e.g. CN-35 -> 350000; not
    # stored, so that the first real location still becomes the initial region.
    digits = issuer.rsplit("-", 1)[-1]
    return digits.ljust(6, "0") if digits.isdigit() and len(digits) == 2 else "000000"


def _iso(moment: datetime) -> str:
    return moment.replace(tzinfo=clock.TZ).isoformat()
