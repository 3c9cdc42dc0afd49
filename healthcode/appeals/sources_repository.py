"""The source records of a contested reason, for the authority's decision: the person's feed rows that make a rule
hold (the same conditions as rules/repository.py `facts_query`, corrected records left out), each with its batch and
provider, and the identity a correction names it by (`key`, `on`: rules/correction_models.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, DateTime, String, bindparam, literal, select
from sqlalchemy.orm import Session

from healthcode.feeds import models as m
from healthcode.feeds.closures_repository import residents_query
from healthcode.feeds.contacts_repository import contacts_query
from healthcode.rules.corrections_repository import not_corrected


@dataclass(frozen=True)
class SourceRecord:
    kind: str  # the facts statement's kind: case, close_contact, computed_contact, arrival, closure, clinic, drug
    feed: str  # the feed a correction names (computed contacts: travel)
    key: str  # row_key, or origin / community / trip_id
    on: date | None  # the record's day
    record_id: str | None
    detail: str  # what the record says, for the authority (status, department, drug code, origin, community, trip)
    batch_id: int | None
    provider: str | None = None
    loaded_at: datetime | None = None
    source: str | None = None  # the batch's file name, or "api"


def _who() -> Any:
    return bindparam("id_number", type_=String())


def _statement(kind: str, statuses: tuple[str, ...], fever_departments: tuple[str, ...]) -> Any:
    """(feed, key, on, at, record_id, detail, batch_id) of the person's records of one kind."""
    who, start, cutoff = _who(), bindparam("start", type_=Date()), bindparam("cutoff", type_=DateTime())
    if kind == "case":
        c = m.CaseRecord
        return select(literal("cases"), c.row_key, literal(None), c.reported_at, c.record_id, c.status, c.batch_id
                      ).where(c.id_number == who, c.reported_at < cutoff, not_corrected(who, "cases", c.row_key))
    if kind == "close_contact":
        cc = m.CloseContactRecord
        return select(literal("close_contacts"), cc.row_key, cc.contact_date, literal(None), cc.record_id,
                      literal(""), cc.batch_id).where(
            cc.id_number == who, cc.contact_date >= start, not_corrected(who, "close_contacts", cc.row_key))
    if kind == "computed_contact":
        computed = contacts_query(one_person=True, statuses=statuses).subquery("computed")
        t = m.TravelRecord
        return select(literal("travel"), computed.c.trip_id, computed.c.contact_date, literal(None), t.record_id,
                      computed.c.trip_id, t.batch_id).join_from(
            computed, t, (t.trip_id == computed.c.trip_id) & (t.travel_date == computed.c.contact_date)
            & (t.id_number == who)).where(
            not_corrected(who, "travel", computed.c.trip_id, computed.c.contact_date))
    if kind == "arrival":
        a = m.ArrivalRecord
        return select(literal("arrivals"), a.origin, a.arrived_on, literal(None), literal(None), a.origin,
                      a.batch_id).where(a.id_number == who, not_corrected(who, "arrivals", a.origin, a.arrived_on))
    if kind == "closure":
        cl = residents_query(one_person=True, on_day=True).subquery("closures")
        return select(literal("closures"), cl.c.community, cl.c.starts_on, literal(None), literal(None),
                      cl.c.community, cl.c.batch_id).where(
            not_corrected(who, "closures", cl.c.community, cl.c.starts_on))
    if kind == "clinic" and fever_departments:
        v = m.ClinicVisitRecord
        return select(literal("clinic_visits"), v.row_key, v.visited_on, v.visited_at, v.record_id, v.department,
                      v.batch_id).where(v.id_number == who, v.visited_on >= start,
                                        v.department.in_(fever_departments),
                                        not_corrected(who, "clinic_visits", v.row_key))
    if kind == "drug":
        p = m.DrugPurchaseRecord
        return select(literal("drug_purchases"), p.row_key, p.purchased_on, p.purchased_at, p.record_id,
                      p.drug_code, p.batch_id).where(
            p.id_number == who, p.purchased_on >= start, p.drug_code.in_(select(m.FeverDrugCode.drug_code)),
            not_corrected(who, "drug_purchases", p.row_key))
    return None


def records(session: Session, kinds: tuple[str, ...], params: dict[str, Any], statuses: tuple[str, ...],
            fever_departments: tuple[str, ...]) -> list[SourceRecord]:
    """The person's uncorrected records of these kinds (params: id_number, start, today, cutoff), with provenance;
    records dated after today are left out."""
    found: list[SourceRecord] = []
    for kind in kinds:
        statement = _statement(kind, statuses, fever_departments)
        if statement is None:
            continue
        for feed, key, on, at, record_id, detail, batch_id in session.execute(statement, params):
            day = on if on is not None else (at.date() if at is not None else None)
            if day is not None and day > params["today"]:
                continue
            found.append(SourceRecord(kind, feed, key, day, record_id, detail or "", batch_id))
    return _with_batches(session, found)


def _with_batches(session: Session, found: list[SourceRecord]) -> list[SourceRecord]:
    ids = {r.batch_id for r in found if r.batch_id is not None}
    if not ids:
        return found
    rows = session.execute(select(m.Batch.id, m.Batch.created_at, m.Batch.source, m.Provider.name)
                           .outerjoin(m.Provider, m.Provider.id == m.Batch.provider_id)
                           .where(m.Batch.id.in_(ids))).all()
    batches = {row.id: row for row in rows}
    out = []
    for r in found:
        b = batches.get(r.batch_id) if r.batch_id is not None else None
        out.append(r if b is None else SourceRecord(r.kind, r.feed, r.key, r.on, r.record_id, r.detail, r.batch_id,
                                                    b.name, b.created_at, b.source))
    return out
