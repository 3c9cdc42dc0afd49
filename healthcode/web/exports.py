"""Excel exports shared by the consoles: streaming write-only workbooks whose text cells can never start a formula
(SPEC section 10: no cell starts with = + - @), served as a download."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any
from urllib.parse import quote

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from starlette.background import BackgroundTask
from starlette.responses import FileResponse

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
    """Writes one sheet (bold header, then the rows) to a path or binary file, row by row in openpyxl's
    write-only mode so memory stays flat whatever the row count. Returns the number of data rows."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_title[:31])
    bold = Font(bold=True)
    head = []
    for title in header:
        cell = WriteOnlyCell(sheet, value=safe_cell(title))
        cell.font = bold
        head.append(cell)
    sheet.append(head)
    count = 0
    for row in rows:
        sheet.append([safe_cell(v) for v in row])
        count += 1
    workbook.save(target)
    return count


def xlsx_response(filename: str, sheet_title: str, header: Sequence[str],
                  rows: Iterable[Sequence[Any]]) -> FileResponse:
    """A download of the rows as an .xlsx file; the temporary file is removed once it has been sent."""
    handle, path = tempfile.mkstemp(suffix=".xlsx", prefix="healthcode-export-")
    os.close(handle)
    try:
        write_xlsx(path, sheet_title, header, rows)
    except BaseException:
        os.unlink(path)
        raise
    # RFC 6266 / 5987: an ASCII fallback name and the Chinese name percent-encoded.
    disposition = f"attachment; filename=\"export.xlsx\"; filename*=UTF-8''{quote(filename)}"
    return FileResponse(path, media_type=XLSX_MEDIA_TYPE, headers={"Content-Disposition": disposition,
                                                                   "Cache-Control": "no-store"},
                        background=BackgroundTask(os.unlink, path))
