"""What if another rule set were in force (SPEC section 11, `healthcode rules what-if`): every person some feed names
evaluated by the pure evaluator under the set in force and under the candidate, on one day, counted. Nothing is
written: the caller runs it in a transaction it rolls back (read only on PostgreSQL).

Anyone no feed names has the default colour under both sets, so only the flagged residents are evaluated; their facts
come in one streamed statement grouped by person (rules/bulk_repository.py), not person by person."""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from operator import itemgetter
from typing import Any, NamedTuple

from sqlalchemy.orm import Session

from healthcode.config import Settings
from healthcode.rules import bulk_repository
from healthcode.rules.in_force import in_force
from healthcode.rules.repository import case_statuses, flags_of
from healthcode.rules.ruleset import RuleSet
from healthcode.rules.status import evaluate

PROGRESS_EVERY = 10_000
MEMO_SIZE = 100_000  # distinct fact patterns kept (a few hundred in practice)


@dataclass
class WhatIf:
    rule_set: str
    in_force: str
    day: date
    residents: int = 0
    changes: Counter[str] = field(default_factory=Counter)  # "green->orange": residents whose colour would change
    holds: Counter[str] = field(default_factory=Counter)  # candidate rule id: residents it holds for
    decides: Counter[str] = field(default_factory=Counter)  # candidate rule id: changed residents it gives the colour
    colors_now: Counter[str] = field(default_factory=Counter)
    colors_then: Counter[str] = field(default_factory=Counter)
    rule_ids: tuple[str, ...] = ()
    titles: dict[str, str] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)

    @property
    def changed(self) -> int:
        return sum(self.changes.values())

    def as_json(self) -> dict[str, Any]:
        """The CONTRACT shape (rule_set, in_force, day, residents, changes, by_rule) and, added: unchanged and the
        colours of the evaluated residents under each set."""
        return {
            "rule_set": self.rule_set, "in_force": self.in_force, "day": self.day.isoformat(),
            "residents": self.residents, "changes": dict(sorted(self.changes.items())),
            "by_rule": {rule: {"holds": self.holds[rule], "changes": self.decides[rule]} for rule in self.rule_ids},
            "unchanged": self.residents - self.changed,
            "colors": {"in_force": dict(sorted(self.colors_now.items())),
                       "rule_set": dict(sorted(self.colors_then.items()))},
        }

    def summary(self) -> str:
        lines = [f"赋码规则集 {self.rule_set}（现行 {self.in_force}），{self.day.isoformat()}：评估 {self.residents} "
                 f"名被数据源点名的居民，{self.changed} 人颜色将改变，{self.residents - self.changed} 人不变。"]
        for pair, count in sorted(self.changes.items()):
            before, after = pair.split("->")
            lines.append(f"  {self.labels.get(before, before)} → {self.labels.get(after, after)}：{count} 人")
        lines.append("各规则（成立人数 / 其中决定新颜色的改变人数）：")
        for rule in self.rule_ids:
            lines.append(f"  {rule}（{self.titles[rule]}）：{self.holds[rule]} / {self.decides[rule]}")
        return "\n".join(lines)


class _Row(NamedTuple):
    id_number: str
    kind: str
    day: Any
    at: Any
    label: Any
    flag: Any
    until: Any
    seq: Any
    batch_id: Any
    note: Any


