"""A resident's colours over the retention period (`healthcode person history`, SPEC section 11) and the sources of
today's reasons (the citizen's 查看原因).

Colours are computed, never stored, so the history evaluates each day of the window afresh with the same statement
and evaluator as a code or a scan (`rules`), from the feed rows still stored, and names the records behind each rule
(`tracing`). Snapshot feeds (arrivals, closures, households) replace their rows, so a past day is evaluated with
today's snapshot: the colours actually shown (scans over the retention period, issued codes for about an hour) are
set beside each span, and those that differ are listed (docs/decisions.md, "Every colour traceable")."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy.orm import Session

from healthcode.appeals.history import appeals_json, corrections_json
from healthcode.common.masking import mask_id_number
from healthcode.config import Settings
from healthcode.history import repository as repo
from healthcode.history.tracing import Fact, Resolver, Source, TracedDay, trace_day
from healthcode.ledger.kinds import kind_label
from healthcode.ledger.models import LedgerEntry
from healthcode.rules.in_force import in_force
from healthcode.rules.repository import collect_flags
from healthcode.rules.ruleset import RuleSet


@dataclass(frozen=True)
class RuleSources:
    rule: str
    title: str
    sources: tuple[Source, ...]

    def as_json(self) -> dict[str, Any]:
        return {"rule": self.rule, "title": self.title, "sources": [s.as_json() for s in self.sources]}


@dataclass(frozen=True)
class Shown:
    """A colour the person was actually shown: by a scan, or on an issued code."""

    at: datetime
    color: str
    via: str  # scan / code

    def as_json(self) -> dict[str, Any]:
        return {"at": self.at.isoformat(timespec="seconds"), "color": self.color, "via": self.via}


@dataclass(frozen=True)
class Span:
    """Consecutive days with the same colour and the same rules holding. `end` None: still so today."""

    start: date
    end: date | None
    color: str
    color_label: str
    reasons: tuple[RuleSources, ...]
    shown: int  # colours shown in the span (scans, issued codes)
    differs: tuple[Shown, ...]  # those that were not the computed colour

    def as_json(self) -> dict[str, Any]:
        return {"from": self.start.isoformat(), "to": self.end.isoformat() if self.end else None,
                "color": self.color, "color_label": self.color_label,
                "reasons": [r.as_json() for r in self.reasons],
                "observed": {"count": self.shown, "differs": [s.as_json() for s in self.differs]}}


@dataclass(frozen=True)
class LedgerFact:
    id: int
    at: datetime
    kind: str
    actor: str
    facts: dict[str, Any]
    ref_table: str | None
    ref_id: int | None
    hash: str
    row: dict[str, Any] | None = None  # the appeal or correction the entry names, while it is stored

    @classmethod
    def of(cls, entry: LedgerEntry, rows: dict[tuple[str, int], dict[str, Any]]) -> LedgerFact:
        row = rows.get((entry.ref_table, entry.ref_id)) if entry.ref_table and entry.ref_id else None
        return cls(entry.id, entry.at, entry.kind, entry.actor, json.loads(entry.body), entry.ref_table,
                   entry.ref_id, entry.hash, row)

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "at": self.at.isoformat(timespec="seconds"), "kind": self.kind,
                "kind_label": kind_label(self.kind), "actor": self.actor, "facts": self.facts,
                "ref_table": self.ref_table, "ref_id": self.ref_id, "hash": self.hash, "row": self.row}


@dataclass(frozen=True)
class History:
    id_number: str
    rule_set: str
    first_day: date
    last_day: date
    entries: tuple[Span, ...]
    appeals: tuple[LedgerFact, ...]
    corrections: tuple[LedgerFact, ...]
    flags: tuple[LedgerFact, ...]

    def as_json(self) -> dict[str, Any]:
        """The CONTRACT shape of `healthcode person history --json` (SPEC section 11), with keys added inside."""
        return {"id_number_masked": mask_id_number(self.id_number),
                "entries": [e.as_json() for e in self.entries],
                "appeals": [a.as_json() for a in self.appeals],
                "corrections": [c.as_json() for c in self.corrections],
                "flags": [f.as_json() for f in self.flags],
                "rule_set": self.rule_set,
                "window": {"from": self.first_day.isoformat(), "to": self.last_day.isoformat()}}


def person_history(session: Session, settings: Settings, id_number: str, today: date) -> History:
    """The colours of the person (a normalised ID number, registered or not) on each day of the retention period
    ending `today`, merged into spans, with the sources of each rule, the colours actually shown that differ, and
    the person's appeals, corrections and manual flags from the ledger."""
    ruleset = in_force(session, settings)
    days = max(settings.scan_retention_days, 1)
    first = today - timedelta(days=days - 1)
    traced = [_trace(session, settings, ruleset, id_number, first + timedelta(days=n)) for n in range(days)]
    resolver = Resolver(session, id_number, first - timedelta(days=max(ruleset.lookback_days, 1)),
                        settings.fever_departments)
    shown = [Shown(*row) for row in repo.shown_colors(session, id_number, datetime.combine(first, time.min))]
    spans = [_span(group, resolver, ruleset, shown, ongoing=group[-1].day == today) for group in _groups(traced)]

    # The appeal (state, decision, evidence's type and digest) and the correction (record, reason) an entry names,
    # while they are stored: an appeal is purged after its retention, its ledger entries stay.
    rows = {("appeals", a["id"]): a for a in appeals_json(session, id_number)}
    rows.update({("corrections", c["id"]): c for c in corrections_json(session, id_number)})

    def ledger(*prefixes: str) -> tuple[LedgerFact, ...]:
        return tuple(LedgerFact.of(e, rows) for e in repo.of_person(session, id_number, prefixes))

    return History(id_number, ruleset.id, first, today, tuple(spans), ledger("appeal."), ledger("correction."),
                   ledger("flag."))


