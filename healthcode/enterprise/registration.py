"""法人注册 of an enterprise: name + USCC (GB 32100 check character) + the legal representative + the operator's
real-name details; creates the enterprise Org and its admin account (username: the USCC) with the chosen password."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from healthcode.accounts import service as accounts
from healthcode.enterprise import service
from healthcode.enterprise.errors import invalid
from healthcode.enterprise.models import EnterpriseProfile
from healthcode.orgs import repository as orgs
from healthcode.orgs.service import add_org


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


@dataclass(frozen=True)
class Registered:
    org_id: int
    username: str


def register(session: Session, data: Registration, now: datetime) -> Registered:
    """Checks everything before creating anything; add_org refuses a bad or already registered USCC."""
    legal_name = service.clean_name(data.legal_name)
    legal_phone = service.clean_phone(data.legal_phone, required=True)
    operator_name = service.clean_name(data.operator_name)
    operator_id = service.clean_id_number(data.operator_id_number, now.date())
    operator_phone = service.clean_phone(data.operator_phone, required=True)
    if data.password != data.confirm_password:
        raise invalid("两次输入的登录密码不一致", "invalid_password")
    from healthcode.accounts import passwords

    passwords.check_rule(data.password)
    created = add_org(session, name=data.name, uscc=data.uscc, kind="enterprise",
                      region_code=data.region_code or None, now=now)
    account = orgs.admin_account_of(session, created.org_id)
    assert account is not None
    accounts.set_password(account, data.password, now, must_change=False)
    assert legal_phone is not None and operator_phone is not None
    session.add(EnterpriseProfile(org_id=created.org_id, legal_name=legal_name, legal_phone=legal_phone,
                                  operator_name=operator_name, operator_id_number=operator_id,
                                  operator_phone=operator_phone, created_at=now, updated_at=now))
    session.flush()
    return Registered(created.org_id, created.username)
