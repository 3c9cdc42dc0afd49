"""批量导入 of employees from an Excel (.xlsx) or CSV file, which is also how the roster is kept up to date: a
re-upload adds the new people (pending requests: each resident confirms in the citizen portal), updates the name and
phone of the people already listed, counts the unchanged ones, and removes the people missing from the file only when
the admin asks for it and confirms how many. Every row is checked first: one bad row (missing name, bad ID check
character, bad phone, the same person twice) changes nothing, and the admin downloads an error report of the bad
rows. One transaction: all or nothing."""

from __future__ import annotations

import io
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from sqlalchemy.orm import Session

from healthcode.config import Settings
from healthcode.datadir import scratch_dir
from healthcode.enterprise import import_checking, import_store, roster_import, service
from healthcode.enterprise.errors import EmptyFile, FileTooLarge
from healthcode.enterprise.import_checking import BadRow, Checked
from healthcode.enterprise.import_store import Uploader
from healthcode.errors import InvalidFile

CHUNK = 1 << 16  # bytes of an upload held in memory at once
SUFFIXES = (".xlsx", ".csv")
TEMPLATE_HEADER = import_checking.TEMPLATE_HEADER
MAX_ROWS = import_checking.MAX_ROWS
SHOWN_ERRORS = 10  # the page lists the first few; the report has them all


@dataclass
class ImportReport:
    status: str  # imported / rejected / confirm (removals the admin has not confirmed yet)
    rows: int = 0
    bad_rows: list[BadRow] = field(default_factory=list)
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    declined: int = 0
    removed: int = 0  # to remove, while the status is "confirm"
    removed_employees: int = 0
    removed_requests: int = 0
    token: str | None = None  # the error report's (rejected) or the kept upload's (confirm)
    recounted: bool = False  # confirm again: the number to remove changed since the admin was shown it
    checked: Checked | None = field(default=None, repr=False)

    @property
    def bad_lines(self) -> int:
        return len({b.line for b in self.bad_rows})

    @property
    def shown_errors(self) -> list[BadRow]:
        return self.bad_rows[:SHOWN_ERRORS]

    def as_json(self) -> dict[str, object]:
        return {"status": self.status, "rows": self.rows, "added": self.added, "updated": self.updated,
                "unchanged": self.unchanged, "declined": self.declined, "removed": self.removed,
                "bad_rows": [{"line": b.line, "column": b.column, "reason": b.reason} for b in self.bad_rows]}


def import_upload(session: Session, settings: Settings, uploader: Uploader, filename: str,
                  content: bytes | BinaryIO, now: datetime, *, remove_missing: bool = False) -> ImportReport:
    """The upload is copied in chunks to the scratch folder, never more than the settings' `employee_import_max_mb`
    of it (413 beyond), then read from there. A refused file leaves its error report for the uploader; an upload
    that would remove people is kept for the uploader's confirmation (`import_kept`)."""
    suffix = Path(filename or "").suffix.lower()
    if suffix == ".xls":
        raise InvalidFile("不支持旧版 Excel（.xls）文件：请在 Excel 中另存为“Excel 工作簿（.xlsx）”后导入")
    if suffix not in SUFFIXES:
        raise InvalidFile("请上传 Excel（.xlsx）或 CSV 文件")
    with tempfile.TemporaryDirectory(dir=scratch_dir()) as folder:
        path = Path(folder) / f"employees{suffix}"
        source = io.BytesIO(content) if isinstance(content, bytes) else content
        if _copy(source, path, settings.employee_import_max_mb) == 0:
            raise InvalidFile("上传的文件是空的")
        report = import_file(session, settings, uploader.org_id, path, now, remove_missing=remove_missing)
        if report.status == "confirm":
            report.token = import_store.keep(session, uploader, import_store.UPLOAD, suffix, path.read_bytes(), now)
    return _keep_report(session, uploader, report, now)


def import_kept(session: Session, settings: Settings, uploader: Uploader, token: str, removals: int,
                now: datetime) -> ImportReport:
    """确认导入: the kept upload imported with its removals, if they are still the number the admin confirmed (the
    roster may have changed meanwhile: then he is asked again, with the new number)."""
    kept = import_store.fetch(session, uploader, import_store.UPLOAD, token, now)
    with tempfile.TemporaryDirectory(dir=scratch_dir()) as folder:
        path = Path(folder) / f"employees{kept.suffix}"
        path.write_bytes(kept.content)
        report = import_file(session, settings, uploader.org_id, path, now, remove_missing=True,
                             confirmed_removals=removals)
    if report.status == "confirm":
        report.token, report.recounted = token, True
        return report
    import_store.discard(session, uploader, token)
    return _keep_report(session, uploader, report, now)


def _keep_report(session: Session, uploader: Uploader, report: ImportReport, now: datetime) -> ImportReport:
    if report.status == "rejected" and report.checked is not None:
        report.token = import_store.keep(session, uploader, import_store.REPORT, ".xlsx",
                                         import_store.error_report(report.checked), now)
    return report


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


def import_file(session: Session, settings: Settings, org_id: int, path: Path, now: datetime, *,
                remove_missing: bool = False, confirmed_removals: int | None = None) -> ImportReport:
    """Applies the file to the enterprise's roster, or nothing at all when any row is bad, or when it would remove
    people and `confirmed_removals` is not their number (status "confirm": nothing applied yet)."""
    service.enterprise_of(session, org_id)
    checked = import_checking.check_file(path, settings, now.date())
    if checked.bad:
        checked.bad.sort(key=lambda b: b.line)
        return ImportReport("rejected", checked.total, checked.bad, checked=checked)
    if not checked.entries:
        raise EmptyFile("文件中没有员工数据：第一行为表头，从第二行起每行一名员工")
    plan = roster_import.plan(session, org_id, checked.entries, has_phone=checked.has_phone,
                              remove_missing=remove_missing)
    report = ImportReport("imported", checked.total, added=len(plan.added), updated=plan.updated,
                          unchanged=plan.unchanged, declined=plan.declined, removed=plan.removals,
                          removed_employees=len(plan.remove_employees), removed_requests=len(plan.remove_requests))
    if plan.removals and confirmed_removals != plan.removals:
        report.status = "confirm"
        return report
    roster_import.apply(session, org_id, plan, now)
    return report
