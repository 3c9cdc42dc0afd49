"""The rule set in force: the one the health authority last switched to (rules/models.py), else the settings'
`rule_set`. Read on every code refresh and scan, so each process keeps what it read for `IN_FORCE_TTL_SECONDS`
(as the signing key's row is kept, codes/keys.py): a switch takes effect at once in the process that made it and
within that many seconds in every other one (docs/decisions.md, "Rules as data")."""

from __future__ import annotations

import json
import logging
import time
from datetime import datetime
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from healthcode.config import Settings
from healthcode.ledger import service as ledger
from healthcode.rules import in_force_repository as repository
from healthcode.rules import ruleset as shipped
from healthcode.rules.errors import AlreadyInForce
from healthcode.rules.models import RuleSetSwitch
from healthcode.rules.ruleset import RuleSet, get_rule_set

log = logging.getLogger(__name__)

IN_FORCE_TTL_SECONDS = 10.0
LEDGER_KIND = "rules.switched"  # ledger/kinds.py: 赋码规则切换
_SWITCHED = "rules.switched"  # session.info: this transaction switched; what it reads is not kept until it commits
_known: dict[Any, tuple[float, str | None]] = {}  # engine -> (time.monotonic() when read, the switched set or None)


def in_force(session: Session, settings: Settings) -> RuleSet:
    """The rule set that gives colours now."""
    return get_rule_set(in_force_id(session, settings))


def in_force_id(session: Session, settings: Settings) -> str:
    engine = _engine(session)
    switching = bool(session.info.get(_SWITCHED))
    known = _known.get(engine)
    moment = time.monotonic()
    if known is not None and not switching and 0 <= moment - known[0] < IN_FORCE_TTL_SECONDS:
        switched = known[1]
    else:
        switched = repository.latest_rule_set(session)
        if not switching:
            if len(_known) > 64:  # one entry per database; tests make many engines
                _known.clear()
            _known[engine] = (moment, switched)
    if switched is not None and switched not in shipped.RULE_SETS:
        # A set this process does not ship (another version switched to it): the default rather than no code at all.
        log.error("the rule set in force %s is not shipped with this version; using %s", switched, settings.rule_set)
        return settings.rule_set
    return switched or settings.rule_set


def switch(session: Session, settings: Settings, rule_set_id: str, *, operator: str, org_id: int | None,
           now: datetime, preview: dict[str, Any] | None = None) -> RuleSetSwitch:
    """Puts a shipped rule set in force from `now`, recorded with who switched and the what-if they confirmed, and
    appended to the ledger (`rules.switched`). Both the 赋码规则 page and `healthcode rules use` call this."""
    ruleset = get_rule_set(rule_set_id)
    current = in_force_id(session, settings)
    if ruleset.id == current:
        raise AlreadyInForce(f"赋码规则集 {ruleset.id} 已在执行中，无需切换")
    row = repository.add(session, RuleSetSwitch(
        rule_set=ruleset.id, previous=current, switched_by=operator, org_id=org_id, at=now,
        preview=json.dumps(preview, ensure_ascii=False) if preview is not None else None))
    # In the same transaction as the row: the switch and its ledger entry commit or roll back together.
    ledger.append(session, LEDGER_KIND, operator, {"rule_set": ruleset.id, "previous": current},
                  ref_table="rule_set_switches", ref_id=row.id)
    engine = _engine(session)
    session.info[_SWITCHED] = True
    _known.pop(engine, None)

    def ended(done: Session, *_: Any) -> None:
        done.info.pop(_SWITCHED, None)
        _known.pop(engine, None)  # committed: the next read in this process sees the switch at once

    event.listen(session, "after_commit", ended, once=True)
    event.listen(session, "after_rollback", ended, once=True)
    log.info("rule set in force switched from %s to %s by %s (switch %s)", current, ruleset.id, operator, row.id)
    return row


def history(session: Session) -> list[RuleSetSwitch]:
    return list(repository.history(session))


def forget() -> None:
    """Forgets what this process read (tests: the next test's database starts empty)."""
    _known.clear()


def _engine(session: Session) -> Any:
    bind = session.get_bind()
    return getattr(bind, "engine", bind)
