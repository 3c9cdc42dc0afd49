"""Rule sets as data: the TOML files of `healthcode/rules/sets/` (and any file an operator previews with `healthcode
rules what-if FILE`), read with tomllib and checked field by field into the `RuleSet` the pure evaluator reads.

A file that cannot be used is refused whole with one Chinese message naming the file and the field (`InvalidRuleSet`):
an unknown kind, a colour outside the set, a text missing for the kind or naming an unknown field, a windowed rule
without its window, a duplicate rule id, bad TOML. Nothing half-read is ever used."""

from __future__ import annotations

import re
import string
import tomllib
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any, NoReturn

from healthcode.rules.definitions import (
    KIND_ARRIVAL,
    KIND_LATEST_CASE,
    KIND_PERIOD,
    KIND_WINDOWED,
    KNOWN_COLORS,
    Rule,
    RuleSet,
)
from healthcode.rules.errors import InvalidRuleSet

SETS_DIR = Path(__file__).parent / "sets"
CASE_STATUSES = ("confirmed", "suspected", "cleared")
DATED_SOURCES = ("close_contacts", "computed_contacts", "fever_clinic_visits", "fever_drug_purchases")
KIND_LABELS = {KIND_LATEST_CASE: "最新病例状态", KIND_WINDOWED: "时间窗内的记录", KIND_ARRIVAL: "入闽人员",
               KIND_PERIOD: "封闭管理期间"}
# What each kind needs: its window, the sources it may read (the first is the default), its text keys (None: one per
# status) and the fields its texts may use (status.py formats them with these).
_WINDOWED_FIELDS = {"window", "dates", "since", "until", "back"}
_KINDS: dict[str, dict[str, Any]] = {
    KIND_LATEST_CASE: {"window": False, "sources": ("cases",), "texts": None,
                       "fields": {"since"}},
    KIND_WINDOWED: {"window": True, "sources": DATED_SOURCES, "texts": {"detail": _WINDOWED_FIELDS},
                    "fields": _WINDOWED_FIELDS},
    KIND_ARRIVAL: {"window": True, "sources": ("arrivals",),
                   "texts": {"detail": _WINDOWED_FIELDS | {"names"}, "open": {"names", "dates", "since"}}},
    KIND_PERIOD: {"window": False, "sources": ("closures",),
                  "texts": {"detail": {"names", "since", "until", "back"}, "open": {"names", "since"}}},
}
_TOP_KEYS = {"id", "name", "colors", "color_labels", "rules"}
_RULE_KEYS = {"id", "kind", "title", "color", "window_days", "sources", "statuses", "texts"}
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")
MAX_WINDOW_DAYS = 366


class _Fields:
    """Typed reads of one table of the file, each failure naming the file and the field."""

    def __init__(self, source: str, table: Mapping[str, Any], where: str, allowed: set[str]) -> None:
        self.source, self.table, self.where = source, table, where
        unknown = sorted(set(table) - allowed)
        if unknown:
            self.fail(unknown[0], f"未知的字段（可用：{'、'.join(sorted(allowed))}）")

    def fail(self, field: str, reason: str) -> NoReturn:
        raise InvalidRuleSet(f"赋码规则文件 {self.source}：{self.where}{field} {reason}")

    def text(self, field: str, *, required: bool = True) -> str:
        value = self.table.get(field)
        if value is None and not required:
            return ""
        if not isinstance(value, str) or not value.strip():
            self.fail(field, "缺失或不是非空文本")
        return str(value).strip()

    def texts(self, field: str, *, required: bool = True) -> tuple[str, ...]:
        value = self.table.get(field)
        if value is None and not required:
            return ()
        if not isinstance(value, list) or not value or not all(isinstance(v, str) and v for v in value):
            self.fail(field, "缺失或不是非空文本列表")
        if len(set(value)) != len(value):
            self.fail(field, "有重复项")
        return tuple(value)


