"""法人注册 of an enterprise: name + USCC (GB 32100 check character) + the legal representative (name, mobile phone, ID
number) + the operator's real-name details; creates the enterprise Org, pending verification, and its admin account
(username: the USCC) with the chosen password. A USCC already held by a unit is refused, and the attempt is kept as a
dispute for the health authority (disputes.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from healthcode.accounts import passwords
from healthcode.accounts import service as accounts
from healthcode.enterprise import disputes, service
from healthcode.enterprise.models import EnterpriseProfile
from healthcode.errors import InvalidIdNumber, InvalidName, InvalidPassword
from healthcode.orgs import repository as orgs
from healthcode.orgs.service import add_org, normalise_uscc


@dataclass(frozen=True)
class Registration:
    name: str
    uscc: str
    legal_name: str
    legal_phone: str
    operator_name: str
    operator_id_number: str
    operator_phone: str
    password: str
    confirm_password: str
    region_code: str = ""
    legal_id_number: str = ""


@dataclass(frozen=True)
class Claim:
    """A registration whose every field checked out: what creates the enterprise, now or on a dispute's transfer."""

    name: str
    uscc: str
    legal_name: str
    legal_phone: str
    legal_id_number: str
    operator_name: str
    operator_id_number: str
    operator_phone: str
    region_code: str | None


@dataclass(frozen=True)
class Registered:
    org_id: int
    username: str


@dataclass(frozen=True)
class Disputed:
    """The USCC is held by another unit: nothing was created, the attempt is dispute `dispute_id`."""

    dispute_id: int
    message: str


def clean(data: Registration, now: datetime) -> Claim:
    """Every field checked, nothing written: a bad field is refused with its own Chinese message."""
    name = (data.name or "").strip()
    if not name or len(name) > 200:
        raise InvalidName("企业名称不能为空，且不超过200个字")
    uscc = normalise_uscc(data.uscc)
    legal_name = service.clean_name(data.legal_name)
    legal_phone = service.clean_legal_phone(data.legal_phone)
    if not (data.legal_id_number or "").strip():
        raise InvalidIdNumber("请填写法定代表人身份证号（用于法人实名认证）")
    legal_id = service.clean_id_number(data.legal_id_number, now.date())
    operator_name = service.clean_name(data.operator_name)
    operator_id = service.clean_id_number(data.operator_id_number, now.date())
    operator_phone = service.clean_phone(data.operator_phone, required=True)
    if data.password != data.confirm_password:
        raise InvalidPassword("两次输入的登录密码不一致")
    passwords.check_rule(data.password)
    assert operator_phone is not None
    return Claim(name, uscc, legal_name, legal_phone, legal_id, operator_name, operator_id, operator_phone,
                 (data.region_code or "").strip() or None)


def register(session: Session, data: Registration, now: datetime, *, client_ip: str = "") -> Registered | Disputed:
    """Checks everything before creating anything. A USCC that a unit already holds creates nothing but the
    dispute (the caller shows its message with a 409)."""
    claim = clean(data, now)
    holder = orgs.org_by_uscc(session, claim.uscc)
    if holder is not None:
        dispute = disputes.record(session, claim, passwords.hash_password(data.password), holder, client_ip, now)
        return Disputed(dispute.id, disputes.refusal_message(claim.uscc, holder.name, claim.legal_phone))
    return create(session, claim, passwords.hash_password(data.password), now)


def create(session: Session, claim: Claim, password_hash: str, now: datetime) -> Registered:
    """The enterprise, pending verification, with its admin account signing in by the given password."""
    created = add_org(session, name=claim.name, uscc=claim.uscc, kind="enterprise", region_code=claim.region_code,
                      now=now)
    org = orgs.org_by_id(session, created.org_id)
    account = orgs.admin_account_of(session, created.org_id)
    assert org is not None and account is not None
    org.pending_verification = True
    accounts.set_password_hash(account, password_hash, now)
    session.add(EnterpriseProfile(org_id=created.org_id, legal_name=claim.legal_name, legal_phone=claim.legal_phone,
                                  legal_id_number=claim.legal_id_number, operator_name=claim.operator_name,
                                  operator_id_number=claim.operator_id_number, operator_phone=claim.operator_phone,
                                  created_at=now, updated_at=now))
    session.flush()
    return Registered(created.org_id, created.username)
