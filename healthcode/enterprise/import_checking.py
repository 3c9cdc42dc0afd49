"""The rows of a 批量导入 file checked one by one (name, ID number and its check character, phone, the same person
twice in the file), before anything is compared with the roster: one bad row refuses the whole file. The bad lines'
cells are kept as they were written, for the downloadable error report."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from healthcode.config import Settings
from healthcode.enterprise import service
from healthcode.enterprise.errors import MissingColumns, TooManyRows
from healthcode.enterprise.import_reading import read_sheet
from healthcode.errors import DomainError

MAX_ROWS = 200_000  # the dialog states it; 10 MB of CSV is about this many rows
COLUMNS = {
    "name": ("姓名", "员工姓名", "name"),
    "id_number": ("身份证号", "身份证号码", "员工身份证号", "id_number"),
    "phone": ("手机号码", "手机号", "电话", "phone"),
}
LABELS = {"name": "姓名", "id_number": "身份证号", "phone": "手机号码"}
TEMPLATE_HEADER = ["姓名", "身份证号", "手机号码"]
REASON_COLUMN, LINE_COLUMN = "错误原因", "原文件行号"


@dataclass(frozen=True)
class BadRow:
    line: int
    column: str
    reason: str


@dataclass(frozen=True)
class Entry:
    line: int
    name: str
    id_number: str
    phone: str | None


@dataclass
class Checked:
    header: list[str]
    has_phone: bool  # without the column, a re-upload leaves the phones on the roster as they are
    total: int = 0
    entries: list[Entry] = field(default_factory=list)
    bad: list[BadRow] = field(default_factory=list)
    bad_cells: dict[int, list[object]] = field(default_factory=dict)  # line -> its cells as written

    def error_rows(self) -> list[list[object]]:
        """The error report's rows: each bad line's cells in the file's columns, then its reasons and its line."""
        reasons: dict[int, list[str]] = {}
        for b in self.bad:
            reasons.setdefault(b.line, []).append(f"{b.column}：{b.reason}" if b.column else b.reason)
        width = len(self.header)
        return [[*(cells + [None] * width)[:width], "；".join(reasons[line]), line]
                for line, cells in sorted(self.bad_cells.items())]


def check_file(path: Path, settings: Settings, today: date) -> Checked:
    seen: dict[str, int] = {}
    with read_sheet(path, settings) as sheet:
        columns = _columns(sheet.keys)
        checked = Checked(sheet.header, columns["phone"] is not None)
        for line, values in sheet.lines:
            checked.total += 1
            if checked.total > MAX_ROWS:
                raise TooManyRows(f"一次最多导入 {MAX_ROWS:,} 名员工（不含表头），请拆分为多个文件后分批导入")
            cells = {key: values[i] if i is not None and i < len(values) else None for key, i in columns.items()}
            entry, errors = _check(line, cells, today)
            if entry is not None:
                first = seen.setdefault(entry.id_number, line)
                if first != line:
                    errors.append(BadRow(line, LABELS["id_number"], f"与第 {first} 行身份证号重复"))
            if errors:
                checked.bad += errors
                checked.bad_cells[line] = values
            elif entry is not None:
                checked.entries.append(entry)
    return checked


def _columns(keys: list[str]) -> dict[str, int | None]:
    found: dict[str, int | None] = {}
    for key, names in COLUMNS.items():
        wanted = {n.lower() for n in names}
        found[key] = next((i for i, k in enumerate(keys) if k in wanted), None)
    missing = [LABELS[k] for k in ("name", "id_number") if found[k] is None]
    if missing:
        raise MissingColumns(f"文件缺少列：{'、'.join(missing)}（第一行应为表头：{'、'.join(TEMPLATE_HEADER)}，"
                             "可下载导入模板对照）")
    return found


def _check(line: int, cells: dict[str, object], today: date) -> tuple[Entry | None, list[BadRow]]:
    errors: list[BadRow] = []
    out: dict[str, object] = {}
    checks: dict[str, Callable[[object], object]] = {
        "name": service.clean_name, "id_number": lambda v: service.clean_id_number(v, today),
        "phone": service.clean_phone}
    for key, check in checks.items():
        try:
            out[key] = check(cells[key])
        except DomainError as exc:
            errors.append(BadRow(line, LABELS[key], exc.message))
    if "id_number" not in out:
        return None, errors
    name = out.get("name")
    phone = out.get("phone")
    return Entry(line, str(name or ""), str(out["id_number"]), str(phone) if phone else None), errors
