"""Verification of a self-registered enterprise (注册验证) by its legal representative: an SMS code to the legal
representative's phone given at registration, or their real-name sign-in at L4 with the ID number given at
registration (operators.verify_legal, which also makes them an operator). Until then the enterprise's admin signs in
only to this step (Org.pending_verification, checked by the console and the API on every request)."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.orm import Session

from healthcode.enterprise import repository
from healthcode.enterprise.errors import AlreadyVerified, RegistrationNotFound
from healthcode.enterprise.models import EnterpriseProfile
from healthcode.messages import sms_codes
from healthcode.orgs import repository as orgs
from healthcode.orgs.models import Org

VIA_SMS = "sms"
VIA_REALNAME = "realname"
log = logging.getLogger(__name__)


def purpose(org_id: int) -> str:
    """One code per enterprise: a legal representative of two pending enterprises verifies each on its own."""
    return f"ent_verify_{org_id}"[:24]


def pending(session: Session, org_id: int) -> tuple[Org, EnterpriseProfile]:
    """The enterprise and its profile while it still waits for verification; refused once verified."""
    org = orgs.org_by_id(session, org_id)
    profile = repository.profile(session, org_id)
    if org is None or profile is None or org.kind != "enterprise":
        raise RegistrationNotFound()
    if not org.pending_verification:
        raise AlreadyVerified()
    return org, profile


def send_sms(session: Session, org_id: int, *, secret_key: str, now: datetime, log_text: bool) -> int:
    """Sends a code to the legal representative's phone; returns the seconds before another may be asked for."""
    _, profile = pending(session, org_id)
    return sms_codes.send(session, profile.legal_phone, purpose(org_id), secret_key=secret_key, now=now,
                          log_text=log_text)


def verify_sms(session: Session, org_id: int, code: str, *, secret_key: str, now: datetime) -> Org:
    """The right code verifies the enterprise. A wrong one counts a try (kept although the request then fails)."""
    org, profile = pending(session, org_id)
    record = sms_codes.verify(session, profile.legal_phone, purpose(org_id), code, secret_key=secret_key, now=now)
    sms_codes.spend(record, now)
    mark_verified(org, profile, VIA_SMS, now)
    return org


def mark_verified(org: Org, profile: EnterpriseProfile, via: str, now: datetime) -> None:
    org.pending_verification = False
    profile.verified_at, profile.verified_via = now, via
    log.info("enterprise %s verified via %s", org.id, via)
