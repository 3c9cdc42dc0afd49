"""Reading a 批量导入 file: the header and the data rows of an Excel (.xlsx) or CSV (UTF-8) file, told apart by their
content rather than their name, so that a CSV renamed .xlsx (or the reverse) gets a message that says so. Whatever
the file holds, the admin reads a Chinese reason: never a library's English."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from python_calamine import CalamineError, CalamineWorkbook

from healthcode.config import Settings
from healthcode.errors import InvalidFile
from healthcode.feeds.parsing import check_xlsx_archive

ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")  # an .xlsx is a zip archive (the second: an empty one)
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old .xls, and an .xlsx saved with a password
SAVE_AS = "请在 Excel 中打开后另存为“Excel 工作簿（.xlsx）”再导入"
NOT_EXCEL = f"该文件不是 Excel（.xlsx）文件：可能是改了扩展名的 CSV、文本或其他文件。{SAVE_AS}"
OLD_EXCEL = f"该文件是旧版 Excel（.xls）文件或设置了打开密码的 Excel 文件，无法读取。{SAVE_AS}（不要设置密码）"
BROKEN_EXCEL = f"该 Excel 文件已损坏或不是 Excel 工作簿，无法读取。{SAVE_AS}"
NOT_UTF8 = ("CSV 文件不是 UTF-8 编码（或不是文本文件）：请在 Excel 中另存为“CSV UTF-8（逗号分隔）”，"
            "或直接导入 .xlsx 文件")
BAD_CSV = "CSV 文件格式错误，无法逐行读取（例如含有未配对的引号或空字符），请检查后重新导入"

Line = tuple[int, list[object]]  # (line number as the spreadsheet shows it, the row's cells in header order)


@dataclass
class Sheet:
    header: list[str]  # as written in the file (the error report repeats it)
    keys: list[str]  # the same, stripped and lower case: what the columns are matched on
    lines: Iterator[Line]


@contextmanager
def read_sheet(path: Path, settings: Settings) -> Iterator[Sheet]:
    """The file's first sheet (or the CSV): header and data lines, blank lines skipped. InvalidFile (Chinese) for a
    file that cannot be read as either."""
    with path.open("rb") as probe:
        start = probe.read(8)
    if start.startswith(OLE_MAGIC):
        raise InvalidFile(OLD_EXCEL)
    if start.startswith(ZIP_MAGIC):
        yield _xlsx(path, settings)
    elif path.suffix.lower() == ".xlsx":
        raise InvalidFile(NOT_EXCEL)
    else:
        with path.open("rb", buffering=1 << 20) as raw:
            yield _csv(raw)


def _xlsx(path: Path, settings: Settings) -> Sheet:
    # calamine (Rust) reads 50,000 rows in a fraction of the ~10 s openpyxl needs, but expands the whole sheet in
    # memory: a zip bomb is refused first by what the archive declares.
    try:
        check_xlsx_archive(path, settings)
    except InvalidFile:
        raise InvalidFile(BROKEN_EXCEL) from None
    try:
        sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
        rows = iter(sheet.iter_rows())
        header = next(rows, None)
    except (CalamineError, ValueError, OSError, IndexError, KeyError):
        raise InvalidFile(BROKEN_EXCEL) from None
    if header is None:
        raise InvalidFile("文件的第一个工作表是空的：第一行应为表头（姓名、身份证号、手机号码）")
    first = sheet.start[0] + 1 if sheet.start else 1  # the sheet's first used row, as Excel numbers it

    def lines() -> Iterator[Line]:
        for number, values in enumerate(rows, start=first + 1):
            if any(v is not None and v != "" for v in values):
                yield number, [_cell(v) for v in values]

    return _sheet([_header_cell(h) for h in header], lines())


def _csv(raw: BinaryIO) -> Sheet:
    reader = csv.reader(io.TextIOWrapper(raw, encoding="utf-8-sig", newline=""))
    try:
        header = next(reader, None)
    except UnicodeDecodeError:
        raise InvalidFile(NOT_UTF8) from None
    except csv.Error:
        raise InvalidFile(BAD_CSV) from None
    if header is None:
        raise InvalidFile("上传的文件是空的")

    def lines() -> Iterator[Line]:
        try:
            for values in reader:
                if any(v.strip() for v in values):
                    yield reader.line_num, list(values)
        except UnicodeDecodeError:
            raise InvalidFile(NOT_UTF8) from None
        except csv.Error:
            raise InvalidFile(BAD_CSV) from None

    return _sheet([_header_cell(h) for h in header], lines())


def _sheet(header: list[str], lines: Iterator[Line]) -> Sheet:
    return Sheet(header, [h.lower() for h in header], lines)


def _header_cell(value: object) -> str:
    return "" if value is None else str(value).strip().lstrip("\ufeff")


def _cell(value: object) -> object:
    # A whole number is an ID number or a phone typed as a number: its digits, not "1.38e10".
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return value
