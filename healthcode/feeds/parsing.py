"""Feed file readers (SPEC section 4): CSV (UTF-8, BOM allowed), XLSX (first sheet) and JSON Lines.

Each reader streams `(line_number, row)` pairs and never holds the file in memory: `row` is a dict of column name to
cell value, or a `BadLine` when the line itself cannot be read. Line numbers: the header is line 1 (CSV, XLSX), JSON
Lines count from 1. The reader also reports how many bytes of the file it has consumed, for the progress bar.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from healthcode.config import Settings
from healthcode.errors import Invalid, InvalidFile
from healthcode.feeds.errors import FileTooLarge

FORMATS = {".csv": "csv", ".xlsx": "xlsx", ".jsonl": "jsonl"}
# Some exporters use a few very long cells (addresses, notes); the csv module's default limit is 128 KiB.
csv.field_size_limit(16 * 1024 * 1024)


@dataclass(frozen=True)
class BadLine:
    """A line that could not be read at all (malformed JSON, a JSON value that is not an object)."""

    reason: str


Row = dict[str, Any] | BadLine

# What a damaged or disguised file raises while it is opened or read: zip and deflate errors, a missing workbook part
# (KeyError), malformed XML (SyntaxError: ElementTree's and lxml's ParseError), openpyxl's own ValueErrors.
FILE_ERRORS = (OSError, EOFError, UnicodeDecodeError, csv.Error, ValueError, KeyError, SyntaxError,
               zipfile.BadZipFile, zlib.error)
RATIO_CHECKED_BYTES = 1 << 20  # members smaller than this uncompressed are not checked for their compression ratio


class Unreadable(ValueError):
    """A file that cannot be read as its format, with the Chinese reason."""


def unreadable(name: str, fmt: str, exc: BaseException) -> Invalid:
    """The per-file error (Chinese) for an exception raised while a file was opened or read."""
    if isinstance(exc, Unreadable):
        reason = str(exc)
    elif isinstance(exc, UnicodeDecodeError):
        reason = "文件不是 UTF-8 编码，请另存为“CSV UTF-8”格式后重新提交"
    elif fmt == "xlsx":
        reason = "不是有效的 Excel（.xlsx）文件或文件已损坏（旧版 .xls 请另存为 .xlsx）"
    elif isinstance(exc, csv.Error):
        reason = "CSV 格式错误，无法逐行读取"
    else:
        reason = "文件无法读取"
    return InvalidFile(f"无法读取文件 {name}：{reason}")


def check_xlsx_archive(path: Path, settings: Settings) -> None:
    """Refuses an XLSX by what its zip declares, before anything is expanded: more than the settings' size in all,
    or a large member compressed suspiciously well (a "zip bomb": a sheet of gigabytes of zeros in a few MB)."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise unreadable(path.name, "xlsx", exc) from None
    limit_mb = settings.xlsx_max_uncompressed_mb
    if sum(m.file_size for m in members) > limit_mb * 1024 * 1024:
        raise FileTooLarge(f"Excel 文件 {path.name} 解压后超过 {limit_mb} MB，已拒绝：请拆分文件或改用 CSV")
    for member in members:
        if member.file_size > RATIO_CHECKED_BYTES and member.file_size > settings.xlsx_max_ratio * max(
                member.compress_size, 1):
            raise FileTooLarge(f"Excel 文件 {path.name} 的压缩比异常（疑似压缩炸弹），已拒绝")


