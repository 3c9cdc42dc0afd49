"""The status of a person now: their flags from the feeds, evaluated by the rule set in force (rules/in_force.py)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from healthcode.config import Settings
from healthcode.rules.in_force import in_force
from healthcode.rules.repository import collect_flags
from healthcode.rules.status import Status, evaluate


def status_for(session: Session, settings: Settings, id_number: str, now: datetime) -> Status:
    """The colour and reasons of the person with this (normalised) ID number at `now` (naive Asia/Shanghai), by the
    rule set in force and the settings' fever departments. Works for anyone: a number that no feed names is green
    with no reasons. Reads the feeds afresh every time; the rule set in force is the authority's switch, else the
    settings' (rules/in_force.py)."""
    ruleset = in_force(session, settings)
    today = now.date()
    flags = collect_flags(session, id_number, today, ruleset, settings.fever_departments)
    return evaluate(flags, today, ruleset)