def what_if(session: Session, settings: Settings, candidate: RuleSet, day: date,
            on_progress: Callable[[int], None] | None = None, *, read_only: bool = True) -> WhatIf:
    """The colours of every flagged resident on `day` under the set in force and under `candidate`, counted. With
    `read_only` (the CLI's own transaction) the transaction is made read only on PostgreSQL; a page's request
    transaction is left as it is (the what-if itself writes nothing either way)."""
    current = in_force(session, settings)
    if read_only:
        bulk_repository.read_only(session)
    statuses = [case_statuses(current)]
    if case_statuses(candidate) != statuses[0]:
        statuses.append(case_statuses(candidate))
    lookback = max(current.lookback_days, candidate.lookback_days, 1)
    rows = bulk_repository.stream_facts(session, statuses, settings.fever_departments,
                                        day - timedelta(days=lookback - 1), day)
    result = WhatIf(candidate.id, current.id, day, rule_ids=tuple(r.id for r in candidate.rules),
                    titles={r.id: r.title for r in candidate.rules},
                    labels={**current.color_labels, **candidate.color_labels})
    rule_color = {r.id: r.color for r in candidate.rules}
    two = len(statuses) > 1
    outcomes: dict[Any, tuple[str, str, tuple[str, ...]]] = {}
    tally: Counter[tuple[str, str, tuple[str, ...]]] = Counter()  # outcome -> residents with it
    evaluated = 0
    for id_number, facts in itertools.groupby(rows, key=itemgetter(0)):
        mine = list(facts)
        # The colours depend on the facts' kinds, dates, case statuses and order, abnormal flags and closure ends,
        # never on the person, the batch or the texts' names: people with the same such facts share one evaluation
        # (a memo of the pure evaluator; most people's facts are one record of one kind on one day).
        key = _colour_key(mine[0]) if len(mine) == 1 else frozenset(map(_colour_key, mine))
        outcome = outcomes.get(key)
        if outcome is None:
            if len(outcomes) >= MEMO_SIZE:
                outcomes.clear()
            now_flags, then_flags = _flags(id_number, mine, two=two)
            status = evaluate(then_flags, day, candidate)
            outcome = outcomes[key] = (evaluate(now_flags, day, current).color, status.color,
                                       tuple(r.rule for r in status.reasons))
        tally[outcome] += 1
        evaluated += 1
        if on_progress is not None and evaluated % PROGRESS_EVERY == 0:
            on_progress(evaluated)
    for (before, after, holding), count in tally.items():
        result.residents += count
        result.colors_now[before] += count
        result.colors_then[after] += count
        for rule in holding:
            result.holds[rule] += count
            if after != before and rule_color.get(rule) == after:  # a manual flag is no rule of the set
                result.decides[rule] += count
        if after != before:
            result.changes[f"{before}->{after}"] += count
    if on_progress is not None:
        on_progress(evaluated)
    return result


def _colour_key(row: Any) -> tuple[Any, ...]:
    """What of a facts row (id_number, kind, day, at, label, flag, until, seq, batch_id, note) a colour can depend on:
    for a case its status and record order too (the latest decides), for a manual flag its colour, for the rest the
    kind, dates and flag."""
    if row[1] == "case":
        return row[1], row[3], row[4], row[7]
    if row[1] == "manual":
        return row[1], row[2], row[4], row[6]
    return row[1], row[2], row[5], row[6]


def _flags(id_number: str, rows: list[Any], *, two: bool) -> tuple[Any, Any]:
    """The person's Flags under the set in force and under the candidate: the same unless the two count computed
    contacts from different case statuses (then each reads its own kind of computed-contact rows)."""
    rows = [_typed(r) for r in rows]
    if not two:
        flags = flags_of(id_number, rows)
        return flags, flags
    now = flags_of(id_number, (r for r in rows if r.kind != bulk_repository.ALT_CONTACT))
    then = flags_of(id_number, _as_candidate(rows))
    return now, then


def person_flags(id_number: str, rows: Iterable[Any]) -> Any:
    """The Flags of one person's rows of the bulk statement (dates parsed where the database gave text)."""
    return flags_of(id_number, [_typed(r) for r in rows])


def _typed(row: Any) -> Any:
    """A facts row with date and date-time objects (SQLite's rows carry them as ISO 8601 text)."""
    _, kind, day, at, label, flag, until, seq, batch_id, note = row
    if not isinstance(day, str) and not isinstance(at, str) and not isinstance(until, str):
        return row
    return _Row(row[0], kind, day and date.fromisoformat(day[:10]), at and datetime.fromisoformat(at), label, flag,
                until and date.fromisoformat(until[:10]), seq, batch_id, note)


def _as_candidate(rows: Iterable[Any]) -> Iterable[Any]:
    for r in rows:
        if r.kind == "computed_contact":
            continue
        yield _Row(r[0], "computed_contact", *r[2:]) if r.kind == bulk_repository.ALT_CONTACT else r
