"""Enterprise rules: who is an enterprise admin, its profile, employees (add / change / delete / sync) with the
report summaries that follow them, and reminders to report (提醒上报)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from healthcode import db
from healthcode.common import ids, phones
from healthcode.common.ids import normalize_id_number
from healthcode.common.phones import normalise_phone
from healthcode.enterprise import consent_repository, errors, repository
from healthcode.enterprise.errors import IdNumberFixed, NothingSelected, RealNameMismatch
from healthcode.enterprise.models import Employee, EmploymentRequest, EnterpriseProfile
from healthcode.enterprise.repository import EmployeeFilter, ReportFilter
from healthcode.errors import InvalidIdNumber, InvalidName, InvalidPhone
from healthcode.messages import service as messages
from healthcode.orgs import audit_repository
from healthcode.orgs import repository as orgs
from healthcode.orgs.audit_models import DataAccess
from healthcode.orgs.models import Org
from healthcode.residents import repository as residents

NAME_MAX = 64


def enterprise_of(session: Session, org_id: int) -> Org:
    """The admin's organisation, which must be an enterprise (a government unit has no enterprise console)."""
    org = orgs.org_by_id(session, org_id)
    if org is None or org.kind != "enterprise":
        raise errors.NotEnterprise()
    return org


# ---- validation shared by the forms and the import ----------------------------------------------------------------
def _masked(id_number: str) -> str:
    return f"{id_number[:2]}*****{id_number[-3:]}"


def clean_name(value: object) -> str:
    name = ("" if value is None else str(value)).strip()
    if not name:
        raise InvalidName("姓名不能为空")
    if len(name) > NAME_MAX:
        raise InvalidName(f"姓名不能超过{NAME_MAX}个字")
    return name


def clean_id_number(value: object, today: date | None = None) -> str:
    try:
        return normalize_id_number("" if value is None else str(value), today)
    except ids.InvalidIdNumber as exc:
        raise InvalidIdNumber(str(exc)) from None


def clean_phone(value: object, *, required: bool = False) -> str | None:
    if not ("" if value is None else str(value)).strip():
        if required:
            raise InvalidPhone("手机号码不能为空")
        return None
    try:
        return normalise_phone(value)
    except phones.InvalidPhone as exc:
        raise InvalidPhone(str(exc)) from None


# The legal representative is reached by SMS (the verification code at registration, the outcome of a USCC dispute):
# 法人电话号码 must be a mobile number, and a landline is told why (docs/decisions.md, "法人电话号码").
LEGAL_PHONE_RULE = ("法人电话号码须填写法定代表人本人的手机号（11位，以13至19开头）：平台通过短信联系法定代表人"
                    "（注册后的法人验证码、统一社会信用代码争议的处理结果）")


def clean_legal_phone(value: object) -> str:
    text = ("" if value is None else str(value)).strip()
    if not text:
        raise InvalidPhone(f"请填写法人电话号码。{LEGAL_PHONE_RULE}")
    if phones.is_landline(text):
        raise InvalidPhone(f"{text} 是固定电话，收不到短信。{LEGAL_PHONE_RULE}")
    try:
        return normalise_phone(text)
    except phones.InvalidPhone:
        raise InvalidPhone(LEGAL_PHONE_RULE) from None


# ---- employees ---------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class EmployeeInput:
    name: str
    id_number: str
    phone: str = ""


def add_employee(session: Session, org_id: int, data: EmployeeInput, now: datetime) -> EmploymentRequest:
    """新增: asks the resident to confirm this employer (a pending request), nothing more. The enterprise sees the
    person's reports only once the resident accepts in the citizen portal (or names the enterprise on a report).
    The name is not compared with the ID number's real name: the answer would tell a stranger whose number it is.
    The holder sees the name the request was made under (consent.requests_of) and can refuse."""
    name, number = clean_name(data.name), clean_id_number(data.id_number, now.date())
    phone = clean_phone(data.phone)
    existing = _refuse_known(session, org_id, number)
    if existing is not None:
        session.delete(existing)
        session.flush()
    request = EmploymentRequest(org_id=org_id, name=name, id_number=number, phone=phone, state="pending",
                                requested_by="enterprise", requested_at=now)
    # A double-clicked 新增 may have stored the same request since the look-up: refused as a repeated 新增 is.
    if db.add_or_existing(session, request, lambda: consent_repository.request_of(session, org_id, number)) \
            is not request:
        _refuse_known(session, org_id, number)
        raise _request_exists(number)
    return request


def _refuse_known(session: Session, org_id: int, number: str) -> EmploymentRequest | None:
    """Refuses a 新增 of an employee or of someone already asked; returns a withdrawn request (asked anew)."""
    if repository.employee_by_id_number(session, org_id, number) is not None:
        raise errors.EmployeeExists(f"身份证号 {_masked(number)} 的员工已存在")
    existing = consent_repository.request_of(session, org_id, number)
    if existing is not None and existing.state != "withdrawn":
        raise _request_exists(number)
    return existing


