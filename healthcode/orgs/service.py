"""Organisations: creation with the admin account (CLI `org add`), USCC validation, the admin's scan records."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy.orm import Session
from stdnum.cn import uscc as stdnum_uscc
from stdnum.exceptions import InvalidChecksum, InvalidLength, ValidationError

from healthcode import clock
from healthcode.accounts import passwords
from healthcode.accounts import service as accounts
from healthcode.accounts.models import KIND_ORG_ADMIN
from healthcode.checkpoints import repository as checkpoints
from healthcode.common.masking import mask_id_number, mask_name
from healthcode.errors import Forbidden, Invalid
from healthcode.orgs import errors, repository
from healthcode.orgs.models import KINDS, Org, OrgAdmin
from healthcode.regions import divisions


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
    """The canonical USCC (upper case, no separators) with a valid GB 32100 check character, else Invalid."""
    try:
        return stdnum_uscc.validate(value or "")
    except InvalidLength:
        raise errors.invalid_uscc("应为18位") from None
    except InvalidChecksum:
        raise errors.invalid_uscc("校验码错误") from None
    except ValidationError:
        raise errors.invalid_uscc("前8位应为数字，其余为数字或大写字母（不含I、O、Z、S、V）") from None


def add_org(session: Session, *, name: str, uscc: str, kind: str, region_code: str | None = None,
            parent_uscc: str | None = None, now: datetime | None = None, delivered: bool = True) -> Created:
    """Creates an organisation and its admin account (username: the USCC) with a random password that works at
    once. `delivered=False`: the password is shown to nobody, and the unit fetches its account once on the
    账号获取 page (government units). Refuses a bad or already registered USCC, an unknown kind or region, an
    unknown parent."""
    at = now or clock.now()
    name = (name or "").strip()
    if not name or len(name) > 200:
        raise Invalid("单位名称不能为空，且不超过200个字", code="invalid_name")
    code = normalise_uscc(uscc)
    if kind not in KINDS:
        choices = "、".join(f"{k}（{v}）" for k, v in KINDS.items())
        raise Invalid(f"单位类型“{kind}”无效，应为 {choices}", code="invalid_kind")
    region = _region(region_code, code)
    parent_id = None
    if parent_uscc:
        parent_code = normalise_uscc(parent_uscc)
        parent = repository.org_by_uscc(session, parent_code)
        if parent is None:
            raise errors.unknown_parent(parent_code)
        parent_id = parent.id
    existing = repository.org_by_uscc(session, code)
    if existing is not None:
        raise errors.duplicate_uscc(code, existing.name)
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
        raise Invalid("该单位没有管理员账号", code="no_admin")
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
        raise errors.pending_verification()
    if account.must_change_password:
        raise Forbidden("首次登录请先修改密码", code="password_change_required")
    return AdminContext(account.id, account.username, org.id, org.name, org.uscc)


def org_scans(session: Session, org_id: int, *, start: str | None, end: str | None, point_id: int | None,
              page: int, page_size: int) -> dict[str, object]:
    """The scans at the organisation's own points, newest first, one page of them."""
    since = _moment(start, end_of_day=False, field="from")
    until = _moment(end, end_of_day=True, field="to")
    rows, total = checkpoints.org_scans(session, org_id, since=since, until=until, point_id=point_id,
                                        offset=(page - 1) * page_size, limit=page_size)
    items = [{
        "id": r.id, "scan_id": r.id, "at": r.at.isoformat(timespec="seconds"),
        "point_id": r.point_id, "point_name": r.point_name, "community": r.community,
        "name_masked": mask_name(r.person_name), "id_number_masked": mask_id_number(r.id_number),
        "color": r.color, "via": r.via, "pass_reason": r.pass_reason, "temperature_result": r.temperature_result,
        "temperature": r.temperature, "scanner_id": r.scanner_id, "scanner_name": r.scanner_name,
        "region_code": r.region_code, "region_name": divisions.short_name(r.region_code),
    } for r in rows]
    return {"items": items, "total": total, "page": page, "page_size": page_size,
            "pages": math.ceil(total / page_size)}


def _region(region_code: str | None, uscc: str) -> str | None:
    if region_code:
        text = region_code.strip()
        if len(text) != 6 or not text.isdigit() or divisions.get(text) is None:
            raise Invalid(f"行政区划代码“{text}”无效", code="invalid_region")
        return text
    # Without --region, the registering region inside the USCC (characters 3–8) is the best guess.
    return uscc[2:8] if divisions.get(uscc[2:8]) is not None else None


def _moment(value: str | None, *, end_of_day: bool, field: str) -> datetime | None:
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            return datetime.combine(day, time.max if end_of_day else time.min)
        return clock.to_local(datetime.fromisoformat(text))
    except ValueError:
        raise Invalid(f"查询时间 {field} 格式应为 YYYY-MM-DD 或 YYYY-MM-DDTHH:MM:SS", code="invalid_date") from None
