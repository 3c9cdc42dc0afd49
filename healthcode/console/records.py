"""扫码记录 (the unit's scan records): filters, pages, detail, drill-down to a resident (audited, with a stated
purpose) and to a scanner, and the Excel export. Every function takes the admin's org_id: the tenant boundary."""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from typing import Any

from sqlalchemy.orm import Session

from healthcode import clock
from healthcode.checkpoints.errors import PersonNotFound, ScannerNotFound, ScanNotFound
from healthcode.checkpoints.models import Scanner
from healthcode.common.masking import mask_id_number, mask_name, mask_phone
from healthcode.console import repository as repo
from healthcode.console.errors import ExportTooLarge, InvalidColor, InvalidPoint, InvalidPurpose
from healthcode.console.repository import ScanFilter
from healthcode.enterprise import reports as health_reports
from healthcode.errors import InvalidDate
from healthcode.feeds import repository as feeds
from healthcode.orgs import audit_repository as audit
from healthcode.orgs.audit_models import DataAccess
from healthcode.regions import divisions
from healthcode.residents.models import Person
from healthcode.web.console import ConsoleUser

PAGE_SIZE = 10
COLORS = {"green": "绿码", "orange": "橙码", "yellow": "黄码", "red": "红码"}  # yellow, red: rule set fj-2021-09
TEMPERATURE = {"normal": "正常", "abnormal": "异常"}
VIA = {"qr": "扫码", "number": "数字码", "card": "纸质卡", "id_card": "身份证"}  # 身份证: 刷身份证 (issue 16)
PURPOSES = ("疫情防控排查", "密切接触者追踪", "通行异常核查", "居民本人申请查询", "上级部门要求核查")
EXPORT_LIMIT = 200_000  # one export; narrow the time range beyond this
PRINT_LIMIT = 1_000  # one printout (about 40 A4 pages): past it the newest PRINT_LIMIT rows print, with a note
HEADER = ("姓名", "身份证号", "居住社区", "扫码时间", "扫码地点", "扫码结果", "体温", "通行原因", "扫码员", "备注")


@dataclass
class Query:
    """The query form as typed (kept for the form and the links), and the filter it means."""

    start: str = ""
    end: str = ""
    point_id: str = ""
    color: str = ""
    filter: ScanFilter = field(default_factory=lambda: ScanFilter(0))

    def params(self) -> dict[str, str]:
        return {k: v for k, v in (("start", self.start), ("end", self.end), ("point_id", self.point_id),
                                  ("color", self.color)) if v}


def parse_query(org_id: int, start: str = "", end: str = "", point_id: str = "", color: str = "") -> Query:
    """The filters of the form; a bad value is refused with a Chinese message (nothing is queried)."""
    since = _moment(start, end_of_day=False, label="开始时间")
    until = _moment(end, end_of_day=True, label="结束时间")
    if since and until and since > until:
        raise InvalidDate("开始时间不能晚于结束时间")
    point = None
    if point_id.strip():
        if not point_id.strip().isdigit():
            raise InvalidPoint()
        point = int(point_id)
    if color and color not in COLORS:
        raise InvalidColor()
    return Query(start.strip(), end.strip(), point_id.strip(), color,
                 ScanFilter(org_id, since=since, until=until, point_id=point, color=color or None))


def page_of(session: Session, f: ScanFilter, page: int, page_size: int = PAGE_SIZE) -> dict[str, Any]:
    total = repo.count_scans(session, f)
    pages = max(1, math.ceil(total / page_size))
    page = min(max(1, page), pages)
    rows = repo.scan_page(session, f, (page - 1) * page_size, page_size)
    return {"rows": [record_view(r) for r in rows], "total": total, "page": page, "pages": pages,
            "page_numbers": _window(page, pages)}