def _request_exists(number: str) -> errors.RequestExists:
    return errors.RequestExists(f"已向身份证号 {_masked(number)} 的居民发送过员工确认请求；"
                                "需由本人在“八闽健康码”中确认，或在健康上报中填写本企业的统一社会信用代码")


def update_employee(session: Session, org_id: int, employee_id: int, data: EmployeeInput, now: datetime) -> Employee:
    employee = get_employee(session, org_id, employee_id)
    name, number = clean_name(data.name), clean_id_number(data.id_number, now.date())
    phone = clean_phone(data.phone)
    if number != employee.id_number:
        # Another person: that person's consent is needed, so it is a new request (delete, then 新增), not an edit.
        raise IdNumberFixed()
    employee.name, employee.phone = name, phone
    session.flush()
    return employee


NAME_MISMATCH = "姓名与该身份证号的实名信息不一致"


def check_real_name(session: Session, id_number: str, name: str) -> None:
    """经办人 only (operators.add_operator): the name must match the resident's real name when he is registered.
    Employees are not checked: their consent request goes to the ID number's holder whatever the name."""
    registered = repository.registered_names(session, [id_number]).get(id_number)
    if registered is not None and registered != name:
        raise RealNameMismatch(NAME_MISMATCH)


def get_employee(session: Session, org_id: int, employee_id: int) -> Employee:
    employee = repository.employee(session, org_id, employee_id)
    if employee is None:
        raise errors.EmployeeNotFound()
    return employee


def delete_employees(session: Session, org_id: int, employee_ids: Sequence[int], now: datetime) -> int:
    """Deletes the enterprise's own employees among the ids; an id of another enterprise refuses the whole request."""
    ids = sorted(set(employee_ids))
    if not ids:
        raise NothingSelected("请先勾选要删除的员工")
    found = repository.employees_by_ids(session, org_id, ids)
    if len(found) != len(ids):
        raise errors.EmployeeNotFound()
    detach_reports(session, org_id, found, reset=False)  # the rows go: no need to clear their summaries
    repository.delete_employees(session, org_id, ids)
    consent_repository.mark(session, org_id, [e.id_number for e in found], "withdrawn", now)
    return len(ids)


def attach_reports(session: Session, org_id: int, id_numbers: Sequence[str]) -> None:
    """Fills the report summaries of newly added employees (by ID number) and adds their reports to the enterprise's
    day counts. Works in bulk, so that an import of 50,000 people costs a few grouped queries per 500 of them."""
    summaries = repository.person_summaries(session, list(id_numbers))
    if not summaries:
        return
    ids = repository.employee_ids(session, org_id, list(summaries))
    repository.update_employees(session, [
        {"id": ids[n], "report_count": s[0], "first_report_date": s[1], "last_report_date": s[2],
         "last_reported_at": s[3]} for n, s in summaries.items() if n in ids
    ])
    repository.shift_day_stats(session, org_id, repository.day_counts(session, list(summaries)))


def detach_reports(session: Session, org_id: int, removed: Sequence[Employee], *, reset: bool = True) -> None:
    """Takes the employees' reports out of the enterprise's day counts (and clears their summaries)."""
    numbers = [e.id_number for e in removed if e.report_count]
    if numbers:
        counts = repository.day_counts(session, numbers)
        repository.shift_day_stats(session, org_id, {d: -n for d, n in counts.items()})
    for e in removed if reset else ():
        e.report_count, e.first_report_date, e.last_report_date, e.last_reported_at = 0, None, None, None


@dataclass(frozen=True)
class SyncResult:
    added: int
    employees: int


def sync_employees(session: Session, org_id: int, now: datetime) -> SyncResult:
    """同步员工信息: links the residents who named this enterprise (its USCC) on a report of their own (their naming
    is their consent; nobody else is pulled in), then rebuilds every employee's report summary and the day counts."""
    org = enterprise_of(session, org_id)
    claimed = consent_repository.self_named(session, org_id, org.uscc)
    numbers = [number for number, _name, _at in claimed]
    consent_repository.drop_any(session, org_id, numbers)
    consent_repository.insert_requests(session, [
        {"org_id": org_id, "name": name, "id_number": number, "phone": None, "state": "confirmed",
         "requested_by": "resident", "requested_at": at, "decided_at": at} for number, name, at in claimed])
    repository.insert_employees(session, [
        {"org_id": org_id, "name": name, "id_number": number, "phone": None, "created_at": now, "report_count": 0}
        for number, name, _at in claimed
    ])
    repository.clear_day_stats(session, org_id)
    numbers = repository.reset_summaries(session, org_id)
    attach_reports(session, org_id, numbers)
    return SyncResult(len(claimed), len(numbers))


