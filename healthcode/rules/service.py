"""The status of a person now: their flags from the feeds, evaluated by the configured rule set."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from healthcode.config import get_settings
from healthcode.rules.repository import collect_flags
from healthcode.rules.ruleset import RuleSet, get_rule_set
from healthcode.rules.status import Status, evaluate


def current_rule_set() -> RuleSet:
    return get_rule_set(get_settings().rule_set)


def status_for(session: Session, id_number: str, now: datetime) -> Status:
    """The colour and reasons of the person with this (normalised) ID number at `now` (naive Asia/Shanghai).
    Works for anyone: a number that no feed names is green with no reasons. Reads the feeds afresh every time."""
    settings = get_settings()
    ruleset = get_rule_set(settings.rule_set)
    today = now.date()
    flags = collect_flags(session, id_number, today, ruleset, settings.fever_departments)
    return evaluate(flags, today, ruleset)
