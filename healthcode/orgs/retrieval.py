"""账号获取 on the 政务信息网 and the recovery of a unit's account.

Retrieval never takes over an account: it issues a password (shown once, to be changed at first login) only to a
government unit whose password was never delivered to anyone and that has never signed in. Any other unit is told how
to recover: its superior unit's admin, or the health authority, resets the password in the console (下级单位), which
is logged. Every attempt is logged with its address and outcome, limited per address, and listed to the unit's admin
and its superior unit's admin."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy.orm import Session

from healthcode.accounts import throttle
from healthcode.config import Settings
from healthcode.errors import DomainError, InvalidRequest
from healthcode.orgs import audit_repository as repo
from healthcode.orgs import operators
from healthcode.orgs import repository as orgs
from healthcode.orgs import service as org_service
from healthcode.orgs.audit_models import RETRIEVAL_OUTCOMES, AccountReset, AccountRetrieval
from healthcode.orgs.errors import AlreadyDelivered, NetworkRefused, NotGovernment, OrgNotFound, OwnUnit
from healthcode.orgs.models import Org
from healthcode.orgs.service import Created
from healthcode.web.console import ConsoleUser

RECOVER = ("本单位账号已发放或已登录使用，不能在此重新获取。如密码遗失，请联系上级单位管理员或卫生健康主管部门"
           "在管理端为本单位重置密码（重置将被记录），首次登录须修改密码。")


def client_allowed(host: str | None, networks: Iterable[str]) -> bool:
    """Whether the client address lies in one of the configured networks (an unparsable address: no)."""
    if not host:
        return False
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(net, strict=False) for net in networks)


def require_internal(host: str | None, networks: Iterable[str]) -> None:
    if not client_allowed(host, networks):
        raise NetworkRefused()


def retrieve(session: Session, settings: Settings, *, name: str, uscc: str, client_ip: str,
             now: datetime) -> Created:
    """The unit's username and a new random password, for a government unit never signed in whose password was
    never delivered; otherwise a refusal. Every attempt is logged (the caller answers refusals rather than raising
    them, so that the log commits; the address's count is kept anyway)."""
    entry = AccountRetrieval(org_id=None, uscc=(uscc or "").strip()[:18], at=now, client_ip=client_ip[:64],
                             outcome="invalid")
    try:
        throttle.check_address(session, settings, throttle.RETRIEVAL, client_ip, now)
    except DomainError:
        entry.outcome, entry.org_id = "rate_limited", _org_id_of(session, uscc)
        repo.add_retrieval(session, entry)
        raise
    throttle.record_address(session, settings, throttle.RETRIEVAL, client_ip, now)
    try:
        created = _answer(session, entry, name, uscc, now, settings.secret_key)
    finally:
        repo.add_retrieval(session, entry)
    return created


def _org_id_of(session: Session, uscc: str) -> int | None:
    try:
        org = orgs.org_by_uscc(session, org_service.normalise_uscc(uscc))
    except DomainError:
        return None
    return org.id if org is not None else None


def _answer(session: Session, entry: AccountRetrieval, name: str, uscc: str, now: datetime,
            secret_key: str) -> Created:
    if not (name or "").strip() or not (uscc or "").strip():
        raise InvalidRequest("请输入单位名称和统一社会信用代码")
    code = org_service.normalise_uscc(uscc)
    entry.uscc = code
    org = orgs.org_by_uscc(session, code)
    entry.org_id = org.id if org is not None else None
    entry.outcome = "mismatch"
    if org is None or org.name != name.strip():
        raise OrgNotFound("单位名称与统一社会信用代码不匹配，请核对后重试")
    if org.kind != "government":
        entry.outcome = "not_government"
        raise NotGovernment()
    account = orgs.admin_account_of(session, org.id)
    if account is None or account.password_delivered or account.last_login_at is not None:
        entry.outcome = "refused"
        raise AlreadyDelivered(RECOVER)
    entry.outcome = "issued"
    return org_service.new_admin_password(session, org.id, now, secret_key)


def subordinates(session: Session, org_id: int) -> list[dict[str, object]]:
    """The unit's direct subordinates with the state of their admin account, for the 下级单位 page."""
    result = []
    for org, account in repo.units_with_accounts(session, org_id):
        if account is None:
            state = "无管理员账号"
        elif account.last_login_at is not None:
            state = "已登录使用"
        elif account.password_delivered:
            state = "密码已发放，尚未登录"
        else:
            state = "待单位自行获取"
        result.append({"id": org.id, "name": org.name, "uscc": org.uscc, "state": state,
                       "has_admin": account is not None})
    return result


def reset(session: Session, admin: ConsoleUser, target_uscc: str, client_ip: str, now: datetime,
          secret_key: str) -> Created:
    """A new password for a unit's admin, set by its superior unit's admin or by the health authority, shown once
    to them and logged; the unit must change it at first login."""
    child = _reset_target(session, admin, target_uscc)
    created = org_service.new_admin_password(session, child.id, now, secret_key)
    repo.add_reset(session, AccountReset(org_id=child.id, by_org_id=admin.org_id, by_username=admin.username[:64],
                                         at=now, client_ip=client_ip[:64]))
    return created


def _reset_target(session: Session, admin: ConsoleUser, target_uscc: str) -> Org:
    if not (target_uscc or "").strip():
        raise InvalidRequest("请输入要重置密码的单位的统一社会信用代码")
    child = orgs.org_by_uscc(session, org_service.normalise_uscc(target_uscc))
    if child is not None and child.id == admin.org_id:
        raise OwnUnit()
    if child is None or not (child.parent_id == admin.org_id or admin.is_authority):
        raise OrgNotFound("该单位不是本单位的下级单位")
    return child


def logs(session: Session, org_id: int) -> dict[str, list[dict[str, object]]]:
    """The retrieval attempts and password resets of the unit itself and of its direct subordinates, newest
    first: what the unit's admin (and, for a subordinate, its superior's admin) may see."""
    ids = [org_id, *(org.id for org, _ in repo.units_with_accounts(session, org_id))]
    retrievals = [{"unit": unit, "at": r.at, "client_ip": r.client_ip, "uscc": r.uscc,
                   "outcome": RETRIEVAL_OUTCOMES.get(r.outcome, r.outcome)}
                  for r, unit in repo.retrievals_of(session, ids)]
    rows = repo.resets_of(session, ids)
    who = operators.labels(session, (r.by_username for r, _unit in rows))
    resets = [{"unit": unit, "at": r.at, "client_ip": r.client_ip, "by": who.get(r.by_username, r.by_username)}
              for r, unit in rows]
    return {"retrievals": retrievals, "resets": resets}
