"""Issuing codes (token + number code) and resolving a presented code back to the person, for the checkpoint."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy.orm import Session

from healthcode import clock
from healthcode.codes import keys, numbers, repository, tokens
from healthcode.codes.errors import ExpiredCode, InvalidCode
from healthcode.common import ids
from healthcode.common.ids import normalize_id_number
from healthcode.common.masking import mask_name
from healthcode.config import Settings
from healthcode.errors import Invalid, InvalidIdNumber, NotFound
from healthcode.residents.models import Person
from healthcode.residents.service import get_registered
from healthcode.rules import service as rules

_REGION = re.compile(r"^\d{6}$")


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
    kind: Literal["qr", "number"]
    color_at_issue: str
    issued_code: Any  # the issued_codes row
    claims: tokens.CodeClaims | None  # the verified token claims (QR only)


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
    issued_at = now.replace(microsecond=0)
    expires_at = issued_at + timedelta(seconds=settings.code_ttl_seconds)
    region = _initial_region(person, region_code, settings.issuer)
    key = keys.current_signing_key(session, now, settings.secret_key)
    claims = tokens.CodeClaims(
        iss=settings.issuer, iat=clock.epoch_seconds(issued_at), exp=clock.epoch_seconds(expires_at),
        cti=secrets.token_bytes(16), color=status.color, masked_name=mask_name(person.name), region_code=region,
        rule_set=status.rule_set,
    )
    qr_text = tokens.to_qr_text(tokens.sign(claims, key))
    number = numbers.store_with_new_number(session, now, cti=claims.cti, person_id=person.id, color=status.color,
                                           kid=key.kid, issued_at=issued_at, expires_at=expires_at)
    return Issued(person.id, status.color, number, qr_text, issued_at, expires_at, claims.masked_name, region,
                  claims.rule_set)


def resolve(session: Session, code_text: str, now: datetime) -> Resolved:
    """The person behind a scanned QR text or a typed 12-digit number code, or a CodeRefused (422) saying why.

    A number code that is unknown or past its code's expiry is refused as `expired` alike: a number reveals
    nothing by itself, and numbers are reused after expiry, so "never issued" and "no longer valid" are one case."""
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
