"""A checked 批量导入 file compared with the enterprise's roster (its employees and its employment requests), and the
changes applied: new people are asked to confirm (a pending request, as 新增), people on the roster whose name or
phone changed are updated, the others are counted as unchanged; people on the roster but not in the file are removed
only when the admin asked for it (and confirmed how many). All in the caller's transaction: all or nothing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from healthcode.enterprise import consent_repository, repository, service
from healthcode.enterprise.import_checking import Entry

OPEN = ("pending", "refused", "ended")  # the 待员工确认 list


@dataclass
class Plan:
    added: list[Entry] = field(default_factory=list)
    employee_updates: list[dict[str, Any]] = field(default_factory=list)
    request_updates: list[dict[str, Any]] = field(default_factory=list)
    unchanged: int = 0
    declined: int = 0  # refused or ended by the person: not asked again (only the resident may re-confirm)
    remove_employees: list[int] = field(default_factory=list)  # employee ids
    remove_requests: list[str] = field(default_factory=list)  # ID numbers of open requests

    @property
    def updated(self) -> int:
        return len(self.employee_updates) + len(self.request_updates)

    @property
    def removals(self) -> int:
        return len(self.remove_employees) + len(self.remove_requests)


def plan(session: Session, org_id: int, entries: Sequence[Entry], *, has_phone: bool, remove_missing: bool) -> Plan:
    """What the file changes. Without a phone column the phones on the roster stay; with one, an empty cell clears
    the phone (as 修改信息 does)."""
    employees = consent_repository.roster_employees(session, org_id)
    requests = consent_repository.roster_requests(session, org_id)
    result = Plan()
    for e in entries:
        if e.id_number in employees:
            _compare(result.employee_updates, result, employees[e.id_number][0], employees[e.id_number][1:], e,
                     has_phone)
            continue
        request = requests.get(e.id_number)
        if request is None or request[1] == "withdrawn":
            result.added.append(e)
        elif request[1] in ("refused", "ended"):
            result.declined += 1
        else:  # pending (or confirmed: an employee row always goes with it)
            _compare(result.request_updates, result, request[0], request[2:], e, has_phone)
    if remove_missing:
        listed = {e.id_number for e in entries}
        result.remove_employees = [v[0] for k, v in employees.items() if k not in listed]
        result.remove_requests = [k for k, v in requests.items() if v[1] in OPEN and k not in listed]
    return result


def _compare(updates: list[dict[str, Any]], result: Plan, row_id: int, current: tuple[str, str | None], e: Entry,
             has_phone: bool) -> None:
    name, phone = current
    if e.name == name and (not has_phone or e.phone == phone):
        result.unchanged += 1
    else:
        updates.append({"id": row_id, "name": e.name, "phone": e.phone if has_phone else phone})


def apply(session: Session, org_id: int, p: Plan, now: datetime) -> None:
    repository.update_employees(session, p.employee_updates)
    consent_repository.update_requests(session, p.request_updates)
    if p.remove_employees:  # their reports leave the day counts; their requests become withdrawn, as 删除 does
        service.delete_employees(session, org_id, p.remove_employees, now)
    consent_repository.mark(session, org_id, p.remove_requests, "withdrawn", now)
    numbers = [e.id_number for e in p.added]
    # Requests only: each person confirms in the citizen portal before the enterprise sees anything of theirs.
    # Names are not compared with the real names (service.add_employee says why): each holder sees the name.
    consent_repository.drop_withdrawn(session, org_id, numbers)
    consent_repository.insert_requests(session, [
        {"org_id": org_id, "name": e.name, "id_number": e.id_number, "phone": e.phone, "state": "pending",
         "requested_by": "enterprise", "requested_at": now} for e in p.added])