def sources_today(session: Session, settings: Settings, id_number: str, today: date) -> dict[str, list[Source]]:
    """For each rule holding today, the records behind it (the citizen's 查看原因 page)."""
    ruleset = in_force(session, settings)
    day = _trace(session, settings, ruleset, id_number, today)
    resolver = Resolver(session, id_number, today - timedelta(days=max(ruleset.lookback_days, 1)),
                        settings.fever_departments)
    return {rule: resolver.sources(facts) for rule, facts in day.facts.items()}


def _trace(session: Session, settings: Settings, ruleset: RuleSet, id_number: str, day: date) -> TracedDay:
    return trace_day(collect_flags(session, id_number, day, ruleset, settings.fever_departments), day, ruleset)


def _groups(traced: list[TracedDay]) -> list[list[TracedDay]]:
    """Runs of days with the same colour and the same rules holding."""
    groups: list[list[TracedDay]] = []
    for day in traced:
        key = (day.status.color, tuple(sorted(day.facts)))
        if groups and (groups[-1][-1].status.color, tuple(sorted(groups[-1][-1].facts))) == key:
            groups[-1].append(day)
        else:
            groups.append([day])
    return groups


def _span(group: list[TracedDay], resolver: Resolver, ruleset: RuleSet, shown: list[Shown], *,
          ongoing: bool) -> Span:
    first, last = group[0], group[-1]
    rules: dict[str, list[Fact]] = {}
    for day in group:
        for rule, facts in day.facts.items():
            rules.setdefault(rule, []).extend(facts)
    order = [r.id for r in ruleset.rules]
    reasons = tuple(RuleSources(rule, ruleset.rule_by_id[rule].title if rule in ruleset.rule_by_id else rule,
                                tuple(resolver.sources(rules[rule])))
                    for rule in sorted(rules, key=lambda r: order.index(r) if r in order else len(order)))
    inside = [s for s in shown if first.day <= s.at.date() <= last.day]
    color = first.status.color
    return Span(first.day, None if ongoing else last.day, color, first.status.color_label, reasons, len(inside),
                tuple(s for s in inside if s.color != color))
