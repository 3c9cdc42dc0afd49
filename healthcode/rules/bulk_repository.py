"""Every flagged person's facts in one streamed statement, grouped by person: the bulk form of rules/repository.py's
facts statement, for the what-if of a rule set over the whole province (rules/what_if.py).

Reading person by person (`collect_flags`) costs a round trip each, hours for a million people; this reads each feed
once, in the same row shape (kind, day, at, label, flag, until, seq, batch_id) plus the person's `id_number`, ordered
by person so that the caller evaluates one person at a time without holding the province in memory."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from typing import Any

from sqlalchemy import Date, Select, String, bindparam, text, type_coerce, union_all
from sqlalchemy import select as sql_select
from sqlalchemy.orm import Session

from healthcode.feeds import models as m
from healthcode.feeds.closures_repository import residents_query
from healthcode.feeds.contacts_repository import contacts_query, day_end
from healthcode.rules.corrections_repository import not_corrected
from healthcode.rules.manual_models import ManualFlag
from healthcode.rules.repository import as_row, manual_query

CHUNK = 20_000
ALT_CONTACT = "computed_contact_alt"  # computed contacts under a second set of case statuses (what_if.py)


def bulk_facts_query(statuses: Sequence[tuple[str, ...]], fever_departments: tuple[str, ...], *,
                     raw_dates: bool = False) -> Select[Any]:
    """Rows (id_number, kind, day, at, label, flag, until, seq, batch_id, note) of every person some feed or manual
    flag names, ordered by id_number; bound parameters `start`, `today`, `cutoff` as in `facts_query`. `statuses`: one
    or two tuples of case statuses whose cases expose their fellow passengers (the second gives rows of kind
    `ALT_CONTACT`). With `raw_dates`, day, at and until come as the database's ISO 8601 text (SQLite: parsing a
    million of them costs more than the query; the caller parses the few it evaluates)."""
    start = bindparam("start", type_=Date())
    c, cc, a = m.CaseRecord, m.CloseContactRecord, m.ArrivalRecord
    v, p, codes = m.ClinicVisitRecord, m.DrugPurchaseRecord, m.FeverDrugCode
    closures = residents_query(one_person=False, on_day=True).subquery("closures")
    # A record an upheld appeal corrected counts for nobody's colour (rules/corrections_repository.py), as in
    # `facts_query`: each branch keeps out the rows corrected for their own person.
    branches = [
        sql_select(c.id_number, *as_row("case", at=c.reported_at, label=c.status, seq=c.id, batch_id=c.batch_id))
        .where(not_corrected(c.id_number, "cases", c.row_key)),
        sql_select(cc.id_number, *as_row("close_contact", day=cc.contact_date, batch_id=cc.batch_id))
        .where(cc.contact_date >= start, not_corrected(cc.id_number, "close_contacts", cc.row_key)),
        sql_select(a.id_number, *as_row("arrival", day=a.arrived_on, label=a.origin, flag=a.health_abnormal,
                                      batch_id=a.batch_id))
        .where(not_corrected(a.id_number, "arrivals", a.origin, a.arrived_on)),
        sql_select(closures.c.id_number, *as_row("closure", day=closures.c.starts_on, label=closures.c.community,
                                               until=closures.c.ends_on, seq=closures.c.closure_id,
                                               batch_id=closures.c.batch_id))
        .where(not_corrected(closures.c.id_number, "closures", closures.c.community, closures.c.starts_on)),
        sql_select(p.id_number, *as_row("drug", day=p.purchased_on, batch_id=p.batch_id))
        .where(p.purchased_on >= start, p.drug_code.in_(sql_select(codes.drug_code)),
               not_corrected(p.id_number, "drug_purchases", p.row_key)),
    ]
    for number, case_statuses in enumerate(statuses[:2]):
        computed = contacts_query(one_person=False, statuses=case_statuses).subquery(f"computed{number}")
        branches.append(sql_select(computed.c.contact_id_number,
                                   *as_row(ALT_CONTACT if number else "computed_contact", day=computed.c.contact_date,
                                         label=computed.c.trip_id))
                        .where(not_corrected(computed.c.contact_id_number, "travel", computed.c.trip_id,
                                             computed.c.contact_date)))
    branches.append(manual_query(ManualFlag.id_number))  # outside every rule set: the same under both
    if fever_departments:
        branches.append(sql_select(v.id_number, *as_row("clinic", day=v.visited_on, batch_id=v.batch_id))
                        .where(v.visited_on >= start, v.department.in_(fever_departments),
                               not_corrected(v.id_number, "clinic_visits", v.row_key)))
    union = union_all(*branches).subquery("facts")
    columns = [type_coerce(c, String()) if raw_dates and c.name in ("day", "at", "until") else c for c in union.c]
    return sql_select(*columns).order_by(union.c.id_number)


def stream_facts(session: Session, statuses: Sequence[tuple[str, ...]], fever_departments: Sequence[str],
                 start: date, today: date) -> Iterator[Any]:
    """The rows of `bulk_facts_query`, fetched `CHUNK` at a time (a server-side cursor on PostgreSQL), read on the
    session's connection (the ORM's row processing would double the time); on SQLite with dates as text."""
    query = bulk_facts_query(statuses, tuple(fever_departments),
                             raw_dates=session.get_bind().dialect.name == "sqlite")
    params = {"start": start, "today": today, "cutoff": day_end(today)}
    result = session.connection().execute(query.execution_options(yield_per=CHUNK), params)
    for chunk in result.partitions():
        yield from chunk


def read_only(session: Session) -> None:
    """Makes the session's transaction read only where the database can (PostgreSQL): a what-if writes nothing."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET TRANSACTION READ ONLY"))
