"""Row validation for the feeds (SPEC section 4): one precompiled converter per column, driven by definitions.Column.

A validator turns a parsed row into the tuple that is stored (row key, the feed's columns, the derived columns), or
into the list of its errors (line, column, Chinese reason). It runs for every row of million-row files: keep it tight.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from stdnum.cn.ric import calc_check_digit

from healthcode.clock import to_local
from healthcode.common.ids import InvalidIdNumber, normalize_id_number
from healthcode.feeds.closures import closure_derived, household_derived
from healthcode.feeds.definitions import CASE_STATUSES, TRAVEL_MODES, Feed
from healthcode.feeds.parsing import BadLine

MISSING = "必填项为空"
MISSING_COLUMN = "缺少必填列"
BOOLEANS = {"true": True, "false": False, "1": True, "0": False, "是": True, "否": False}
INT_MAX = 2**31 - 1
# C0 control characters other than the tab: never part of a value (a line end only ends a line; PostgreSQL cannot store
# a NUL at all). Text cells are first tested with str.isprintable (C, about twice as fast), which is also false for a
# few harmless characters (ideographic and no-break spaces): those cells get this exact test.
CONTROL = re.compile("[\x00-\x08\x0a-\x1f]")


def control_reason(value: str) -> str | None:
    """The Chinese reason to refuse a value holding a control character, or None."""
    found = CONTROL.search(value)
    if found is None:
        return None
    what = {"\x00": "NUL", "\n": "换行符", "\r": "回车符"}.get(found.group(), "控制字符")
    return f"含有不可见的{what}（U+{ord(found.group()):04X}），请删除后重新报送"


@dataclass(frozen=True)
class RowError:
    line: int
    column: str
    reason: str

    def as_json(self) -> dict[str, Any]:
        return {"line": self.line, "column": self.column, "reason": self.reason}


Converter = Callable[[Any], Any]


def _id_number(today: date) -> Converter:
    today_digits = today.strftime("%Y%m%d")
    births: dict[str, bool] = {}

    def birth_ok(digits: str) -> bool:
        try:
            born = date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
        except ValueError:
            return False
        return born.year >= 1880 and digits <= today_digits

    def convert(raw: Any) -> str:
        # Fast path for the usual, already normalised number; anything else goes through normalize_id_number,
        # which gives the same answer for these and the Chinese reason for the others.
        if raw.__class__ is str and len(raw) == 18 and raw[:17].isdigit() and raw[:2] != "00" and raw[2:6] != "0000":
            born = raw[6:14]
            ok = births.get(born)
            if ok is None:
                ok = births[born] = birth_ok(born)
            if ok and calc_check_digit(raw) == raw[17]:
                return raw
        try:
            return normalize_id_number(str(raw), today)
        except InvalidIdNumber as exc:
            raise ValueError(str(exc)) from None

    return convert


def _text(max_length: int | None) -> Converter:
    def convert(raw: Any) -> str:
        value = raw if raw.__class__ is str else _as_text(raw)
        if max_length is not None and len(value) > max_length:
            raise ValueError(f"内容过长（最多{max_length}个字符）")
        if not value.isprintable() and (reason := control_reason(value)) is not None:
            raise ValueError(reason)
        return value

    return convert


def _as_text(raw: Any) -> str:
    if isinstance(raw, bool):
        return "true" if raw else "false"
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    if isinstance(raw, (dict, list)):
        raise ValueError("应为文本")
    return str(raw)


def _date(raw: Any) -> date:
    if raw.__class__ is str:
        if len(raw) == 10 and raw[4] == "-" and raw[7] == "-":
            try:
                return date.fromisoformat(raw)
            except ValueError:
                pass
        raise ValueError("日期无效，格式应为YYYY-MM-DD")
    if isinstance(raw, datetime) and raw.time() == datetime.min.time():
        return raw.date()
    if isinstance(raw, date) and not isinstance(raw, datetime):
        return raw
    raise ValueError("日期无效，格式应为YYYY-MM-DD")


def _datetime(raw: Any) -> datetime:
    if raw.__class__ is str:
        if len(raw) > 10:
            try:
                # Fast path: a stamp already in Shanghai time (+08:00 since 1992, when summer time had ended) needs
                # no time-zone arithmetic, which costs more than all the other checks of a row together.
                if raw.endswith("+08:00") and raw[:4] >= "1992":
                    return datetime.fromisoformat(raw[:-6])
                return to_local(datetime.fromisoformat(raw))
            except ValueError:
                pass
        raise ValueError("日期时间无效，格式应为ISO 8601（如2020-02-24T09:30:00+08:00）")
    if isinstance(raw, datetime):
        return to_local(raw)
    raise ValueError("日期时间无效，格式应为ISO 8601（如2020-02-24T09:30:00+08:00）")


def _bool(raw: Any) -> bool:
    if raw is True or raw is False:
        return raw
    value = BOOLEANS.get(str(raw).lower())
    if value is None:
        raise ValueError("应为 true/false/1/0/是/否")
    return value


def _int(raw: Any) -> int:
    if isinstance(raw, bool):
        raise ValueError("应为整数")
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise ValueError("应为整数") from None
    if not 0 <= value <= INT_MAX:
        raise ValueError("应为非负整数")
    return value


def _choice(choices: dict[str, str], message: str) -> Converter:
    def convert(raw: Any) -> str:
        value = choices.get(str(raw).lower())
        if value is None:
            raise ValueError(message)
        return value

    return convert


# Columns computed at load from the feed's own columns, stored after them.
DERIVED_COLUMNS = {
    "households": ("county_code", "address_norm"),
    "closures": ("county_code", "community_norm"),
    "clinic_visits": ("visited_on",),
    "drug_purchases": ("purchased_on",),
}


def _error(errors: list[RowError] | None, line: int, column: str, reason: str) -> list[RowError]:
    errors = errors or []
    errors.append(RowError(line, column, reason))
    return errors


class FeedValidator:
    """Validates the rows of one feed. `columns` is the order of the stored values (after `batch_id`)."""

    def __init__(self, feed: Feed, today: date) -> None:
        self.feed = feed
        self._today = today
        table = feed.model.__table__  # type: ignore[attr-defined]
        self.keyed = "row_key" in table.c
        self._resolved: dict[tuple[str, str | None], tuple[str | None, str]] = {}
        names = [c.name for c in feed.columns] + list(DERIVED_COLUMNS.get(feed.name, ()))
        self.columns: tuple[str, ...] = (("row_key",) if self.keyed else ()) + tuple(names)
        self.convert = self._compile()  # type: ignore[method-assign,assignment]

    def _converter(self, kind: str, column_type: Any) -> Converter:
        if kind == "id_number":
            return _id_number(self._today)
        if kind == "text":
            return _text(getattr(column_type, "length", None))
        if kind == "case_status":
            return _choice(CASE_STATUSES, "状态应为 confirmed/suspected/cleared 或 确诊/疑似/排除")
        if kind == "travel_mode":
            return _choice(TRAVEL_MODES, "交通方式应为 train/flight/bus 或 火车/飞机/大巴")
        return {"date": _date, "datetime": _datetime, "bool": _bool, "int": _int}[kind]

    def header_errors(self, header: list[str] | None) -> list[RowError]:
        """A header must name every required column (JSON Lines have none: each object is checked instead)."""
        if header is None:
            return []
        present = set(header)
        return [RowError(1, name, MISSING_COLUMN) for name in self.feed.required if name not in present]

    def convert(self, line: int, row: dict[str, Any] | BadLine) -> tuple[Any, ...] | list[RowError]:
        """The values to store, or the row's errors (replaced in __init__ by the compiled version)."""
        raise NotImplementedError

    def _compile(self) -> Callable[[int, Any], tuple[Any, ...] | list[RowError]]:
        """Generates this feed's `convert` with one unrolled block per column: a generic loop over converters costs
        about twice as much per row, and this runs for every row of million-row files."""
        feed, table = self.feed, self.feed.model.__table__  # type: ignore[attr-defined]
        scope: dict[str, Any] = {"BadLine": BadLine, "RowError": RowError, "MISSING": MISSING, "_error": _error,
                                 "_sha256": hashlib.sha256, "_travel_errors": _travel_errors, "self": self,
                                 "_closure": closure_derived}
        body = ["def convert(line, row):",
                "    if row.__class__ is BadLine:",
                "        return [RowError(line, '', row.reason)]",
                "    get = row.get",
                "    errors = None"]
        for i, column in enumerate(feed.columns):
            scope[f"c{i}"] = self._converter(column.kind, table.c[column.name].type)
            name = repr(column.name)
            body += [f"    raw = get({name})",
                     "    if raw.__class__ is str:",
                     "        raw = raw.strip()",
                     "        if not raw:",
                     "            raw = None",
                     "    if raw is None:",
                     f"        v{i} = {column.default!r}"]
            if column.required:
                body.append(f"        errors = _error(errors, line, {name}, MISSING)")
            length = getattr(table.c[column.name].type, "length", None)
            if column.kind == "text" and length:
                body += [f"    elif raw.__class__ is str and len(raw) <= {length} and raw.isprintable():",
                         f"        v{i} = raw"]
            body += ["    else:", "        try:", f"            v{i} = c{i}(raw)", "        except ValueError as exc:",
                     f"            v{i} = None", f"            errors = _error(errors, line, {name}, str(exc))"]
        values = [f"v{i}" for i in range(len(feed.columns))]
        if feed.name == "travel":
            body += ["    if errors is None:", f"        errors = _travel_errors(line, [{', '.join(values)}])"]
        body += ["    if errors is not None:", "        return errors"]
        position = {c.name: f"v{i}" for i, c in enumerate(feed.columns)}
        p = position.get
        derived = {
            "households": lambda: [f"*self.household({p('address')}, {p('region_code')})"],
            "closures": lambda: [f"*_closure({p('community')}, {p('address')}, {p('region_code')})"],
            "clinic_visits": lambda: [f"{p('visited_at')}.date()"],
            "drug_purchases": lambda: [f"{p('purchased_at')}.date()"],
        }.get(feed.name, list)()
        key: list[str] = []
        if self.keyed:
            required = ", ".join(f"str({position[name]})" for name in feed.required)
            hashed = f"_sha256('\\x1f'.join(({required},)).encode()).hexdigest()"
            record = position.get("record_id")
            key = [f"({record} if {record} is not None else {hashed})" if record else hashed]
        body.append(f"    return ({', '.join(key + values + derived)},)")
        exec(compile("\n".join(body), f"<convert {feed.name}>", "exec"), scope)  # our own generated source
        return scope["convert"]  # type: ignore[no-any-return]

    def household(self, address: str, region_code: str | None) -> tuple[str | None, str]:
        # Members of one household share an address: remember recent answers (bounded, to keep memory flat).
        key = (address, region_code)
        found = self._resolved.get(key)
        if found is None:
            if len(self._resolved) > 100_000:
                self._resolved.clear()
            found = self._resolved[key] = household_derived(address, region_code)
        return found


def _travel_errors(line: int, values: list[Any]) -> list[RowError] | None:
    # Column order of the travel feed: trip_id, mode, travel_date, id_number, name, carriage, seat_row, record_id.
    mode, carriage, seat_row = values[1], values[5], values[6]
    errors = []
    if mode == "train" and carriage is None:
        errors.append(RowError(line, "carriage", "火车乘坐记录必须填写车厢"))
    if mode in ("train", "flight") and seat_row is None:
        errors.append(RowError(line, "seat_row", "火车、飞机乘坐记录必须填写座位排号"))
    return errors or None