def record_view(r: Any) -> dict[str, Any]:
    """One row as the table shows it: masked identity, Chinese labels."""
    return {
        "id": r.id, "at": r.at, "person_id": r.person_id, "name": mask_name(r.person_name),
        "id_number": mask_id_number(r.id_number), "home": r.home or "—", "point_id": r.point_id,
        "point": f"{r.community} {r.point_name}", "point_address": r.point_address,
        "region": divisions.short_name(r.region_code), "color": r.color, "color_label": COLORS.get(r.color, r.color),
        "temperature": _temperature(r), "abnormal": r.temperature_result == "abnormal",
        "pass_reason": r.pass_reason or "—", "scanner_id": r.scanner_id, "scanner_name": r.scanner_name,
        "via": VIA.get(r.via, r.via), "remark": _remark(r), "feedback_at": r.feedback_at,
    }


def detail(session: Session, org_id: int, scan_id: int) -> dict[str, Any]:
    row = repo.scan_record(session, org_id, scan_id)
    if row is None:
        raise ScanNotFound("本单位没有该扫码记录")
    return record_view(row)


def log_record_view(session: Session, admin: ConsoleUser, record: dict[str, Any]) -> None:
    """查看详情 of one scan shows the resident's (masked) identity and pass: logged like every view of a person."""
    audit.add_access(session, DataAccess(account_id=admin.account_id, username=admin.username, org_id=admin.org_id,
                                         subject="record", person_id=record["person_id"], purpose="查看扫码记录详情",
                                         detail=f"scan {record['id']}", at=clock.now()))


def points(session: Session, org_id: int) -> list[dict[str, Any]]:
    return [{"id": p.id, "label": f"{p.community} {p.name}"} for p in repo.points_of_org(session, org_id)]


# --- drill-down to a resident (audited) ---------------------------------------------------------------------------

def person_for(session: Session, org_id: int, person_id: int) -> Person:
    person = repo.person_seen_by_org(session, org_id, person_id)
    if person is None:
        raise PersonNotFound("本单位没有该居民的通行记录")
    return person


def view_person(session: Session, admin: ConsoleUser, person_id: int, purpose: str) -> dict[str, Any]:
    """The resident's basic information, their passes at this unit and their health reports, once the stated
    purpose has been logged (who, when, whose data, why)."""
    person = person_for(session, admin.org_id, person_id)
    if purpose not in PURPOSES:
        raise InvalidPurpose()
    audit.add_access(session, DataAccess(account_id=admin.account_id, username=admin.username, org_id=admin.org_id,
                                         subject="person", person_id=person.id, purpose=purpose, at=clock.now()))
    household = feeds.household(session, person.id_number)
    scans = repo.scan_page(session, ScanFilter(admin.org_id, person_id=person.id), 0, 500)
    return {
        "person": {"id": person.id, "name": person.name, "id_number": mask_id_number(person.id_number),
                   "phone": mask_phone(person.phone) if person.phone else "—",
                   "initial_region": divisions.short_name(person.initial_region_code)
                   if person.initial_region_code else "—",
                   "household": household.address if household else "—"},
        "scans": [record_view(r) for r in scans],
        "reports": health_reports.for_employer(session, admin.org_id, person.id_number),
        "purpose": purpose,
    }


# --- drill-down to a scanner --------------------------------------------------------------------------------------

def scanner_for(session: Session, org_id: int, scanner_id: int) -> Scanner:
    scanner = repo.scanner_of_org(session, org_id, scanner_id)
    if scanner is None:
        raise ScannerNotFound()
    return scanner


def scanner_summary(scanner: Scanner) -> dict[str, Any]:
    return {"id": scanner.id, "name": scanner.name, "phone": scanner.phone,
            "id_number": mask_id_number(scanner.id_number), "status": scanner.status}


# --- export -------------------------------------------------------------------------------------------------------

