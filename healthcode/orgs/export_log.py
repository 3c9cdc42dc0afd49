"""批量导出 rules shared by the consoles: an export is masked as its screen is; 导出完整信息 shows the columns below in
full, only to the units with the right (docs/decisions.md, "Exports"); and every export is logged — who, which export,
the filter (personal values masked), full or masked, how many rows."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from healthcode.common.masking import mask_id_number, mask_name, mask_phone
from healthcode.orgs import export_repository as repo
from healthcode.orgs import operators
from healthcode.orgs.errors import ExportFullForbidden
from healthcode.orgs.export_models import ExportLog
from healthcode.web.console import ConsoleUser

EXPORTS = {"ent_reports": "员工健康上报数据", "ent_health": "员工健康管理数据", "gov_records": "扫码记录",
           "gov_records_print": "扫码记录打印", "gov_scanner_print": "扫码员数据汇总打印", "gov_reports": "数据报表"}
# The one column each export may show in full, and the kinds of unit that may ask for it. ID numbers: never.
FULL_COLUMNS = {"ent_health": ("手机号码", {"enterprise"}), "gov_records": ("姓名", {"government", "community"})}
_LABELS = {"name": "姓名", "id_number": "身份证号", "phone": "手机号码", "date_from": "开始日期", "date_to": "结束日期",
           "report_type": "上报类型", "status": "上报状态", "start": "开始时间", "end": "结束时间",
           "point_id": "扫码地点", "color": "扫码结果", "day": "日期", "org": "单位", "scanner": "扫码员"}
_MASKS = {"name": mask_name, "scanner": mask_name, "id_number": mask_id_number, "phone": mask_phone}


@dataclass(frozen=True)
class LogView:
    at: datetime
    org_name: str
    username: str
    export: str
    filter: str
    full: bool
    rows: int


def may_export_full(user: ConsoleUser, export: str) -> bool:
    column = FULL_COLUMNS.get(export)
    return column is not None and user.org_kind in column[1]


def wants_full(user: ConsoleUser, export: str, asked: str | None) -> bool:
    """Whether this export shows the full values: only when asked for (导出完整信息) by a unit with the right."""
    if (asked or "") not in ("1", "true", "on"):
        return False
    if not may_export_full(user, export):
        raise ExportFullForbidden()
    return True


def filter_text(params: Mapping[str, str]) -> str:
    """The filter as the log keeps it: Chinese labels, names, ID numbers and phones masked, empty values left out."""
    parts = []
    for key, value in params.items():
        text = (value or "").strip()
        if not text or key in ("full", "page"):
            continue
        shown = _MASKS[key](text) if key in _MASKS else text
        parts.append(f"{_LABELS.get(key, key)}={shown}")
    return ("；".join(parts) or "全部")[:300]


def record(session: Session, user: ConsoleUser, export: str, params: Mapping[str, str], full: bool, rows: int,
           now: datetime) -> None:
    repo.add(session, ExportLog(org_id=user.org_id, account_id=user.account_id, username=user.username[:64],
                                export=export, filter=filter_text(params), full=full, rows=rows, at=now))


def logger(session: Session, user: ConsoleUser, export: str, params: Mapping[str, str], full: bool,
           now: datetime) -> ExportLogger:
    """The callback an export calls with its row count once the file is written."""
    return ExportLogger(session, user, export, dict(params), full, now)


@dataclass
class ExportLogger:
    session: Session
    user: ConsoleUser
    export: str
    params: dict[str, str]
    full: bool
    now: datetime

    def __call__(self, rows: int) -> None:
        record(self.session, self.user, self.export, self.params, self.full, rows, self.now)


def listing(session: Session, org_id: int | None, limit: int = 200) -> list[LogView]:
    """A unit's own exports (org_id), or every unit's (None: the health authority), newest first."""
    rows = repo.latest(session, org_id, limit)
    who = operators.labels(session, (e.username for e, _name in rows))
    return [LogView(e.at, name, who.get(e.username, e.username), EXPORTS.get(e.export, e.export), e.filter, e.full,
                    e.rows) for e, name in rows]
