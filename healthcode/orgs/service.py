"""Organisations: creation with the admin account (CLI `org add`), USCC validation, the admin's scan records."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from healthcode import clock
from healthcode.accounts import passwords
from healthcode.accounts import service as accounts
from healthcode.accounts.models import KIND_ORG_ADMIN
from healthcode.common import uscc as usccs
from healthcode.errors import InvalidName
from healthcode.orgs import errors, repository
from healthcode.orgs.errors import InvalidKind, NoAdmin, PasswordChangeRequired
from healthcode.orgs.models import KINDS, Org, OrgAdmin
from healthcode.regions import divisions
from healthcode.regions.errors import InvalidRegion
from healthcode.web.errors import PendingVerification


@dataclass(frozen=True)
class Created:
    org_id: int
    username: str
    password: str  # shown once; only its hash is stored

    def as_json(self) -> dict[str, object]:
        return {"org_id": self.org_id, "username": self.username, "password": self.password}


@dataclass(frozen=True)
class AdminContext:
    """The signed-in organisation admin, as the routes see it."""

    account_id: int
    username: str
    org_id: int
    org_name: str
    org_uscc: str


def normalise_uscc(value: str) -> str:
    """The canonical USCC (common.uscc's rule), else Invalid `invalid_uscc` with the reason: the refusal of every
    form that names a unit by its USCC (units, registrations, account retrieval, the employer of a report)."""
    try:
        return usccs.normalise_uscc(value)
    except usccs.InvalidUscc as exc:
        raise errors.InvalidUscc(f"统一社会信用代码无效：{exc}") from None


def add_org(session: Session, *, name: str, uscc: str, kind: str, region_code: str | None = None,
            parent_uscc: str | None = None, now: datetime | None = None, delivered: bool = True) -> Created:
    """Creates an organisation and its admin account (username: the USCC) with a random password that works at
    once. `delivered=False`: the password is shown to nobody, and the unit fetches its account once on the
    账号获取 page (government units). Refuses a bad or already registered USCC, an unknown kind or region, an
    unknown parent."""
    at = now or clock.now()
    name = (name or "").strip()
    if not name or len(name) > 200:
        raise InvalidName("单位名称不能为空，且不超过200个字")
    code = normalise_uscc(uscc)
    if kind not in KINDS:
        choices = "、".join(f"{k}（{v}）" for k, v in KINDS.items())
        raise InvalidKind(f"单位类型“{kind}”无效，应为 {choices}")
    region = _region(region_code, code)
    parent_id = None
    if parent_uscc:
        parent_code = normalise_uscc(parent_uscc)
        parent = repository.org_by_uscc(session, parent_code)
        if parent is None:
            raise errors.ParentNotFound(f"上级单位（统一社会信用代码 {parent_code}）不存在，请先创建上级单位")
        parent_id = parent.id
    existing = repository.org_by_uscc(session, code)
    if existing is not None:
        raise errors.OrgExists(f"统一社会信用代码 {code} 已登记为单位“{existing.name}”")
    org = Org(name=name, uscc=code, kind=kind, region_code=region, parent_id=parent_id, created_at=at)
    session.add(org)
    session.flush()
    password = passwords.random_password()
    account = accounts.create_account(session, kind=KIND_ORG_ADMIN, username=code, password=password, now=at)
    account.password_delivered = delivered
    session.add(OrgAdmin(org_id=org.id, account_id=account.id, created_at=at))
    session.flush()
    return Created(org.id, code, password)


def new_admin_password(session: Session, org_id: int, now: datetime, secret_key: str) -> Created:
    """A new random password for the unit's admin (the retrieval page, a superior's reset), shown once to whoever
    asked: it is then delivered, must be changed at first login, and ends the account's tokens and lockout."""
    account = repository.admin_account_of(session, org_id)
    if account is None:
        raise NoAdmin("该单位没有管理员账号")
    password = passwords.random_password()
    accounts.set_password(account, password, now, must_change=True)
    account.password_delivered = True
    accounts.clear_failures(session, account.username, secret_key)
    return Created(org_id, account.username, password)


def admin_context(session: Session, account_id: int, token_version: int) -> AdminContext | None:
    """The admin behind a token, or None when the account is gone or the token is outdated."""
    found = repository.admin_for_account(session, account_id)
    if found is None:
        return None
    _, account, org = found
    if account.token_version != token_version or not account.active:
        return None
    if org.pending_verification:
        raise PendingVerification()
    if account.must_change_password:
        raise PasswordChangeRequired()
    return AdminContext(account.id, account.username, org.id, org.name, org.uscc)


def _region(region_code: str | None, uscc: str) -> str | None:
    if region_code:
        text = region_code.strip()
        if len(text) != 6 or not text.isdigit() or divisions.get(text) is None:
            raise InvalidRegion(f"行政区划代码“{text}”无效")
        return text
    # Without --region, the registering region inside the USCC (characters 3–8) is the best guess.
    return uscc[2:8] if divisions.get(uscc[2:8]) is not None else None