def export_rows(session: Session, admin: ConsoleUser, query: Query, *, full: bool = False,
                ) -> Iterator[tuple[Any, ...]]:
    """The rows of the 批量导出, masked as on screen (full names when `full`: the caller checked the right; ID
    numbers always masked); the export itself is logged like a view."""
    total = repo.count_scans(session, query.filter)
    if total > EXPORT_LIMIT:
        raise ExportTooLarge(f"导出记录过多（{total} 条），请缩小扫码时间范围至 {EXPORT_LIMIT} 条以内")
    detail_text = "；".join(f"{k}={v}" for k, v in query.params().items()) or "全部"
    audit.add_access(session, DataAccess(account_id=admin.account_id, username=admin.username, org_id=admin.org_id,
                                         subject="export", person_id=None,
                                         purpose="批量导出（完整姓名）" if full else "批量导出",
                                         detail=f"{detail_text}（{total} 条）"[:300], at=clock.now()))
    return (_export_row(r, full) for r in repo.iter_scans(session, query.filter))


def print_rows(session: Session, admin: ConsoleUser, query: Query, scanner: Scanner | None = None,
               ) -> dict[str, Any]:
    """打印: the whole filtered result (of 扫码记录, or of one scanner's 扫码员数据汇总), newest first, up to
    PRINT_LIMIT rows (past it the newest PRINT_LIMIT, and the page says how many were left out); masked as on
    screen, and logged like an export."""
    f = replace(query.filter, scanner_id=scanner.id) if scanner is not None else query.filter
    total = repo.count_scans(session, f)
    rows = [record_view(r) for r in repo.scan_page(session, f, 0, PRINT_LIMIT)]
    label = filter_label(query, points(session, admin.org_id))
    of = f"扫码员 {mask_name(scanner.name)}（编号 {scanner.id}）；" if scanner is not None else ""
    audit.add_access(session, DataAccess(account_id=admin.account_id, username=admin.username, org_id=admin.org_id,
                                         subject="export", person_id=None, purpose="打印",
                                         detail=f"{of}{label}（{len(rows)}/{total} 条）"[:300],
                                         at=clock.now()))
    return {"rows": rows, "total": total, "limit": PRINT_LIMIT, "truncated": total > len(rows), "filter": label}


def filter_label(query: Query, point_list: list[dict[str, Any]]) -> str:
    """The filter in words, as a printout states it (point_list: the unit's points, for the point's name)."""
    point = next((p["label"] for p in point_list if str(p["id"]) == query.point_id), "")
    parts = []
    if query.start or query.end:
        parts.append(f"扫码时间 {query.start or '不限'} 至 {query.end or '不限'}")
    if query.point_id:
        parts.append(f"扫码地点 {point or query.point_id}")
    if query.color:
        parts.append(f"扫码结果 {COLORS[query.color]}")
    return "；".join(parts) or "全部"


def _export_row(r: Any, full: bool) -> tuple[Any, ...]:
    v = record_view(r)
    return (r.person_name if full else v["name"], v["id_number"], v["home"], r.at.strftime("%Y-%m-%d %H:%M:%S"),
            v["point"], v["color_label"], v["temperature"], v["pass_reason"], v["scanner_name"], v["remark"])


# --- helpers ------------------------------------------------------------------------------------------------------

def _temperature(r: Any) -> str:
    if r.temperature is not None:
        return f"{r.temperature:.1f}℃" + ("（异常）" if r.temperature_result == "abnormal" else "")
    return TEMPERATURE.get(r.temperature_result, "—") if r.temperature_result else "—"


def _remark(r: Any) -> str:
    parts = [VIA.get(r.via, r.via)]
    if r.feedback_at is None:
        parts.append("未反馈通行信息")
    return "，".join(parts)


def _window(page: int, pages: int, width: int = 10) -> list[int]:
    first = max(1, min(page - width // 2, pages - width + 1))
    return list(range(first, min(pages, first + width - 1) + 1))


def _moment(value: str, *, end_of_day: bool, label: str) -> datetime | None:
    text = (value or "").strip()
    if not text:
        return None
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), time.max if end_of_day else time.min)
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidDate(f"{label}格式应为 YYYY-MM-DD 或 YYYY-MM-DD HH:MM") from None
    return clock.to_local(moment)