def claimed_count(session: Session, org_id: int) -> int:
    org = enterprise_of(session, org_id)
    return len(consent_repository.self_named(session, org_id, org.uscc))


# ---- reminders ---------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Reminded:
    sent: int
    already_reported: int
    already_reminded: int


def remind(session: Session, org_id: int, employee_ids: Sequence[int], now: datetime) -> Reminded:
    """提醒上报 / 批量提醒: an in-app message (and a text when the phone is known) to each selected employee who has
    not reported today; one reminder per employee per day."""
    org = enterprise_of(session, org_id)
    ids = sorted(set(employee_ids))
    if not ids:
        raise NothingSelected("请先勾选今日未上报的员工")
    found = repository.employees_by_ids(session, org_id, ids)
    if len(found) != len(ids):
        raise errors.EmployeeNotFound()
    today = now.date()
    reported = [e for e in found if e.last_report_date == today]
    reminded = [e for e in found if e.last_report_date != today and e.last_reminded_on == today]
    due = [e for e in found if e.last_report_date != today and e.last_reminded_on != today]
    if not due:  # chosen, but nobody to remind: say so instead of 提醒成功 to 0
        raise NothingSelected(nobody_due_message(len(reported), len(reminded)))
    body = f"{org.name}提醒您：今日（{today:%Y年%m月%d日}）尚未进行健康上报，请及时在“八闽健康码”中完成健康上报。"
    messages.send(session, [e.id_number for e in due], title="健康上报提醒", body=body, now=now,
                  sender_org_id=org_id, topic=f"reminder:{today.isoformat()}",
                  sms_to=[e.phone for e in due if e.phone])
    repository.mark_reminded(session, [e.id for e in due], today)
    return Reminded(len(due), len(reported), len(reminded))


def nobody_due_message(already_reported: int, already_reminded: int) -> str:
    """The refusal of a reminder none of the chosen employees needs: why, and what to choose instead."""
    reasons = []
    if already_reminded:
        reasons.append(f"{already_reminded} 名今日已提醒过")
    if already_reported:
        reasons.append(f"{already_reported} 名今日已上报")
    return f"所选员工无需提醒（{'，'.join(reasons)}），未发送提醒。请勾选今日未上报且未提醒过的员工"


# ---- profile -----------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ProfileView:
    name: str
    uscc: str
    legal_name: str
    legal_phone: str


def profile_view(session: Session, org_id: int) -> ProfileView:
    org = enterprise_of(session, org_id)
    p = repository.profile(session, org_id)
    return ProfileView(org.name, org.uscc, p.legal_name if p else "", p.legal_phone if p else "")


def update_profile(session: Session, org_id: int, *, name: str, legal_name: str, legal_phone: str,
                   now: datetime) -> ProfileView:
    org = enterprise_of(session, org_id)
    org_name = (name or "").strip()
    if not org_name or len(org_name) > 200:
        raise InvalidName("企业名称不能为空，且不超过200个字")
    legal = clean_name(legal_name)
    phone = clean_legal_phone(legal_phone)
    p = repository.profile(session, org_id)
    if p is None:
        p = EnterpriseProfile(org_id=org_id, legal_name=legal, legal_phone=phone, created_at=now, updated_at=now)
        session.add(p)
    p.legal_name, p.legal_phone, p.updated_at = legal, phone, now
    org.name = org_name
    session.flush()
    return profile_view(session, org_id)


# ---- audit -------------------------------------------------------------------------------------------------------
def log_access(session: Session, *, account_id: int, username: str, org_id: int, subject: str, purpose: str,
               now: datetime, id_number: str | None = None, detail: str | None = None) -> None:
    """Records a view of personal health data (PIPL art. 28) in the consoles' shared access log."""
    person_id = None
    if id_number is not None:
        person_id = residents.person_id_by_id_number(session, id_number)
    audit_repository.add_access(session, DataAccess(
        account_id=account_id, username=username, org_id=org_id, subject=subject, person_id=person_id,
        purpose=purpose, detail=(detail or "")[:300] or None, at=now))


def log_export_people(session: Session, *, account_id: int, username: str, org_id: int, purpose: str, now: datetime,
                      reports: ReportFilter | None = None, employees: EmployeeFilter | None = None) -> None:
    """Each resident in an export gets a row of his own in the access log (企业查看健康上报 on his access page)."""
    entry = {"account_id": account_id, "username": username, "org_id": org_id, "subject": "export",
             "purpose": purpose, "at": now}
    if reports is not None:
        if reports.date_from is None and reports.date_to is None:  # the export's default: up to yesterday (截止到昨日)
            reports = ReportFilter(reports.name, reports.id_number, None, now.date() - timedelta(days=1),
                                   reports.report_type)
        repository.log_report_export(session, org_id, reports, entry)
    if employees is not None:
        repository.log_employee_export(session, org_id, employees, entry)
