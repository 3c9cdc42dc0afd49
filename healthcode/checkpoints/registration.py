"""A scanner's self-registration (法人注册, seed 四.1): the organisation by name + USCC, the phone verified by SMS,
the operator's name, ID number and password; the result is a pending scanner, i.e. a request to the unit's admin."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from healthcode.checkpoints import service
from healthcode.checkpoints.errors import OrgNameMismatch, PasswordMismatch
from healthcode.checkpoints.models import Scanner
from healthcode.messages import sms_codes
from healthcode.orgs import errors as org_errors
from healthcode.orgs import repository as orgs
from healthcode.orgs.service import normalise_uscc

PURPOSE = "scanner_register"


@dataclass(frozen=True)
class Form:
    org_name: str
    uscc: str
    phone: str
    sms_code: str
    name: str
    id_number: str
    password: str
    password_confirm: str


def send_code(session: Session, phone: str, *, secret_key: str, now: datetime, log_text: bool) -> int:
    """Sends the registration code to a valid phone number. Whether the number is already a scanner's is told only
    after its code is entered (by `register`): the sending answers alike for every number, so that it cannot be
    used to learn who is registered."""
    number = service._phone(phone)
    return sms_codes.send(session, number, PURPOSE, secret_key=secret_key, now=now, log_text=log_text)


def check_before_code(session: Session, form: Form) -> str:
    """The checks that need no SMS code (so that a typo elsewhere does not spend a try): returns the phone."""
    phone = service._phone(form.phone)
    if form.password != form.password_confirm:
        raise PasswordMismatch()
    uscc = normalise_uscc(form.uscc)
    org = orgs.org_by_uscc(session, uscc)
    if org is None or org.name != (form.org_name or "").strip():
        raise org_errors.OrgNotFound(f"未找到统一社会信用代码为 {uscc} 的单位") if org is None else OrgNameMismatch()
    return phone


def register(session: Session, form: Form, *, secret_key: str, now: datetime) -> Scanner:
    """Verifies the SMS code, then creates the pending scanner through the checkpoint service. The caller runs
    everything after the code check in a savepoint, so a refusal there keeps the code usable."""
    phone = check_before_code(session, form)
    code = sms_codes.verify(session, phone, PURPOSE, form.sms_code, secret_key=secret_key, now=now)
    with session.begin_nested():
        scanner = service.add_scanner(session, org_uscc=form.uscc, phone=phone, name=form.name,
                                      id_number=form.id_number, password=form.password, authorise=False,
                                      operator="self", now=now)
        sms_codes.spend(code, now)
    return scanner
