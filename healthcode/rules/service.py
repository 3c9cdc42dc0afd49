"""The status of a person now: their flags from the feeds, evaluated by the rule set the settings name."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from healthcode.config import Settings
from healthcode.rules.repository import collect_flags
from healthcode.rules.ruleset import get_rule_set
from healthcode.rules.status import Status, evaluate


def status_for(session: Session, settings: Settings, id_number: str, now: datetime) -> Status:
    """The colour and reasons of the person with this (normalised) ID number at `now` (naive Asia/Shanghai), by the
    settings' rule set and fever departments. Works for anyone: a number that no feed names is green with no
    reasons. Reads the feeds afresh every time."""
    ruleset = get_rule_set(settings.rule_set)
    today = now.date()
    flags = collect_flags(session, id_number, today, ruleset, settings.fever_departments)
    return evaluate(flags, today, ruleset)
