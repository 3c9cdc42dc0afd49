"""批量导入 of employees from an Excel (.xlsx) or CSV file: every row is checked first, and one bad row (missing name,
bad ID check character, bad phone, duplicate) rejects the whole file with a report naming every bad row. An import
creates pending employment requests only (each resident confirms in the citizen portal)."""

from __future__ import annotations

import io
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import BinaryIO

from python_calamine import CalamineError, CalamineWorkbook, XmlError, ZipError
from sqlalchemy.orm import Session

from healthcode.config import Settings
from healthcode.datadir import scratch_dir
from healthcode.enterprise import consent_repository, repository, service
from healthcode.enterprise.errors import EmptyFile, FileTooLarge, MissingColumns, TooManyRows
from healthcode.errors import DomainError, InvalidFile
from healthcode.feeds.parsing import BadLine, Row, check_xlsx_archive, open_feed_file, unreadable

MAX_ROWS = 200_000
CHUNK = 1 << 16  # bytes of an upload held in memory at once
COLUMNS = {
    "name": ("姓名", "员工姓名", "name"),
    "id_number": ("身份证号", "身份证号码", "员工身份证号", "id_number"),
    "phone": ("手机号码", "手机号", "电话", "phone"),
}
LABELS = {"name": "姓名", "id_number": "身份证号", "phone": "手机号码"}
TEMPLATE_HEADER = ["姓名", "身份证号", "手机号码"]


@dataclass(frozen=True)
class BadRow:
    line: int
    column: str
    reason: str


@dataclass
class ImportReport:
    status: str  # "imported" / "rejected"
    rows: int = 0
    bad_rows: list[BadRow] = field(default_factory=list)

    def as_json(self) -> dict[str, object]:
        return {"status": self.status, "rows": self.rows,
                "bad_rows": [{"line": b.line, "column": b.column, "reason": b.reason} for b in self.bad_rows]}


def import_upload(session: Session, settings: Settings, org_id: int, filename: str, content: bytes | BinaryIO,
                  now: datetime) -> ImportReport:
    """The upload is copied in chunks to the scratch folder, never more than the settings' `employee_import_max_mb`
    of it (413 beyond), then read from there."""
    suffix = Path(filename or "").suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise InvalidFile("请上传 Excel（.xlsx）或 CSV 文件")
    with tempfile.TemporaryDirectory(dir=scratch_dir()) as folder:
        path = Path(folder) / f"employees{suffix}"
        source = io.BytesIO(content) if isinstance(content, bytes) else content
        if _copy(source, path, settings.employee_import_max_mb) == 0:
            raise InvalidFile("上传的文件是空的")
        return import_file(session, settings, org_id, path, now)


def _copy(source: BinaryIO, path: Path, max_mb: int) -> int:
    limit = max_mb * 1024 * 1024
    size = 0
    with path.open("wb") as out:
        while chunk := source.read(CHUNK):
            size += len(chunk)
            if size > limit:
                raise FileTooLarge(f"文件过大：导入文件不能超过 {max_mb} MB，请删去多余内容或拆分为多个文件后分批导入")
            out.write(chunk)
    return size


