"""Reads a CSV feed file in blocks of whole lines, for the vectorised fast path (fastpath.py).

A block is *clean* when it has no quote, carriage return (other than in CRLF line ends) or other control character
but tabs: then each line is one record, its line number is known without a CSV parser, and its cells are the text
between commas. The first block that is not clean (a quoted cell may hold a newline and run across blocks) ends the
blocks: from its first byte on, the rest of the file is read by the csv module exactly as parsing.FeedFile reads it,
with the same line numbers.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from healthcode.feeds.parsing import Row, column_name, unreadable

READ_SIZE = 1 << 22
NEWLINE = 10
RETURN = 13
SPACE = 32
BOM = b"\xef\xbb\xbf"


@dataclass
class Block:
    line: int  # line number of the block's first line (the header is line 1)
    text: str  # the lines as in the file, without the last one's line end
    lines: int
    end: int  # file offset after the block, for the progress bar
    crlf: bool = False  # the lines end in "\r\n" (else in "\n")

    def rows(self, header: list[str]) -> Iterator[tuple[int, Row]]:
        """The block's rows as FeedFile yields them (a clean block parses the same with or without the csv module;
        blank lines are skipped but counted)."""
        for number, values in enumerate(csv.reader(self.text.split("\r\n" if self.crlf else "\n")), start=self.line):
            if values:
                yield number, dict(zip(header, values, strict=False))


@dataclass
class Rest:
    """The rest of the file from `offset` (whose first line is `line`), read row by row."""

    path: Path
    offset: int
    line: int
    header: list[str]

    def rows(self) -> Iterator[tuple[int, Row]]:
        with open(self.path, "rb") as raw:
            raw.seek(self.offset)
            text = io.TextIOWrapper(io.BufferedReader(raw, 1 << 20), encoding="utf-8", newline="")
            reader = csv.reader(text)
            try:
                for values in reader:
                    if values:
                        yield self.line + reader.line_num - 1, dict(zip(self.header, values, strict=False))
            except (UnicodeDecodeError, csv.Error) as exc:
                raise unreadable(self.path.name, "csv", exc) from exc


def read_header(path: Path) -> tuple[list[str], int] | None:
    """The header (as FeedFile reads it) and the offset of the first data line, if the header line is clean."""
    with open(path, "rb") as raw:
        first = raw.readline(1 << 20)
    if not first.endswith(b"\n"):
        return None
    body = first.removeprefix(BOM)[:-1].removesuffix(b"\r")
    if any(c in body for c in (b'"', b"\r", b"\x00")):
        return None
    try:
        return [column_name(h) for h in body.decode("utf-8").split(",")], len(first)
    except UnicodeDecodeError:
        return None


def blocks(path: Path, offset: int, block_lines: int, header: list[str]) -> Iterator[Block | Rest]:
    """Clean blocks of `block_lines` lines from `offset` (the first data line, line 2), then at most one Rest."""
    line = 2
    with open(path, "rb") as raw:
        raw.seek(offset)
        buf, start, eof = b"", 0, False
        ends = np.empty(0, dtype=np.int64)  # positions of the newlines in buf, from index `next_end` on unused
        next_end = 0
        while True:
            available = len(ends) - next_end
            if available < block_lines and not eof:
                data = raw.read(READ_SIZE)
                eof = not data
                buf, start = buf[start:] + data, 0
                ends, next_end = np.flatnonzero(np.frombuffer(buf, dtype=np.uint8) == NEWLINE), 0
                continue
            first = next_end
            if available >= block_lines:
                next_end += block_lines
                end = int(ends[next_end - 1]) + 1
            elif start < len(buf):  # the end of the file; its last line may lack a newline
                next_end, end = len(ends), len(buf)
            else:
                return
            data, begin, start = buf[start:end], start, end
            newlines = ends[first:next_end] - begin  # in data
            ended = data.endswith(b"\n")
            lines = len(newlines) + (not ended)
            clean = _clean(data[:-1] if ended else data, newlines[:-1] if ended else newlines)
            if clean is None:
                yield Rest(path, offset, line, header)
                return
            offset += len(data)
            yield Block(line, clean[0], lines, offset, clean[1])
            line += lines


def _clean(data: bytes, newlines: np.ndarray) -> tuple[str, bool] | None:
    """The block's text and whether its lines end in CRLF, if it is clean (`newlines`: the positions of the line
    feeds in `data`)."""
    if b'"' in data:
        return None
    crlf = b"\r" in data
    # No control character but the line ends (and tabs): a NUL or another one is refused row by row, with its line.
    if np.count_nonzero(np.frombuffer(data, dtype=np.uint8) < SPACE) != (
            len(newlines) + data.count(b"\r") + data.count(b"\t")):
        return None
    if crlf:
        # Every line must end in CRLF: any other carriage return is a line end to the csv module, and a mix of line
        # ends is left to it too. As many CRs as LFs, each LF right after a CR (numpy: a third of the time of
        # counting "\r\n" in the bytes).
        data = data.removesuffix(b"\r")
        if data.count(b"\r") != len(newlines) or len(newlines) and (
                newlines[0] == 0 or not bool(np.all(np.frombuffer(data, dtype=np.uint8)[newlines - 1] == RETURN))):
            return None
    try:
        return data.decode("utf-8"), crlf
    except UnicodeDecodeError:
        return None
