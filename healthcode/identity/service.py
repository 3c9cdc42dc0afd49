"""Sign-in rules: which assurance level is enough, and the Person a verified ID token lands on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from healthcode.common.ids import InvalidIdNumber, normalize_id_number
from healthcode.errors import Invalid
from healthcode.residents import repository as residents
from healthcode.residents import service as registry
from healthcode.residents.models import Person

LEVELS = ("L1", "L2", "L3", "L4")
# What the platform reads of the resident besides `sub` and `acr`: from the ID token, or else from userinfo.
IDENTITY_CLAIMS = ("id_number", "cn_id", "name", "phone_number")


@dataclass(frozen=True)
class VerifiedIdentity:
    """What the relying party takes from a verified ID token."""

    subject: str
    id_number: str
    name: str
    level: str | None
    phone: str | None = None


def meets_level(level: str | None, minimum: str) -> bool:
    """Whether an `acr` value (L1–L4) is at least the required level; an unknown value never is."""
    if level not in LEVELS:
        return False
    return LEVELS.index(level) >= LEVELS.index(minimum)


def lacks_identity(claims: dict[str, object]) -> bool:
    """Whether verified ID-token claims miss the ID number or the name (a provider may give them only in userinfo)."""
    return not (claims.get("id_number") or claims.get("cn_id")) or not claims.get("name")


def identity_from_claims(claims: dict[str, object]) -> VerifiedIdentity:
    """Reads the resident's identity out of verified ID-token claims (`id_number`, or `cn_id`, and `name`)."""
    raw_number = claims.get("id_number") or claims.get("cn_id")
    name = claims.get("name")
    if not isinstance(raw_number, str) or not isinstance(name, str) or not name.strip():
        raise Invalid("身份认证平台未返回身份证号和姓名，无法登录")
    try:
        number = normalize_id_number(raw_number)
    except InvalidIdNumber as exc:
        raise Invalid(f"身份认证平台返回的身份证号无效：{exc}") from exc
    acr = claims.get("acr")
    phone = claims.get("phone_number")
    return VerifiedIdentity(
        subject=str(claims.get("sub")), id_number=number, name=name.strip(),
        level=acr if isinstance(acr, str) else None, phone=phone if isinstance(phone, str) else None,
    )


def sign_in(session: Session, identity: VerifiedIdentity, now: datetime) -> Person:
    """Creates or updates the Person of a resident who just signed in with real-name verification."""
    person = residents.person_by_id_number(session, identity.id_number)
    if person is None:  # or a row a concurrent first sign-in (or a relative's link) stored since: updated alike
        person = registry.add_or_existing(session, Person(id_number=identity.id_number, name=identity.name,
                                                           created_at=now))
    person.name = identity.name
    person.assurance_level = identity.level
    person.signed_in_at = now
    if identity.phone:
        person.phone = identity.phone
    session.flush()
    return person
