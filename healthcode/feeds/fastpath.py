"""The fast path of CSV validation: proves a whole block of clean lines valid column by column, in C and numpy.

A clean block (see csvblocks) has no quotes, carriage returns or NUL characters, so each line is one record and each
comma separates two cells. `FastConverter.convert` returns the stored tuples exactly as `FeedValidator.convert` would
produce them for every row of the block, or None as soon as one cell is not provably valid and normalised the same
way; the caller then runs that block through `FeedValidator.convert`, which names every error with its line. It is
conservative on purpose: anything unusual (a lowercase x, a 15-digit ID, fractional seconds, an offset other than
+08:00, an empty required cell, a cell too long) simply takes the per-row path. Dates and date-times come out as the
text the databases store (what the SQLite adapters in writers.py write, what PostgreSQL reads): no Python date
objects are made for a million rows.
"""

from __future__ import annotations

from operator import itemgetter
from typing import Any

import numpy as np

from healthcode.feeds.validation import DERIVED_COLUMNS, FeedValidator
from healthcode.regions.divisions import region_county, resolve

KINDS = {"id_number", "text", "date", "datetime"}
DERIVED = {"households", "drug_purchases", "clinic_visits"}  # derived columns the fast path knows how to compute
ID_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)  # GB 11643
ID_CHECKS = np.frombuffer(b"10X98765432", dtype=np.uint8)  # check character by weighted sum mod 11
TENS = 10 ** np.arange(17, -1, -1, dtype=np.int64)  # place values of up to 18 digits
DAYS = np.array([0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int64)
ZERO, NINE, DASH, COLON, SPACE, T = 48, 57, 45, 58, 32, 84
DAY = itemgetter(slice(0, 10))  # the date of a stored date-time text, sliced in C
COUNTY, REST = itemgetter(0), itemgetter(1)  # of a divisions.Resolved


class Proven(list[tuple[Any, ...]]):
    """Rows the fast path proved: every value a str or None, none with a tab, backslash or line end, so a writer may
    format them in bulk (PostgreSQL COPY text) instead of row by row."""


class _NotProven(Exception):
    """A cell of the block could not be proven valid: the block takes the per-row path."""


class FastConverter:
    """Vectorised `FeedValidator.convert` for the clean blocks of one CSV file (its header fixes the cell order)."""

    def __init__(self, validator: FeedValidator, header: list[str]) -> None:
        self.validator = validator
        self.feed = validator.feed
        self.width = len(header)
        last = {name: i for i, name in enumerate(header)}  # a repeated column: the last one wins, as in dict(zip())
        table = self.feed.model.__table__  # type: ignore[attr-defined]
        self.cells = [(c, last.get(c.name), getattr(table.c[c.name].type, "length", None)) for c in self.feed.columns]
        today = validator._today  # noqa: SLF001  (the same "today" as the per-row converter)
        self.today = today.year * 10000 + today.month * 100 + today.day

    @classmethod
    def for_file(cls, validator: FeedValidator, header: list[str]) -> FastConverter | None:
        """A fast converter when every column of the feed is of a kind it handles, else None (per-row path)."""
        feed = validator.feed
        if any(c.kind not in KINDS for c in feed.columns):
            return None
        if feed.name in DERIVED_COLUMNS and feed.name not in DERIVED:
            return None
        record = feed.column("record_id")
        if validator.keyed and (record is None or not record.required):
            return None  # the row key would be a per-row SHA-256: leave it to the per-row path
        return cls(validator, header)

    def convert(self, text: str, lines: int, crlf: bool = False) -> Proven | None:
        """The stored tuples of the `lines` lines of `text` (joined by newlines, or CRLFs), or None when not all are
        proven."""
        if lines == 0:
            return Proven()
        cells = text.replace("\r\n" if crlf else "\n", ",\n").split(",")
        # Each line must have exactly `width` cells: every newline then starts the first cell of a line.
        if len(cells) != lines * self.width or "".join(cells[self.width::self.width]).count("\n") != lines - 1:
            return None
        # Whitespace only in the line ends (str.split counts what str.strip removes): no cell needs stripping.
        spaced = len(text) - sum(map(len, text.split())) != (lines - 1) * (2 if crlf else 1)
        try:
            values = [self._column(c, cells, i, length, lines, spaced) for c, i, length in self.cells]
        except _NotProven:
            return None
        position = {c.name: v for (c, _, _), v in zip(self.cells, values, strict=True)}
        derived = self._derived(position)
        # A cell is part of the text: without a tab or backslash there, only a derived value can need an escape.
        if any(map(_needs_escape, (*values, *derived) if "\t" in text or "\\" in text else derived)):
            return None
        if self.validator.keyed:
            values.insert(0, position["record_id"])
        return Proven(zip(*values, *derived, strict=True))

    def _column(self, column: Any, cells: list[str], index: int | None, length: int | None, lines: int,
                spaced: bool) -> list[Any]:
        if index is None:  # an optional column the file does not have
            if column.required:
                raise _NotProven
            return [None] * lines
        values: list[Any] = cells[index::self.width]
        if spaced or index == 0:  # a line's first cell starts with its line feed (see convert)
            values = list(map(str.strip, values))
        if all(values):
            return self._cells(column.kind, values, length)
        if column.required:
            raise _NotProven
        values = [v or None for v in values]  # an empty optional cell is NULL
        if column.kind == "text":  # stored as they are: only checked
            self._cells(column.kind, list(filter(None, values)), length)
            return values
        present = iter(self._cells(column.kind, [v for v in values if v is not None], length))
        return [None if v is None else next(present) for v in values]

    def _cells(self, kind: str, values: list[str], length: int | None) -> list[str]:
        if not values:
            return values
        if kind == "text":
            if length is not None and max(map(len, values)) > length:
                raise _NotProven
        elif kind == "id_number":
            _check_ids(_fixed(values, 18), self.today)
        elif kind == "date":
            _check_date(_fixed(values, 10), 1)
        else:
            return _datetimes(values)
        return values

    def _derived(self, position: dict[str, list[Any]]) -> list[list[Any]]:
        name = self.feed.name
        if name == "households":
            return _households(position["address"], position["region_code"])
        if name == "drug_purchases":
            return [list(map(DAY, position["purchased_at"]))]
        if name == "clinic_visits":
            return [list(map(DAY, position["visited_at"]))]
        return []


def _households(addresses: list[str], regions: list[str | None]) -> list[list[Any]]:
    """The derived (county_code, address_norm) columns, as `closures.household_derived` gives them row by row: each
    distinct address resolved once (a household's members share it), a row's `region_code` overriding its county."""
    resolved = {address: resolve(address) for address in dict.fromkeys(addresses)}
    found = list(map(resolved.__getitem__, addresses))
    counties = list(map(COUNTY, found))
    if any(regions):
        given = {region: region_county(region) for region in set(regions)}
        counties = [given[region] or county for county, region in zip(counties, regions, strict=True)]
    return [counties, list(map(REST, found))]


def _needs_escape(column: list[Any]) -> bool:
    """Proven rows carry no tab, backslash or line end (not even in a derived value), so COPY text needs no escapes."""
    text = "".join(filter(None, column))
    return "\t" in text or "\\" in text or "\n" in text or "\r" in text


def _fixed(values: list[str], width: int) -> np.ndarray:
    """The cells as an (n, width) byte array, if every one is ASCII of exactly that width."""
    if set(map(len, values)) != {width}:
        raise _NotProven
    joined = "".join(values)
    if not joined.isascii():
        raise _NotProven
    return np.frombuffer(joined.encode("ascii"), dtype=np.uint8).reshape(len(values), width)


def _require(condition: Any) -> None:
    if not bool(np.all(condition)):
        raise _NotProven


def _digits(block: np.ndarray) -> np.ndarray:
    _require((block >= ZERO) & (block <= NINE))
    return block.astype(np.int64) - ZERO


def _number(digits: np.ndarray) -> np.ndarray:
    """The numbers the rows of digits spell (one matrix product: numpy's sums along short rows are slow)."""
    return digits @ TENS[-digits.shape[1]:]  # type: ignore[no-any-return]


def _check_date(chars: np.ndarray, min_year: int) -> np.ndarray:
    """YYYY-MM-DD at the start of each row, a real calendar day from `min_year`: the dates as YYYYMMDD numbers."""
    _require((chars[:, 4] == DASH) & (chars[:, 7] == DASH))
    year, month, day = (_number(_digits(chars[:, a:b])) for a, b in ((0, 4), (5, 7), (8, 10)))
    return _valid_day(year, month, day, min_year)


def _valid_day(year: np.ndarray, month: np.ndarray, day: np.ndarray, min_year: int) -> np.ndarray:
    _require((year >= min_year) & (month >= 1) & (month <= 12) & (day >= 1))
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    _require(day <= DAYS[month] - ((month == 2) & ~leap))
    return year * 10000 + month * 100 + day


def _check_ids(chars: np.ndarray, today: int) -> None:
    """What the per-row converter's own fast path accepts unchanged: 17 digits, a valid check digit or X, an area
    code not 00/0000, a real birth date from 1880 up to today."""
    digits = _digits(chars[:, :17])
    _require((_number(digits[:, :2]) != 0) & (_number(digits[:, 2:6]) != 0))
    born = _valid_day(_number(digits[:, 6:10]), _number(digits[:, 10:12]), _number(digits[:, 12:14]), 1880)
    _require(born <= today)
    _require(ID_CHECKS[(digits @ ID_WEIGHTS) % 11] == chars[:, 17])


def _datetimes(values: list[str]) -> list[str]:
    """`YYYY-MM-DD[T ]HH:MM:SS`, naive or `+08:00` from 1992 on (both are already Shanghai time, as the per-row
    converter reads them), as the stored text `YYYY-MM-DD HH:MM:SS.000000`."""
    widths = set(map(len, values))
    if widths == {25}:
        chars = _fixed(values, 25)
        _require(chars[:, 19:] == np.frombuffer(b"+08:00", dtype=np.uint8))
        min_year = 1992  # before 1992 China had summer time: +08:00 was not always local time
    else:
        chars = _fixed(values, 19)
        min_year = 1
    _check_date(chars, min_year)
    _require(((chars[:, 10] == T) | (chars[:, 10] == SPACE)) & (chars[:, 13] == COLON) & (chars[:, 16] == COLON))
    hour, minute, second = (_number(_digits(chars[:, a:b])) for a, b in ((11, 13), (14, 16), (17, 19)))
    _require((hour <= 23) & (minute <= 59) & (second <= 59))
    out = np.empty((len(values), 27), dtype=np.uint8)
    out[:, :19] = chars[:, :19]
    out[:, 10] = SPACE
    out[:, 19:] = np.frombuffer(b".000000,", dtype=np.uint8)
    # One decode and one split make the strings: a third of the cost of numpy's astype("U26").tolist().
    return out.tobytes()[:-1].decode("ascii").split(",")
