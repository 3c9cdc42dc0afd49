"""经办人 rules: a person signed in by real name enters an enterprise's console only when associated with it — as the
operator named at the enterprise's registration (who associates themselves with name + USCC), as its legal
representative (whose L4 sign-in with the registered ID number also verifies a pending registration), or when someone
in the enterprise's console has added them. Every association, addition, removal, refusal and sign-in is audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from healthcode import db
from healthcode.common import uscc as usccs
from healthcode.common.masking import mask_id_number
from healthcode.enterprise import operator_repository as repo
from healthcode.enterprise import repository, service, verification
from healthcode.enterprise.errors import (
    EnterpriseNameMismatch,
    LevelTooLow,
    NotAssociated,
    NotLegal,
    NotOperator,
    OperatorExists,
    OperatorNotFound,
    RegistrationNotFound,
    RegistrationPending,
)
from healthcode.enterprise.operator_models import (
    ROLE_ADDED,
    ROLE_LEGAL,
    ROLE_REGISTERED,
    EnterpriseOperator,
    OperatorEvent,
)
from healthcode.errors import Invalid
from healthcode.identity.service import meets_level
from healthcode.orgs import operators as org_operators
from healthcode.orgs import repository as orgs
from healthcode.orgs.errors import InvalidUscc, OrgNotFound
from healthcode.orgs.models import Org
from healthcode.residents.models import Person

LEGAL_LEVEL = "L4"  # the legal representative's sign-in that verifies a registration, whatever the console requires
NOT_ASSOCIATED = ("您尚未关联企业信息，无法进入企业后台：请先进行企业信息关联（须为该企业注册时登记的经办人，"
                  "或已由企业管理员在【企业员工管理】的【经办人管理】中添加）")


@dataclass(frozen=True)
class OperatorView:
    id: int
    name: str
    id_number: str
    role: str
    created_at: datetime
    created_by: str


def label(name: str, id_number: str) -> str:
    """How an operator appears in audit logs (the console's `username`): the name and the masked ID number."""
    return f"{name}（经办人 {mask_id_number(id_number)}）"[:64]


def check_level(person: Person, minimum: str) -> None:
    """The sign-in that put the person in this session must have reached the required assurance level."""
    if not meets_level(person.assurance_level, minimum):
        raise LevelTooLow(f"实名认证等级不足（当前 {person.assurance_level or '未知'}，需 {minimum}），"
                          "无法进入企业后台")


def enterprises_of(session: Session, person: Person) -> list[Org]:
    return repo.enterprises_of(session, person.id_number)


def associate(session: Session, person: Person, name: str, uscc: str, now: datetime) -> Org:
    """企业信息关联: the enterprise named by name + USCC, if the person is its registered operator or legal
    representative (or already associated). Raises with a Chinese message otherwise; the caller records the refusal
    (`log_refusal`)."""
    org = _enterprise_named(session, name, uscc)
    if repo.operator(session, org.id, person.id_number) is not None:
        return org
    profile = repository.profile(session, org.id)
    if profile is not None and profile.legal_id_number == person.id_number:
        return verify_legal(session, person, org.id, now)
    # The registration names the operator and the legal representative by ID number: the two people the platform
    # can recognise by the real-name sign-in.
    if profile is None or profile.operator_id_number != person.id_number:
        raise NotOperator("您不是该企业注册时登记的经办人或法定代表人，也未被企业管理员添加为经办人，无法关联。"
                          "请联系企业管理员在【企业员工管理】的【经办人管理】中添加您")
    if org.pending_verification:
        raise RegistrationPending()
    _add(session, org.id, person, ROLE_REGISTERED, now, "本人关联（企业注册登记的经办人）")
    return org


def verify_legal(session: Session, person: Person, org_id: int, now: datetime) -> Org:
    """The legal representative's real-name sign-in: at L4, with the ID number given at registration. Verifies a
    pending registration and associates them as an operator (once)."""
    org = orgs.org_by_id(session, org_id)
    profile = repository.profile(session, org_id)
    if org is None or profile is None or org.kind != "enterprise":
        raise RegistrationNotFound()
    if not meets_level(person.assurance_level, LEGAL_LEVEL):
        raise LevelTooLow(f"法人实名认证须达到 {LEGAL_LEVEL} 级（当前 {person.assurance_level or '未知'}），验证未通过")
    if not profile.legal_id_number or profile.legal_id_number != person.id_number:
        raise NotLegal()
    if org.pending_verification:
        verification.mark_verified(org, profile, verification.VIA_REALNAME, now)
        _log(session, org.id, person.id_number, "verify", label(person.name, person.id_number), now,
             "法定代表人实名认证（L4）完成注册验证")
    if repo.operator(session, org.id, person.id_number) is None:
        _add(session, org.id, person, ROLE_LEGAL, now, "本人关联（法定代表人）")
    return org


def _add(session: Session, org_id: int, person: Person, role: str, now: datetime, detail: str) -> None:
    """Associates the person with the enterprise, once: a second request of his own at the same moment (a double
    click on 关联, two sign-ins) finds him associated, as it would a moment later (db.add_or_existing)."""
    by = label(person.name, person.id_number)
    row = EnterpriseOperator(org_id=org_id, id_number=person.id_number, name=person.name, role=role, created_at=now,
                             created_by=by)
    if db.add_or_existing(session, row, lambda: repo.operator(session, org_id, person.id_number)) is row:
        _log(session, org_id, person.id_number, "associate", by, now, detail)


def log_refusal(session: Session, person: Person, uscc: str, reason: str, now: datetime, *,
                org_id: int | None = None) -> None:
    found = orgs.org_by_id(session, org_id) if org_id else orgs.org_by_uscc(session, usccs.compact_uscc(uscc))
    _log(session, found.id if found else None, person.id_number, "refused", label(person.name, person.id_number),
         now, f"{uscc.strip()[:18]} {reason}"[:200])


def enter(session: Session, person: Person, org_id: int, now: datetime) -> Org:
    """The enterprise whose console the person enters now (audited); refused unless associated with it."""
    org = next((o for o in repo.enterprises_of(session, person.id_number) if o.id == org_id), None)
    if org is None:
        raise NotAssociated(NOT_ASSOCIATED)
    _log(session, org.id, person.id_number, "login", label(person.name, person.id_number), now, "个人实名认证登录")
    return org


def operators(session: Session, org_id: int) -> list[OperatorView]:
    """The enterprise's 经办人, each with who added it as a reader reads it (orgs.operators)."""
    rows = repo.operators_of(session, org_id)
    who = org_operators.labels(session, (o.created_by for o in rows))
    return [OperatorView(o.id, o.name, o.id_number, o.role, o.created_at, who.get(o.created_by, o.created_by))
            for o in rows]


def add_operator(session: Session, org_id: int, name: str, id_number: str, by: str, now: datetime) -> OperatorView:
    """经办人管理 【添加】: name + ID number; the name must match the real name when the person is known."""
    clean_name = service.clean_name(name)
    number = service.clean_id_number(id_number, now.date())
    service.check_real_name(session, number, clean_name)
    exists = OperatorExists(f"身份证号 {mask_id_number(number)} 已是本企业经办人")
    if repo.operator(session, org_id, number) is not None:
        raise exists
    row = EnterpriseOperator(org_id=org_id, id_number=number, name=clean_name, role=ROLE_ADDED, created_at=now,
                             created_by=by[:64])
    # A double-clicked 添加 may have stored the same operator since the look-up: refused as a repeated 添加 is.
    if db.add_or_existing(session, row, lambda: repo.operator(session, org_id, number)) is not row:
        raise exists
    _log(session, org_id, number, "add", by, now, f"添加经办人 {clean_name}")
    return OperatorView(row.id, row.name, row.id_number, row.role, row.created_at, row.created_by)


def remove_operator(session: Session, org_id: int, operator_id: int, by: str, now: datetime) -> str:
    """经办人管理 【移除】: the operator's session ends at their next request (the console checks every time)."""
    removed = repo.remove(session, org_id, operator_id)
    if removed is None:
        raise OperatorNotFound()
    _log(session, org_id, removed.id_number, "remove", by, now, f"移除经办人 {removed.name}")
    return removed.name


def _enterprise_named(session: Session, name: str, uscc: str) -> Org:
    clean_name = (name or "").strip()
    if not clean_name or not (uscc or "").strip():
        raise Invalid("请输入企业名称和统一社会信用代码")
    try:
        code = usccs.normalise_uscc(uscc)
    except usccs.InvalidUscc:
        raise InvalidUscc("统一社会信用代码格式或校验位不正确") from None
    org = orgs.org_by_uscc(session, code)
    if org is None or org.kind != "enterprise":
        raise OrgNotFound("该统一社会信用代码的企业尚未注册，请先进行企业法人注册")
    if org.name != clean_name:
        raise EnterpriseNameMismatch()
    return org


def _log(session: Session, org_id: int | None, id_number: str, action: str, by: str, now: datetime,
         detail: str | None = None) -> None:
    repo.add_event(session, OperatorEvent(org_id=org_id, id_number=id_number, action=action, by=by[:64], at=now,
                                          detail=detail))
