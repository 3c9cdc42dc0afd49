"""Queries of the rule set in force (rules/models.py): the newest switch, the history, a new switch."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from healthcode.rules.models import RuleSetSwitch


def latest_rule_set(session: Session) -> str | None:
    """The set the newest switch put in force, or None when nobody ever switched."""
    return session.scalar(select(RuleSetSwitch.rule_set).order_by(RuleSetSwitch.id.desc()).limit(1))


def history(session: Session, limit: int = 50) -> Sequence[RuleSetSwitch]:
    return session.scalars(select(RuleSetSwitch).order_by(RuleSetSwitch.id.desc()).limit(limit)).all()


def add(session: Session, switch: RuleSetSwitch) -> RuleSetSwitch:
    session.add(switch)
    session.flush()
    return switch
