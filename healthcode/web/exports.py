"""Excel exports shared by the consoles: streaming write-only workbooks whose text cells can never start a formula
(SPEC section 10: no cell starts with = + - @), served as a download."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import xlsxwriter
from starlette.responses import FileResponse
from starlette.types import Receive, Scope, Send

from healthcode.datadir import scratch_dir

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Tab and carriage return are on OWASP's list too: some spreadsheet programs strip them and then read a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """The value as it may go into a cell: text starting like a formula gets a leading apostrophe, so the
    spreadsheet shows it as text; numbers, dates and None pass unchanged."""
    if value is None or isinstance(value, bool | int | float | datetime | date):
        return value
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def write_xlsx(target: Any, sheet_title: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Writes one sheet (bold header, then the rows) to a path or binary file in XlsxWriter's constant-memory mode
    (each row is flushed as it is written, so memory stays flat whatever the row count; several times faster than
    openpyxl's write-only mode). Text always goes in as text, never as a formula. Returns the number of data rows."""
    workbook = xlsxwriter.Workbook(target, {"constant_memory": True, "in_memory": False,
                                           "tmpdir": str(scratch_dir())})
    sheet = workbook.add_worksheet(sheet_title[:31])
    bold = workbook.add_format({"bold": True})
    stamp = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    day = workbook.add_format({"num_format": "yyyy-mm-dd"})
    for col, title in enumerate(header):
        sheet.write_string(0, col, str(safe_cell(title)), bold)
    count = 0
    for count, row in enumerate(rows, start=1):
        for col, value in enumerate(row):
            value = safe_cell(value)
            if value is None:
                continue
            if isinstance(value, datetime):
                sheet.write_datetime(count, col, value, stamp)
            elif isinstance(value, date):
                sheet.write_datetime(count, col, datetime(value.year, value.month, value.day), day)
            elif isinstance(value, bool | int | float):
                sheet.write_number(count, col, value)
            else:
                sheet.write_string(count, col, value)
    workbook.close()
    return count


class _TemporaryFileResponse(FileResponse):
    """Removes its file once sent, or once sending failed (a server on ASGI 2.4 raises in `send` when the client went
    away mid-download; a server shutting down cancels): a background task would not run then, and the export would
    stay in the data directory until the next start."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            Path(self.path).unlink(missing_ok=True)


def xlsx_response(filename: str, sheet_title: str, header: Sequence[str], rows: Iterable[Sequence[Any]],
                  on_written: Callable[[int], None] | None = None) -> FileResponse:
    """A download of the rows as an .xlsx file; the temporary file is removed once it has been sent. `on_written`
    gets the number of data rows once the file is written, within the request (the export log)."""
    handle, path = tempfile.mkstemp(suffix=".xlsx", prefix="healthcode-export-", dir=scratch_dir())
    os.close(handle)
    try:
        count = write_xlsx(path, sheet_title, header, rows)
        if on_written is not None:
            on_written(count)
    except BaseException:
        os.unlink(path)
        raise
    # RFC 6266 / 5987: an ASCII fallback name and the Chinese name percent-encoded.
    disposition = f"attachment; filename=\"export.xlsx\"; filename*=UTF-8''{quote(filename)}"
    return _TemporaryFileResponse(path, media_type=XLSX_MEDIA_TYPE, headers={"Content-Disposition": disposition,
                                                                             "Cache-Control": "no-store"})
