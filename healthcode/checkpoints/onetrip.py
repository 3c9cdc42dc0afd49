"""The checkpoint scan in one round trip on PostgreSQL (issue 13): what can be checked without the database is
checked first (the QR's signature and expiry, a number code's check digit), then one statement checks, reads,
computes the colour, records the scan and returns the answer's inputs (scan_repository.py).

Anything else than a recorded scan is handed back (None) to the scan in steps (`deps.scanning_scanner` and
`service.scan`), which refuses as it always did and counts the refusal: a refused scan costs more round trips, a
recorded one costs one. On SQLite the scan runs in steps as before.
"""

from __future__ import annotations

import logging
from collections import namedtuple
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy.orm import Session

from healthcode.accounts import tokens
from healthcode.accounts.models import KIND_SCANNER
from healthcode.checkpoints import repository, scan_repository
from healthcode.checkpoints.service import WINDOW_DAYS, ScanResult, scan_result, visits_of
from healthcode.codes import service as codes
from healthcode.codes.errors import CodeRefused
from healthcode.config import Settings
from healthcode.regions import service as regions
from healthcode.rules.in_force import in_force
from healthcode.rules.repository import facts_parameters, flags_of
from healthcode.rules.status import evaluate

log = logging.getLogger(__name__)

_Fact = namedtuple("_Fact", "kind day at label flag until seq batch_id note")
_Visit = namedtuple("_Visit", "at region_code point_name temperature_result pass_reason")


def scan(session: Session, claims: tokens.Claims, *, point_id: int, code: str, now: datetime,
         settings: Settings) -> ScanResult | None:
    """The recorded scan, or None when the scan in steps must decide (a refusal, or not PostgreSQL)."""
    if claims.kind != KIND_SCANNER or session.get_bind().dialect.name != "postgresql":
        return None
    via = codes.kind_of(code)
    if via == "card":  # a printed card (issue 16) is resolved in steps, online: rare, and never on the rush's path
        return None
    try:
        presented = codes.presented(session, code, now)
    except CodeRefused:
        return None
    if (via == "qr") != (presented.claims is not None):
        return None
    ruleset = in_force(session, settings)  # the one statement computes this set's colour in SQL
    today = now.date()
    params: dict[str, Any] = {
        "account_id": claims.account_id, "version": claims.version, "point_id": point_id, "now": now,
        "since": datetime.combine(today - timedelta(days=WINDOW_DAYS - 1), time.min),
        **facts_parameters(ruleset, today)}
    if presented.claims is not None:
        params["cti"] = presented.claims.cti
    else:
        params["number_code"] = presented.number
    row = scan_repository.scan_once(session, via, ruleset.id, tuple(settings.fever_departments), params)
    if row is None or row.scan_id is None:
        return None
    flags = flags_of(row.id_number, (_fact(f) for f in row.facts or ()))
    color = evaluate(flags, today, ruleset).color
    if color != row.stored_color:  # the SQL form of the rule set disagrees with the rules: theirs is the colour
        log.error("scan %s: the rule set %s in SQL gave %s, the rules %s; stored colour corrected", row.scan_id,
                  ruleset.id, row.stored_color, color)
        repository.set_scan_color(session, row.scan_id, now, color)
    history = [_Visit(datetime.fromisoformat(v[0]), *v[1:]) for v in row.recent or ()]
    levels = {code: level for code, level in row.levels or ()}
    edited = {level: (headline, text) for level, headline, text in row.policies or ()}
    here = row.point_region_code
    severe = regions.most_severe_of(visits_of(row, history, here, now), here, levels, edited)
    return scan_result(row.scan_id, now, via, color, row, history, severe)


def _fact(values: list[Any]) -> Any:
    """A facts row from its JSON form (dates and times as ISO 8601 text)."""
    kind, day, at, label, flag, until, seq, batch_id, note = values
    return _Fact(kind, day and date.fromisoformat(day), at and datetime.fromisoformat(at), label, flag,
                 until and date.fromisoformat(until), seq, batch_id, note)
