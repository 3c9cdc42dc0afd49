"""The colour of a person and its reasons: a pure function of their flags, the day and a rule set (no I/O).

A status is never stored: it is computed again for every code and scan, so a window ending needs no job.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from healthcode.rules.flags import Flags, ManualFact
from healthcode.rules.ruleset import KIND_ARRIVAL, KIND_LATEST_CASE, KIND_PERIOD, KIND_WINDOWED, Rule, RuleSet

MAX_DATES_SHOWN = 5
# A manual flag of the health authority (healthcode/manualflags) is a reason of its own, outside every rule set.
MANUAL_RULE = "manual"
MANUAL_TITLE = "卫生健康部门人工标记"
MANUAL_TEXT = "卫生健康部门人工标记：{reason}（{since} 至 {until}），{back} 起解除标记"


@dataclass(frozen=True)
class Reason:
    rule: str
    since: date
    until: date | None  # the last day the rule holds if nothing new arrives; None: until lifted
    detail: str
    batch_ids: tuple[int, ...] = ()  # the feed batches whose facts make the rule hold

    def as_json(self) -> dict[str, Any]:
        return {"rule": self.rule, "since": self.since.isoformat(),
                "until": self.until.isoformat() if self.until else None, "detail": self.detail}


@dataclass(frozen=True)
class Status:
    color: str
    reasons: tuple[Reason, ...]
    rule_set: str
    color_label: str

    def as_json(self) -> dict[str, Any]:
        """The CONTRACT shape of `healthcode person status --json` (SPEC section 5)."""
        return {"color": self.color, "reasons": [r.as_json() for r in self.reasons]}

    def summary(self) -> str:
        lines = [f"健康码：{self.color_label}（赋码规则 {self.rule_set}）"]
        if not self.reasons:
            lines.append("无赋码异常原因。")
        for number, reason in enumerate(self.reasons, 1):
            until = reason.until.isoformat() if reason.until else "解除前持续有效"
            lines.append(f"{number}. {reason.detail}")
            lines.append(f"   规则 {reason.rule}：{reason.since.isoformat()} 起，至 {until}")
        return "\n".join(lines)


def evaluate(flags: Flags, today: date, ruleset: RuleSet) -> Status:
    """The status of the person on `today`: one reason per rule that holds; the most severe colour among them."""
    reasons = [reason for rule in ruleset.rules if (reason := _EVALUATORS[rule.kind](rule, flags, today))]
    colors = [ruleset.rule_by_id[r.rule].color for r in reasons]
    for fact in flags.manual:  # outside the rule set's rules: no rule set has to define them
        if fact.since <= today <= fact.until:
            reasons.append(_manual(fact))
            colors.append(manual_color(ruleset, fact.color))
    color = ruleset.most_severe(colors)
    return Status(color, tuple(reasons), ruleset.id, ruleset.color_labels.get(color, color))


def manual_color(ruleset: RuleSet, color: str) -> str:
    """The colour a manual flag gives under `ruleset`: its own when the rule set has it, else the rule set's mildest
    colour after the default (a flag set under a rule set since replaced still marks the person, the mildest way)."""
    if color in ruleset.colors[1:]:
        return color
    return ruleset.colors[1] if len(ruleset.colors) > 1 else ruleset.default_color


def _manual(fact: ManualFact) -> Reason:
    detail = MANUAL_TEXT.format(reason=fact.reason, since=fact.since.isoformat(), until=fact.until.isoformat(),
                                back=(fact.until + timedelta(days=1)).isoformat())
    return Reason(MANUAL_RULE, fact.since, fact.until, detail)


def window_start(today: date, window_days: int) -> date:
    """The first day whose events still count today: an event on day D counts on D … D+window-1."""
    return today - timedelta(days=window_days - 1)


def _latest_case(rule: Rule, flags: Flags, today: date) -> Reason | None:
    if not flags.cases:  # most people: nothing to look at (the what-if evaluates a million of them)
        return None
    # Records reported after today do not count yet; among equal report times the one stored last wins.
    known = [(c.reported_at, i, c) for i, c in enumerate(flags.cases) if c.reported_at.date() <= today]
    if not known:
        return None
    latest = max(known, key=lambda t: (t[0], t[1]))[2]
    if latest.status not in rule.statuses:
        return None
    since = latest.reported_at.date()
    detail = rule.texts[latest.status].format(since=since.isoformat())
    return Reason(rule.id, since, None, detail, _batches([latest]))


def _windowed(rule: Rule, flags: Flags, today: date) -> Reason | None:
    assert rule.window_days is not None
    if not any(getattr(flags, source) for source in rule.sources):
        return None
    start = window_start(today, rule.window_days)
    facts = [f for source in rule.sources for f in getattr(flags, source) if start <= f.on <= today]
    if not facts:
        return None
    since, last = min(f.on for f in facts), max(f.on for f in facts)
    until = last + timedelta(days=rule.window_days - 1)
    detail = rule.texts["detail"].format(window=rule.window_days, dates=_dates(f.on for f in facts),
                                         since=since.isoformat(), until=until.isoformat(),
                                         back=(until + timedelta(days=1)).isoformat())
    return Reason(rule.id, since, until, detail, _batches(facts))


def _arrival(rule: Rule, flags: Flags, today: date) -> Reason | None:
    assert rule.window_days is not None
    if not flags.arrivals:
        return None
    start = window_start(today, rule.window_days)
    facts = [a for a in flags.arrivals if a.on <= today and (a.on >= start or a.health_abnormal)]
    if not facts:
        return None
    since = min(a.on for a in facts)
    names = "、".join(dict.fromkeys(a.origin for a in facts))
    if any(a.health_abnormal for a in facts):
        until = None
        detail = rule.texts["open"].format(names=names, dates=_dates(a.on for a in facts), since=since.isoformat())
    else:
        until = max(a.on for a in facts) + timedelta(days=rule.window_days - 1)
        detail = rule.texts["detail"].format(window=rule.window_days, names=names, dates=_dates(a.on for a in facts),
                                             since=since.isoformat(), until=until.isoformat(),
                                             back=(until + timedelta(days=1)).isoformat())
    return Reason(rule.id, since, until, detail, _batches(facts))


def _period(rule: Rule, flags: Flags, today: date) -> Reason | None:
    if not flags.closures:
        return None
    facts = [c for c in flags.closures if c.starts_on <= today and (c.ends_on is None or today <= c.ends_on)]
    if not facts:
        return None
    since = min(c.starts_on for c in facts)
    names = "、".join(dict.fromkeys(c.community for c in facts))
    ends = [c.ends_on for c in facts]
    if any(end is None for end in ends):
        return Reason(rule.id, since, None, rule.texts["open"].format(names=names, since=since.isoformat()),
                      _batches(facts))
    until = max(end for end in ends if end is not None)
    detail = rule.texts["detail"].format(names=names, since=since.isoformat(), until=until.isoformat(),
                                         back=(until + timedelta(days=1)).isoformat())
    return Reason(rule.id, since, until, detail, _batches(facts))


def _dates(days: Iterable[date]) -> str:
    distinct = sorted(set(days))
    shown = "、".join(d.isoformat() for d in distinct[:MAX_DATES_SHOWN])
    return shown if len(distinct) <= MAX_DATES_SHOWN else f"{shown} 等{len(distinct)}天"


def _batches(facts: Iterable[Any]) -> tuple[int, ...]:
    return tuple(sorted({f.batch_id for f in facts if f.batch_id is not None}))


_EVALUATORS: dict[str, Callable[[Rule, Flags, date], Reason | None]] = {
    KIND_LATEST_CASE: _latest_case,
    KIND_WINDOWED: _windowed,
    KIND_ARRIVAL: _arrival,
    KIND_PERIOD: _period,
}
