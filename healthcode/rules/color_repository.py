"""A rule set's colour as one SQL expression over the facts statement's rows (rules/repository.py `facts_query`), for
the scan's one statement on PostgreSQL (healthcode/checkpoints/scan_repository.py): the scan row stores the colour
that the same statement computed, so the scan needs no second round trip.

It is generated from the rule set's definition (kinds, windows, statuses, colours), as `status.evaluate` reads it;
`evaluate` stays the authority: the scan evaluates the returned facts in Python too, answers with that colour, and
corrects the stored one if they ever differ (docs/decisions.md, "A scan in one round trip"). Colour only: the
reasons and their texts are Python's alone.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Date, case, exists, literal, literal_column, or_, select
from sqlalchemy.sql import Subquery

from healthcode.rules.repository import SOURCE_KINDS
from healthcode.rules.ruleset import KIND_ARRIVAL, KIND_LATEST_CASE, KIND_PERIOD, KIND_WINDOWED, Rule, RuleSet


def color_expression(ruleset: RuleSet, facts: Subquery | Any, today: ColumnElement[Any],
                     cutoff: ColumnElement[Any]) -> ColumnElement[str]:
    """The colour of the person whose facts are the rows of `facts` (a CTE of the facts statement) on `today`: the
    most severe colour of the rules that hold, else the rule set's first colour. `cutoff` is the first instant
    after `today` (records reported later do not count yet)."""
    whens = []
    for color in reversed(ruleset.colors[1:]):
        holding = [_holds(rule, facts, today, cutoff) for rule in ruleset.rules if rule.color == color]
        holding.append(_manual_holds(ruleset, color, facts, today))
        if holding:
            whens.append((or_(*holding), literal(color)))
    default = literal(ruleset.default_color)
    return case(*whens, else_=default) if whens else default


def _holds(rule: Rule, facts: Any, today: ColumnElement[Any], cutoff: ColumnElement[Any]) -> ColumnElement[bool]:
    """The rule holds on `today`: `status._EVALUATORS[rule.kind]` in SQL, as far as the colour goes."""
    f = facts.c
    if rule.kind == KIND_LATEST_CASE:
        # The latest record reported by today (among equal times the one stored last) has a status that holds.
        latest = (select(f.label).where(f.kind == SOURCE_KINDS["cases"], f.at < cutoff)
                  .order_by(f.at.desc(), f.seq.desc()).limit(1).scalar_subquery())
        return latest.in_(rule.statuses)
    if rule.kind == KIND_WINDOWED:
        return exists().where(f.kind.in_([SOURCE_KINDS[s] for s in rule.sources]),
                              f.day >= _window_start(rule, today), f.day <= today)
    if rule.kind == KIND_ARRIVAL:
        return exists().where(f.kind == SOURCE_KINDS["arrivals"], f.day <= today,
                              or_(f.day >= _window_start(rule, today), f.flag.is_(True)))
    if rule.kind == KIND_PERIOD:
        return exists().where(f.kind == SOURCE_KINDS["closures"], f.day <= today,
                              or_(f.until.is_(None), f.until >= today))
    raise ValueError(f"no SQL form for the rule kind {rule.kind!r}")


def _manual_holds(ruleset: RuleSet, color: str, facts: Any, today: ColumnElement[Any]) -> ColumnElement[bool]:
    """A manual flag that gives `color` holds on `today` (`status.evaluate` and `status.manual_color`): outside the
    rule set's rules, like there. The facts row carries the flag's colour in `label`."""
    f = facts.c
    gives = f.label == color
    if color == ruleset.colors[1]:  # a colour the rule set does not have counts as its mildest non-default one
        gives = or_(gives, f.label.not_in(list(ruleset.colors[1:])))
    return exists().where(f.kind == SOURCE_KINDS["manual"], f.day <= today, f.until >= today, gives)


def _window_start(rule: Rule, today: ColumnElement[Any]) -> ColumnElement[Any]:
    """`status.window_start`: today - (window - 1) days, date arithmetic of PostgreSQL (date - integer)."""
    if rule.window_days is None:
        raise ValueError(f"rule {rule.id} has no window")
    return (today - literal_column(str(rule.window_days - 1))).cast(Date)