def import_file(session: Session, settings: Settings, org_id: int, path: Path, now: datetime) -> ImportReport:
    """Imports the file's employees into the enterprise, or nothing at all when any row is bad (an XLSX first checked
    against the settings' limits)."""
    service.enterprise_of(session, org_id)
    existing = repository.existing_id_numbers(session, org_id) | consent_repository.taken_id_numbers(session, org_id)
    seen: dict[str, int] = {}
    rows: list[dict[str, object]] = []
    bad: list[BadRow] = []
    today = now.date()
    total = 0
    with _open(path, settings) as (header, lines):
        columns = _columns(header)
        for line, raw in lines:
            total += 1
            if isinstance(raw, BadLine):
                bad.append(BadRow(line, "", raw.reason))
                continue
            if total > MAX_ROWS:
                raise TooManyRows(f"一次最多导入 {MAX_ROWS} 名员工，请拆分文件")
            values = {key: raw.get(col) if col else None for key, col in columns.items()}
            row, errors = _check(values, today)
            if row is not None:
                number = str(row["id_number"])
                if number in existing:
                    errors.append(BadRow(line, LABELS["id_number"], "该员工已在本企业员工名单或待确认名单中"))
                elif number in seen:
                    errors.append(BadRow(line, LABELS["id_number"], f"与第 {seen[number]} 行身份证号重复"))
                else:
                    seen[number] = line
            if errors:
                bad += [BadRow(line, e.column, e.reason) for e in errors]
            elif row is not None:
                rows.append({**row, "org_id": org_id, "state": "pending", "requested_by": "enterprise",
                             "requested_at": now})
    # Names are not compared with the real names (service.add_employee says why): each holder sees the name and decides.
    if bad:
        bad.sort(key=lambda b: b.line)
        return ImportReport("rejected", total, bad)
    if not rows:
        raise EmptyFile()
    # Requests only: each person confirms in the citizen portal before the enterprise sees anything of theirs.
    consent_repository.drop_withdrawn(session, org_id, list(seen))
    consent_repository.insert_requests(session, rows)
    return ImportReport("imported", len(rows))


@contextmanager
def _open(path: Path, settings: Settings) -> Iterator[tuple[list[str], Iterator[tuple[int, Row]]]]:
    """(header, rows) of the file. XLSX goes through calamine (Rust): openpyxl needs ~10 s for 50,000 rows, calamine
    a fraction of a second; CSV through the feeds' streaming reader."""
    if path.suffix.lower() != ".xlsx":
        with open_feed_file(path, settings) as feed:
            yield feed.header or [], feed.rows()
        return
    # calamine expands the whole sheet in memory: refuse a zip bomb by its declared sizes
    check_xlsx_archive(path, settings)
    try:
        sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
        rows = iter(sheet.iter_rows())
        header = next(rows, None)
    except (CalamineError, ZipError, XmlError, ValueError, OSError) as exc:
        raise unreadable(path.name, "xlsx", exc) from None
    if header is None:
        raise InvalidFile("第一个工作表为空")
    names = [str(h).strip().lower() for h in header]
    first = sheet.start[0] + 1 if sheet.start else 1  # the sheet's first used row, as Excel numbers it

    def lines() -> Iterator[tuple[int, Row]]:
        for number, values in enumerate(rows, start=first + 1):
            if all(v is None or v == "" for v in values):
                continue
            yield number, {h: _cell(v) for h, v in zip(names, values, strict=False)}

    yield names, lines()


def _cell(value: object) -> object:
    # A whole number is an ID number or a phone typed as a number: its digits, not "1.38e10".
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return value


def _columns(header: list[str]) -> dict[str, str | None]:
    found: dict[str, str | None] = {}
    for key, names in COLUMNS.items():
        found[key] = next((h for h in header if h in {n.lower() for n in names}), None)
    missing = [LABELS[k] for k in ("name", "id_number") if found[k] is None]
    if missing:
        raise MissingColumns(f"文件缺少列：{'、'.join(missing)}（表头应为：{'、'.join(TEMPLATE_HEADER)}）")
    return found


def _check(values: dict[str, object], today: date) -> tuple[dict[str, object] | None, list[BadRow]]:
    errors: list[BadRow] = []
    out: dict[str, object] = {}
    checks: dict[str, Callable[[object], object]] = {
        "name": service.clean_name, "id_number": lambda v: service.clean_id_number(v, today),
        "phone": service.clean_phone}
    for key, check in checks.items():
        try:
            out[key] = check(values[key])
        except DomainError as exc:
            errors.append(BadRow(0, LABELS[key], exc.message))
    return (out if "id_number" in out else None), errors