def load_text(text: str, source: str) -> RuleSet:
    """The rule set of a TOML text; `source` names it in errors (the file name)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InvalidRuleSet(f"赋码规则文件 {source} 不是有效的 TOML：{_toml_reason(exc)}") from None
    return _rule_set(data, source)


def load_file(path: Path | str) -> RuleSet:
    """The rule set of one TOML file (UTF-8)."""
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise InvalidRuleSet(f"赋码规则文件 {path} 不存在") from None
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.__class__.__name__
        raise InvalidRuleSet(f"赋码规则文件 {path} 无法读取（须为 UTF-8 编码的 TOML）：{reason}") from None
    return load_text(text, path.name)


def load_directory(directory: Path = SETS_DIR) -> dict[str, RuleSet]:
    """Every `*.toml` of the directory, by id (sorted by file name); a duplicate set id is refused."""
    found: dict[str, RuleSet] = {}
    for path in sorted(directory.glob("*.toml")):
        ruleset = load_file(path)
        if ruleset.id in found:
            raise InvalidRuleSet(f"赋码规则文件 {path.name}：id 与另一文件重复（{ruleset.id}）")
        found[ruleset.id] = ruleset
    return found


def _toml_reason(exc: tomllib.TOMLDecodeError) -> str:
    line, column = getattr(exc, "lineno", None), getattr(exc, "colno", None)
    if line is None:  # Python 3.11/3.12: the position is only in the message, "(at line 3, column 5)"
        match = re.search(r"at line (\d+), column (\d+)", str(exc))
        line, column = (int(match.group(1)), int(match.group(2))) if match else (None, None)
    return f"第{line}行第{column}列语法错误" if line else "语法错误"


def _rule_set(data: dict[str, Any], source: str) -> RuleSet:
    top = _Fields(source, data, "", _TOP_KEYS)
    set_id = top.text("id")
    if not _ID.match(set_id):
        top.fail("id", "只能由小写字母、数字、连字符和下划线组成（至多32个字符）")
    colors = top.texts("colors")
    for color in colors:
        if color not in KNOWN_COLORS:
            top.fail("colors", f"含未知的颜色“{color}”（可用：{'、'.join(KNOWN_COLORS)}）")
    labels = data.get("color_labels")
    if not isinstance(labels, dict):
        top.fail("color_labels", "缺失或不是表")
    label_fields = _Fields(source, labels, "color_labels.", set(colors))
    color_labels = {color: label_fields.text(color) for color in colors}
    rules_data = data.get("rules", [])
    if not isinstance(rules_data, list) or not all(isinstance(r, dict) for r in rules_data):
        top.fail("rules", "须为规则表的数组（[[rules]]）")
    rules: list[Rule] = []
    for number, rule_data in enumerate(rules_data, 1):
        rule = _rule(source, rule_data, f"rules[{number}].", colors)
        if any(r.id == rule.id for r in rules):
            raise InvalidRuleSet(f"赋码规则文件 {source}：rules[{number}].id 重复（{rule.id}）")
        rules.append(rule)
    return RuleSet(id=set_id, name=top.text("name"), colors=colors, color_labels=MappingProxyType(color_labels),
                   rules=tuple(rules))


def _rule(source: str, data: dict[str, Any], where: str, colors: tuple[str, ...]) -> Rule:
    named = data.get("id")
    if isinstance(named, str) and _ID.match(named):  # the rule's id in every message about it, once it is valid
        where = f"{where[:-1]}（{named}）."
    fields = _Fields(source, data, where, _RULE_KEYS)
    rule_id = fields.text("id")
    if not _ID.match(rule_id):
        fields.fail("id", "只能由小写字母、数字、连字符和下划线组成（至多32个字符）")
    kind = fields.text("kind")
    spec = _KINDS.get(kind)
    if spec is None:
        labels = "、".join(f"{k}（{v}）" for k, v in KIND_LABELS.items())
        fields.fail("kind", f"未知的规则类型“{kind}”（可用：{labels}）")
    color = fields.text("color")
    if color not in colors:
        fields.fail("color", f"“{color}”不在本规则集的颜色中（{'、'.join(colors)}）")
    window = data.get("window_days")
    if spec["window"]:
        if isinstance(window, bool) or not isinstance(window, int) or not 1 <= window <= MAX_WINDOW_DAYS:
            fields.fail("window_days", f"缺失或不是 1–{MAX_WINDOW_DAYS} 之间的整数（{kind} 类规则须有时间窗）")
    elif window is not None:
        fields.fail("window_days", f"不适用于 {kind} 类规则")
    sources = fields.texts("sources", required=kind == KIND_WINDOWED) or spec["sources"][:1]
    for name in sources:
        if name not in spec["sources"]:
            fields.fail("sources", f"含“{name}”，{kind} 类规则只能读取：{'、'.join(spec['sources'])}")
    statuses = fields.texts("statuses", required=kind == KIND_LATEST_CASE)
    if kind != KIND_LATEST_CASE and statuses:
        fields.fail("statuses", f"不适用于 {kind} 类规则")
    for status in statuses:
        if status not in CASE_STATUSES:
            fields.fail("statuses", f"含未知的病例状态“{status}”（可用：{'、'.join(CASE_STATUSES)}）")
    wanted = spec["texts"] if spec["texts"] is not None else {s: spec["fields"] for s in statuses}
    texts = _texts(source, data.get("texts"), f"{where}texts.", wanted)
    return Rule(id=rule_id, kind=kind, title=fields.text("title"), color=color, texts=texts,
                window_days=window if spec["window"] else None, sources=tuple(sources) if kind != KIND_LATEST_CASE
                else (), statuses=statuses)


def _texts(source: str, data: Any, where: str, wanted: dict[str, set[str]]) -> Mapping[str, str]:
    if not isinstance(data, dict):
        raise InvalidRuleSet(f"赋码规则文件 {source}：{where[:-1]} 缺失或不是表（须有：{'、'.join(wanted)}）")
    fields = _Fields(source, data, where, set(wanted))
    texts = {}
    for key, allowed in wanted.items():
        text = fields.text(key)
        try:
            used = {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
        except ValueError:
            fields.fail(key, "的花括号不成对（字面花括号请写 {{ 和 }}）")
        unknown = sorted(u for u in used if u not in allowed)
        if unknown:
            usable = "、".join("{" + a + "}" for a in sorted(allowed))
            fields.fail(key, f"用了未知的字段 {{{unknown[0]}}}（可用：{usable}）")
        texts[key] = text
    return MappingProxyType(texts)
