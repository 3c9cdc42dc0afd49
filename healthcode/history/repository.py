"""Every query of the history: a person's own feed records (to name the source of each fact), the batches they came
in, the colours actually shown (scans, issued codes), and the ledger's page for the authority."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from healthcode.checkpoints.models import Scan
from healthcode.codes.models import IssuedCode
from healthcode.feeds import models as m
from healthcode.ledger.models import LedgerEntry
from healthcode.residents.models import Person


def person_records(session: Session, id_number: str, since: date,
                   fever_departments: Sequence[str]) -> dict[str, list[Any]]:
    """The person's rows of each feed that can be behind a fact counted on a day from `since` on: rows (id, batch_id,
    record_id, on, label). Only the person's own rows (each query driven by the id_number index)."""
    c, cc, t, a = m.CaseRecord, m.CloseContactRecord, m.TravelRecord, m.ArrivalRecord
    v, p, h = m.ClinicVisitRecord, m.DrugPurchaseRecord, m.HouseholdRecord
    queries: dict[str, Any] = {
        "cases": select(c.id, c.batch_id, c.record_id, c.reported_at.label("at"), c.status.label("label"))
        .where(c.id_number == id_number),
        "close_contacts": select(cc.id, cc.batch_id, cc.record_id, cc.contact_date.label("on"))
        .where(cc.id_number == id_number, cc.contact_date >= since),
        "travel": select(t.id, t.batch_id, t.record_id, t.travel_date.label("on"), t.trip_id.label("label"))
        .where(t.id_number == id_number, t.travel_date >= since),
        "arrivals": select(a.id, a.batch_id, a.arrived_on.label("on"), a.origin.label("label"))
        .where(a.id_number == id_number),
        "households": select(h.id, h.batch_id).where(h.id_number == id_number).order_by(h.id.desc()).limit(1),
        "clinic_visits": select(v.id, v.batch_id, v.record_id, v.visited_on.label("on"))
        .where(v.id_number == id_number, v.visited_on >= since, v.department.in_(list(fever_departments) or [""])),
        "drug_purchases": select(p.id, p.batch_id, p.record_id, p.purchased_on.label("on"),
                                 p.drug_code.label("label"))
        .where(p.id_number == id_number, p.purchased_on >= since),
    }
    return {feed: list(session.execute(query).all()) for feed, query in queries.items()}


def closure_rows(session: Session, batch_ids: Iterable[int]) -> list[Any]:
    """Closures of the given batches (public announcements, not personal data): (id, batch_id, community,
    starts_on)."""
    wanted = sorted(set(batch_ids))
    if not wanted:
        return []
    c = m.ClosureRecord
    return list(session.execute(select(c.id, c.batch_id, c.community, c.starts_on).where(c.batch_id.in_(wanted))))


def fever_code_rows(session: Session, drug_codes: Iterable[str]) -> list[Any]:
    """The current fever-drug list's rows of these codes: (id, batch_id, record_id = the drug code)."""
    wanted = sorted(set(drug_codes))
    if not wanted:
        return []
    f = m.FeverDrugCode
    return list(session.execute(select(f.id, f.batch_id, f.drug_code.label("record_id"))
                                .where(f.drug_code.in_(wanted))))


def batches(session: Session, batch_ids: Iterable[int]) -> dict[int, Any]:
    """The batches by id with their provider's name: (id, feed, provider_id, provider, operator, created_at)."""
    wanted = sorted(set(batch_ids))
    if not wanted:
        return {}
    b, pr = m.Batch, m.Provider
    rows = session.execute(select(b.id, b.feed, b.provider_id, pr.name.label("provider"), b.operator, b.created_at)
                           .outerjoin(pr, pr.id == b.provider_id).where(b.id.in_(wanted)))
    return {row.id: row for row in rows}


def shown_colors(session: Session, id_number: str, since: datetime) -> list[tuple[datetime, str, str]]:
    """The colours the person was actually shown since `since`: (at, colour, "scan" | "code"), oldest first. Scans
    are kept for the retention period, issued codes for about an hour (codes' purge)."""
    scans = session.execute(select(Scan.at, Scan.color).join(Person, Person.id == Scan.person_id)
                            .where(Person.id_number == id_number, Scan.at >= since))
    codes = session.execute(select(IssuedCode.issued_at, IssuedCode.color)
                            .join(Person, Person.id == IssuedCode.person_id)
                            .where(Person.id_number == id_number, IssuedCode.issued_at >= since))
    found = [(at, color, "scan") for at, color in scans] + [(at, color, "code") for at, color in codes]
    return sorted(found)


def of_person(session: Session, id_number: str, kind_prefixes: Sequence[str]) -> list[LedgerEntry]:
    """The person's ledger entries of kinds starting with one of the prefixes (e.g. "appeal."), oldest first."""
    kind = LedgerEntry.kind
    condition = kind.startswith(kind_prefixes[0])
    for prefix in kind_prefixes[1:]:
        condition = condition | kind.startswith(prefix)
    return list(session.scalars(select(LedgerEntry).where(LedgerEntry.id_number == id_number, condition)
                                .order_by(LedgerEntry.id)))


def ledger_page(session: Session, kind: str | None, id_number: str | None, offset: int,
                limit: int) -> tuple[list[LedgerEntry], int]:
    """A page of the ledger, newest first, of one kind and/or one person (exact ID number), and how many match."""
    stmt = select(LedgerEntry)
    if kind:
        stmt = stmt.where(LedgerEntry.kind == kind)
    if id_number:
        stmt = stmt.where(LedgerEntry.id_number == id_number)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = list(session.scalars(stmt.order_by(LedgerEntry.id.desc()).offset(offset).limit(limit)))
    return rows, total


def ledger_size(session: Session) -> tuple[int, str | None]:
    """How many entries the ledger holds and the newest one's hash (no lock: a reader's look)."""
    count = session.scalar(select(func.count()).select_from(LedgerEntry)) or 0
    head = session.scalar(select(LedgerEntry.hash).order_by(LedgerEntry.id.desc()).limit(1))
    return count, head
