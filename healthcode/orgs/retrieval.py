"""账号获取 on the 政务信息网: a government unit enters its name and USCC and gets its 法人 username and a new password
(shown once, to be changed at first login). Only from the internal networks; once, until the superior unit resets it."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy.orm import Session

from healthcode.errors import Conflict, Forbidden, Invalid, NotFound
from healthcode.orgs import console_repository as repo
from healthcode.orgs import repository as orgs
from healthcode.orgs import service as org_service
from healthcode.orgs.console_models import AccountRetrieval
from healthcode.orgs.console_repository import org_tree
from healthcode.orgs.service import Created


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
        raise Forbidden("账号获取仅限在福建省政务信息网（政务外网）内访问", code="network_refused")


def retrieve(session: Session, *, name: str, uscc: str, client_ip: str, now: datetime) -> Created:
    """The unit's username and a new random password. Refuses an unknown name/USCC pair, a unit that is not a
    government unit, and a second retrieval before the superior unit's reset."""
    if not (name or "").strip() or not (uscc or "").strip():
        raise Invalid("请输入单位名称和统一社会信用代码", code="invalid_request")
    code = org_service.normalise_uscc(uscc)
    org = orgs.org_by_uscc(session, code)
    if org is None or org.name != name.strip():
        raise NotFound("单位名称与统一社会信用代码不匹配，请核对后重试", code="org_not_found")
    if org.kind != "government":
        raise Forbidden("企业和社区（村）等机构请登录福建省社会用户实名认证和授权平台注册", code="not_government")
    if repo.open_retrieval(session, org.id) is not None:
        raise Conflict("本单位账号已获取过。如密码遗失，请联系上级单位在管理端重置后再获取", code="already_retrieved")
    created = org_service.retrieve_account(session, name=name, uscc=code, now=now)
    repo.add_retrieval(session, AccountRetrieval(org_id=org.id, at=now, client_ip=client_ip[:64]))
    return created


def subordinates(session: Session, org_id: int) -> list[dict[str, object]]:
    """The unit's direct subordinates with their retrieval state, for the superior's 下级单位 page."""
    children = [(oid, name, uscc) for oid, parent, name, uscc in org_tree(session) if parent == org_id]
    latest = repo.latest_retrievals(session, [c[0] for c in children])
    result = []
    for oid, name, uscc in sorted(children, key=lambda c: c[1]):
        last = latest.get(oid)
        result.append({"id": oid, "name": name, "uscc": uscc, "retrieved_at": last.at if last else None,
                       "open": last is not None and last.reset_at is None,
                       "reset_at": last.reset_at if last else None, "reset_by": last.reset_by if last else None})
    return result


def reset(session: Session, superior_org_id: int, child_org_id: int, operator: str, now: datetime) -> None:
    """The superior unit allows its subordinate one more retrieval."""
    child = orgs.org_by_id(session, child_org_id)
    if child is None or child.parent_id != superior_org_id:
        raise NotFound("该单位不是本单位的下级单位", code="org_not_found")
    if repo.reset_retrievals(session, child.id, operator, now) == 0:
        raise Conflict("该单位尚未获取账号，无需重置", code="nothing_to_reset")
