"""The query that collects one person's flags from the feed tables: one statement of indexed look-ups, no scans.

Nothing is cached but the statement itself: a record pushed a moment ago changes the very next code or scan.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Integer,
    String,
    bindparam,
    cast,
    literal_column,
    null,
    or_,
    union_all,
)
from sqlalchemy import select as sql_select
from sqlalchemy.orm import Session
from sqlalchemy.sql import CompoundSelect
from sqlalchemy.types import TypeEngine

from healthcode.db.hotsql import Hot
from healthcode.feeds import models as m
from healthcode.feeds.closures_repository import residents_query
from healthcode.feeds.contacts_repository import CASE_STATUSES, contacts_query, day_end
from healthcode.rules.corrections_repository import not_corrected
from healthcode.rules.flags import ArrivalFact, CaseFact, ClosureFact, DatedFact, Flags, ManualFact
from healthcode.rules.manual_models import ManualFlag
from healthcode.rules.ruleset import KIND_LATEST_CASE, RuleSet

_COLUMNS: dict[str, TypeEngine[Any]] = {"day": Date(), "at": DateTime(), "label": String(), "flag": Boolean(),
                                         "until": Date(), "seq": Integer(), "batch_id": Integer(), "note": String()}


def as_row(kind: str, **values: Any) -> list[Any]:
    """One branch's select list in the common shape (kind, day, at, label, flag, until, seq, batch_id, note); typed
    NULLs where a feed has no such column, so that PostgreSQL can type the UNION."""
    return [literal_column(f"'{kind}'", String()).label("kind")] + [
        (values[name] if name in values else cast(null(), type_)).label(name) for name, type_ in _COLUMNS.items()]


@lru_cache(maxsize=8)
def facts_statement(statuses: tuple[str, ...], fever_departments: tuple[str, ...]) -> Hot:
    """Every fact about the person in the bound parameter `id_number` that can count between `start` and `today`,
    from all feeds in one round trip; each branch is driven by the person's id_number index."""
    return Hot(facts_query(statuses, fever_departments))


def facts_query(statuses: tuple[str, ...], fever_departments: tuple[str, ...]) -> CompoundSelect:
    """The statement of `facts_statement`, rows (kind, day, at, label, flag, until, seq, batch_id, note); the bound
    parameters `id_number`, `start`, `today` and `cutoff` (a scan's one statement puts a sub-select in place of
    `id_number`)."""
    who, start = bindparam("id_number", type_=String()), bindparam("start", type_=Date())
    c, cc, a = m.CaseRecord, m.CloseContactRecord, m.ArrivalRecord
    v, p, codes = m.ClinicVisitRecord, m.DrugPurchaseRecord, m.FeverDrugCode
    computed = contacts_query(one_person=True, statuses=statuses).subquery("computed")
    closures = residents_query(one_person=True, on_day=True).subquery("closures")
    # A record an upheld appeal corrected for this person is no fact of his (rules/correction_models.py); the
    # scan's one statement on PostgreSQL reads this statement too, so every path honours corrections.
    branches = [
        sql_select(*as_row("case", at=c.reported_at, label=c.status, seq=c.id, batch_id=c.batch_id))
        .where(c.id_number == who, not_corrected(who, "cases", c.row_key)),
        sql_select(*as_row("close_contact", day=cc.contact_date, batch_id=cc.batch_id))
        .where(cc.id_number == who, cc.contact_date >= start, not_corrected(who, "close_contacts", cc.row_key)),
        sql_select(*as_row("computed_contact", day=computed.c.contact_date, label=computed.c.trip_id))
        .where(not_corrected(who, "travel", computed.c.trip_id, computed.c.contact_date)),
        sql_select(*as_row("arrival", day=a.arrived_on, label=a.origin, flag=a.health_abnormal, batch_id=a.batch_id))
        .where(a.id_number == who, not_corrected(who, "arrivals", a.origin, a.arrived_on)),
        sql_select(*as_row("closure", day=closures.c.starts_on, label=closures.c.community, until=closures.c.ends_on,
                         seq=closures.c.closure_id, batch_id=closures.c.batch_id))
        .where(not_corrected(who, "closures", closures.c.community, closures.c.starts_on)),
        sql_select(*as_row("drug", day=p.purchased_on, batch_id=p.batch_id))
        .where(p.id_number == who, p.purchased_on >= start, p.drug_code.in_(sql_select(codes.drug_code)),
               not_corrected(who, "drug_purchases", p.row_key)),
    ]
    branches.append(_manual_branch(who))
    if fever_departments:
        branches.append(sql_select(*as_row("clinic", day=v.visited_on, batch_id=v.batch_id))
                        .where(v.id_number == who, v.visited_on >= start, v.department.in_(fever_departments),
                               not_corrected(who, "clinic_visits", v.row_key)))
    return union_all(*branches)


