"""Employment consent: the resident decides which enterprises see his health reports. He accepts or refuses an
enterprise's request in the citizen portal, names an employer on his own report (which confirms that employer only),
and may end a confirmed link later. An `employees` row exists only while the link is confirmed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from healthcode.common.masking import mask_id_number, mask_name
from healthcode.enterprise import consent_repository as repository
from healthcode.enterprise import errors, service
from healthcode.enterprise.errors import RequestState
from healthcode.enterprise.models import Employee, EmploymentRequest
from healthcode.errors import InvalidAction
from healthcode.orgs import repository as orgs
from healthcode.residents.models import Person

STATE_LABELS = {"pending": "待确认", "confirmed": "已确认", "refused": "已拒绝", "ended": "已解除",
                "withdrawn": "已撤回"}
ACTIONS = ("accept", "refuse", "end")


# ---- the enterprise's side ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class OpenRequest:
    """A request as the enterprise sees it before consent: masked, with its state, nothing else of the person."""

    id: int
    name_masked: str
    id_number_masked: str
    state: str
    state_label: str
    requested_at: datetime


OPEN_SHOWN = 200  # the newest requests the 员工管理 page lists (an import may create 50,000)


def open_requests(session: Session, org_id: int) -> list[OpenRequest]:
    return [OpenRequest(r.id, mask_name(r.name), mask_id_number(r.id_number), r.state, STATE_LABELS[r.state],
                        r.requested_at) for r in repository.open_requests(session, org_id, OPEN_SHOWN)]


def count_open(session: Session, org_id: int) -> int:
    return repository.count_open(session, org_id)


def withdraw(session: Session, org_id: int, request_id: int, now: datetime) -> None:
    """撤回: the enterprise drops a request that is not confirmed (a confirmed one is an employee: 删除)."""
    request = repository.request_by_id(session, request_id)
    if request is None or request.org_id != org_id or request.state in ("confirmed", "withdrawn"):
        raise errors.RequestNotFound()
    request.state, request.decided_at = "withdrawn", now
    session.flush()


# ---- the resident's side ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ResidentRequest:
    id: int
    org_name: str
    uscc: str
    state: str
    state_label: str
    requested_by: str
    requested_at: datetime
    decided_at: datetime | None
    other_name_masked: str | None = None  # the name the enterprise entered, masked, when it is not his real name


def requests_of(session: Session, person: Person) -> list[ResidentRequest]:
    return [ResidentRequest(r.id, org.name, org.uscc, r.state, STATE_LABELS[r.state], r.requested_by,
                            r.requested_at, r.decided_at, mask_name(r.name) if r.name != person.name else None)
            for r, org in repository.requests_of_person(session, person.id_number)]


def pending_count(session: Session, person: Person) -> int:
    return sum(1 for r in requests_of(session, person) if r.state == "pending")


def decide(session: Session, person: Person, request_id: int, action: str, now: datetime) -> EmploymentRequest:
    """accept (pending, refused or ended → confirmed), refuse (pending → refused), end (confirmed → ended). Only the
    resident's own requests: anyone else's is 'not found'."""
    request = repository.request_by_id(session, request_id)
    if request is None or request.id_number != person.id_number or request.state == "withdrawn":
        raise errors.RequestNotFound()
    if action == "accept" and request.state in ("pending", "refused", "ended"):
        _confirm(session, request, person, now)
    elif action == "refuse" and request.state == "pending":
        request.state, request.decided_at = "refused", now
    elif action == "end" and request.state == "confirmed":
        _end(session, request, now)
    elif action in ACTIONS:
        raise RequestState()
    else:
        raise InvalidAction()
    session.flush()
    return request


def confirm_named(session: Session, person: Person, uscc: str, now: datetime) -> None:
    """The resident named an employer on his own report: confirms that enterprise's request if it asked (whatever
    he answered before: naming it now is his consent). Only that employer: other enterprises' requests stay as they
    are. An enterprise that did not ask links him with 同步员工信息."""
    org = orgs.org_by_uscc(session, uscc)  # only an enterprise has employment requests
    request = repository.request_of(session, org.id, person.id_number) if org is not None else None
    if request is not None and request.state not in ("confirmed", "withdrawn"):
        _confirm(session, request, person, now)


def _confirm(session: Session, request: EmploymentRequest, person: Person, now: datetime) -> None:
    request.state, request.decided_at = "confirmed", now
    if repository.employee_of(session, request.org_id, person.id_number) is None:
        session.add(Employee(org_id=request.org_id, name=person.name, id_number=person.id_number,
                             phone=request.phone, created_at=now, report_count=0))
        session.flush()
        service.attach_reports(session, request.org_id, [person.id_number])


def _end(session: Session, request: EmploymentRequest, now: datetime) -> None:
    """解除: the employee row goes, and with it every enterprise-side view of the resident's reports (old and new)."""
    request.state, request.decided_at = "ended", now
    employee = repository.employee_of(session, request.org_id, request.id_number)
    if employee is not None:
        service.detach_reports(session, request.org_id, [employee], reset=False)
        session.delete(employee)