class FeedFile:
    """An open feed file: `header` (None for JSON Lines), `rows()` and `bytes_read()`. An XLSX is checked first by
    what its zip declares, against the settings' limits."""

    def __init__(self, path: Path, settings: Settings) -> None:
        self.path = path
        self.format = format_of(path)
        self.size = path.stat().st_size
        self.header: list[str] | None = None
        self._bytes_read = 0
        self._raw: Any = None
        self._rows: Iterator[tuple[int, Row]]
        if self.size == 0:
            raise InvalidFile(f"无法读取文件 {path.name}：文件为空")
        if self.format == "xlsx":
            check_xlsx_archive(path, settings)
        try:
            self._rows = getattr(self, f"_open_{self.format}")()
        except FILE_ERRORS as exc:
            self.close()
            raise unreadable(path.name, self.format, exc) from exc

    def rows(self) -> Iterator[tuple[int, Row]]:
        try:
            yield from self._rows
        except FILE_ERRORS as exc:
            raise unreadable(self.path.name, self.format, exc) from exc

    def bytes_read(self) -> int:
        if self._raw is not None:
            try:
                return min(self._raw.tell(), self.size)
            except (OSError, ValueError):
                return self.size
        return self._bytes_read

    def close(self) -> None:
        if self._raw is not None:
            self._raw.close()

    def __enter__(self) -> FeedFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # CSV: the text wrapper reads ahead from the raw file, whose position is good enough for a progress bar.
    def _open_csv(self) -> Iterator[tuple[int, Row]]:
        self._raw = open(self.path, "rb", buffering=0)  # closed by close()
        text = io.TextIOWrapper(io.BufferedReader(self._raw, 1 << 20), encoding="utf-8-sig", newline="")
        reader = csv.reader(text)
        header = next(reader, None)
        if header is None:
            raise Unreadable("文件为空")
        self.header = [column_name(h) for h in header]
        return self._csv_rows(reader, self.header)

    @staticmethod
    def _csv_rows(reader: Any, header: list[str]) -> Iterator[tuple[int, Row]]:
        for values in reader:
            if not values:
                continue  # a blank line
            yield reader.line_num, dict(zip(header, values, strict=False))

    def _open_jsonl(self) -> Iterator[tuple[int, Row]]:
        self._raw = open(self.path, "rb", buffering=1 << 20)  # closed by close()
        return self._jsonl_rows(self._raw)

    @staticmethod
    def _jsonl_rows(raw: Any) -> Iterator[tuple[int, Row]]:
        loads = json.loads
        for number, line in enumerate(raw, start=1):
            if not line.strip():
                continue
            try:
                value = loads(line)
            except ValueError:
                yield number, BadLine("JSON格式错误（每行应为一个JSON对象）")
                continue
            except RecursionError:  # thousands of nested brackets: the decoder recurses once per level
                yield number, BadLine("JSON嵌套层数过多（每行应为一个JSON对象，值为文本、数字或布尔值）")
                continue
            if not isinstance(value, dict):
                yield number, BadLine("该行不是JSON对象")
                continue
            yield number, {column_name(k): v for k, v in value.items()}

    def _open_xlsx(self) -> Iterator[tuple[int, Row]]:
        from openpyxl import load_workbook

        workbook = load_workbook(self.path, read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            workbook.close()
            raise Unreadable("第一个工作表为空")
        self.header = [column_name(h) for h in header]
        total = sheet.max_row or 0
        return self._xlsx_rows(workbook, rows, self.header, total)

    def _xlsx_rows(self, workbook: Any, rows: Any, header: list[str], total: int) -> Iterator[tuple[int, Row]]:
        try:
            for number, values in enumerate(rows, start=2):
                # The sheet is one compressed stream: estimate the bytes consumed from the rows read.
                if total:
                    self._bytes_read = self.size * min(number, total) // total
                if values is None or all(v is None or v == "" for v in values):
                    continue
                yield number, {h: _cell(v) for h, v in zip(header, values, strict=False)}
            self._bytes_read = self.size
        finally:
            workbook.close()


def format_of(path: Path) -> str:
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise Invalid(f"不支持的文件格式“{path.suffix or path.name}”，请使用 .csv、.xlsx 或 .jsonl")
    return fmt


def open_feed_file(path: Path, settings: Settings) -> FeedFile:
    """Opens a feed file for streaming; Invalid (Chinese message) if it is missing, unreadable or of an unknown kind."""
    format_of(path)
    if not path.is_file():
        raise Invalid(f"文件不存在或不可读：{path}")
    return FeedFile(path, settings)


def column_name(value: object) -> str:
    """A header cell as a column name: stripped, without BOM, lower case."""
    return "" if value is None else str(value).strip().lstrip("\ufeff").lower()


def _cell(value: object) -> object:
    """An XLSX cell as the converters expect it: numbers that are whole become their digits (an ID number or a row
    typed as a number), dates and times stay objects, everything else is text."""
    if value is None or isinstance(value, (str, bool, datetime, date)):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, time):
        return value.isoformat()
    return str(value)