def _manual_branch(who: Any) -> Any:
    """The person's approved manual flags that hold on `today` (healthcode/manualflags): approved by then, not ended,
    not withdrawn before the day ends. Colour in `label`, the written reason in `note`."""
    return manual_query().where(ManualFlag.id_number == who)


def manual_query(*first: Any) -> Any:
    """Every approved manual flag that holds on the bound `today` (see `_manual_branch`), with `first` columns
    before the common row shape (the what-if's bulk statement puts the id_number there)."""
    mf = ManualFlag
    today = bindparam("today", type_=Date())
    return (sql_select(*first, *as_row("manual", day=mf.starts_on, label=mf.color, until=mf.ends_on, seq=mf.id,
                                       note=mf.reason))
            .where(mf.starts_on.is_not(None), mf.starts_on <= today, mf.ends_on >= today,
                   or_(mf.withdrawn_at.is_(None), mf.withdrawn_at >= bindparam("cutoff", type_=DateTime()))))


def collect_flags(session: Session, id_number: str, today: date, ruleset: RuleSet,
                  fever_departments: Sequence[str]) -> Flags:
    """The facts the rule set needs about `id_number` on `today`. Dated facts are read over the rule set's longest
    window (older ones cannot count); facts dated after today are left for the rules to ignore."""
    statement = facts_statement(case_statuses(ruleset), tuple(fever_departments))
    return flags_of(id_number, statement.rows(session, {"id_number": id_number, **facts_parameters(ruleset, today)}))


def case_statuses(ruleset: RuleSet) -> tuple[str, ...]:
    """The case statuses whose cases hold (and expose their fellow passengers) in the rule set."""
    return tuple(next((r.statuses for r in ruleset.rules if r.kind == KIND_LATEST_CASE), CASE_STATUSES))


def facts_parameters(ruleset: RuleSet, today: date) -> dict[str, Any]:
    """The facts statement's bound parameters but `id_number`: the rule set's longest window ending `today`."""
    lookback = max(ruleset.lookback_days, 1)
    return {"start": today - timedelta(days=lookback - 1), "today": today, "cutoff": day_end(today)}


def flags_of(id_number: str, rows: Iterable[Any]) -> Flags:
    """The Flags of the facts statement's rows (attributes kind, day, at, label, flag, until, seq, batch_id, note)."""
    found: dict[str, list[Any]] = {}
    for row in rows:
        found.setdefault(row.kind, []).append(row)
    get = found.get
    return Flags(
        id_number=id_number,
        cases=tuple(CaseFact(r.label, r.at, r.batch_id) for r in sorted(get("case", ()), key=lambda r: r.seq)),
        close_contacts=tuple(DatedFact(r.day, r.batch_id) for r in get("close_contact", ())),
        computed_contacts=tuple(DatedFact(r.day, None, r.label) for r in get("computed_contact", ())),
        arrivals=tuple(ArrivalFact(r.day, r.label, bool(r.flag), r.batch_id) for r in get("arrival", ())),
        closures=tuple(ClosureFact(r.label, r.day, r.until, r.batch_id)
                       for r in sorted(get("closure", ()), key=lambda r: (r.day, r.seq))),
        fever_clinic_visits=tuple(DatedFact(r.day, r.batch_id) for r in get("clinic", ())),
        fever_drug_purchases=tuple(DatedFact(r.day, r.batch_id) for r in get("drug", ())),
        manual=tuple(ManualFact(r.seq, r.label, r.note, r.day, r.until)
                     for r in sorted(get("manual", ()), key=lambda r: r.seq)),
    )


# The kind of the facts' rows each Flags field is made of (`flags_of`): what the rule set's SQL form reads
# (rules/color_repository.py).
SOURCE_KINDS = {"cases": "case", "close_contacts": "close_contact", "computed_contacts": "computed_contact",
                "arrivals": "arrival", "closures": "closure", "fever_clinic_visits": "clinic",
                "fever_drug_purchases": "drug", "manual": "manual"}
