"""Computed close contacts (SPEC section 3): passengers near a case on the same train, flight or bus.

One set-based query serves both uses: all contacts (consoles, benchmark) and one person's contacts (their status),
so the per-person path is the very same definition, driven by indexes from the person's own travel rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Date,
    DateTime,
    Select,
    String,
    and_,
    bindparam,
    exists,
    or_,
    select,
    union,
)
from sqlalchemy.orm import Session

from healthcode.feeds.models import CaseRecord, TravelRecord

CASE_STATUSES = ("confirmed", "suspected")
WINDOW_DAYS = 14
ROWS_AROUND = 3  # 前后三排（共七排）


@dataclass(frozen=True, order=True)
class ComputedContact:
    contact_id_number: str
    contact_date: date
    case_id_number: str
    trip_id: str


def day_end(today: date) -> datetime:
    """The first instant after `today`: records reported on `today` count, later ones not yet."""
    return datetime.combine(today + timedelta(days=1), time())


def case_holds(id_number: ColumnElement[str], statuses: tuple[str, ...] = CASE_STATUSES) -> ColumnElement[bool]:
    """True when the person's latest `cases` record (by reported_at, then storage order) reported before the bound
    parameter `cutoff` has one of `statuses`: the `case` rule, as SQL, for the person in `id_number`."""
    cases = CaseRecord.__table__
    latest, later = cases.alias("latest_case"), cases.alias("later_case")
    cutoff = bindparam("cutoff", type_=DateTime())
    newer = exists().where(
        later.c.id_number == latest.c.id_number, later.c.reported_at < cutoff,
        or_(later.c.reported_at > latest.c.reported_at,
            and_(later.c.reported_at == latest.c.reported_at, later.c.id > latest.c.id)),
    )
    return exists().where(latest.c.id_number == id_number, latest.c.status.in_(statuses),
                          latest.c.reported_at < cutoff, ~newer)


def query_params(today: date, window_days: int = WINDOW_DAYS, id_number: str | None = None) -> dict[str, object]:
    """The bound parameters of `contacts_query` for the day (and person)."""
    params: dict[str, object] = {"start": today - timedelta(days=window_days - 1), "today": today,
                                 "cutoff": day_end(today)}
    if id_number is not None:
        params["id_number"] = id_number
    return params


@lru_cache(maxsize=16)
def contacts_query(*, one_person: bool = False, statuses: tuple[str, ...] = CASE_STATUSES) -> CompoundSelect:
    """(contact_id_number, contact_date, case_id_number, trip_id) of every computed contact, or only those of the
    person in the bound parameter `id_number` when `one_person`; the window is [`start`, `today`] (see
    `query_params`). Built once and cached: the status of a person runs it on every code and scan.
    Seated trips (train, flight) and buses are two branches so that each uses the trip index its own way."""
    return union(*(_branch(seated, one_person, statuses) for seated in (True, False)))


def _branch(seated: bool, one_person: bool, statuses: tuple[str, ...]) -> Select:
    case_table, other_table = TravelRecord.__table__.alias("case_trip"), TravelRecord.__table__.alias("other")
    case_trip, other = case_table.c, other_table.c
    start, today = bindparam("start", type_=Date()), bindparam("today", type_=Date())
    on = [other.trip_id == case_trip.trip_id, other.travel_date == case_trip.travel_date,
          other.id_number != case_trip.id_number]
    if seated:
        # The row range is written both ways (the same condition) so that whichever side the planner reads second,
        # its seats are one range of the (trip_id, travel_date, seat_row) index.
        on += [case_trip.mode.in_(("train", "flight")), other.mode == case_trip.mode,
               other.seat_row.between(case_trip.seat_row - ROWS_AROUND, case_trip.seat_row + ROWS_AROUND),
               case_trip.seat_row.between(other.seat_row - ROWS_AROUND, other.seat_row + ROWS_AROUND),
               or_(case_trip.mode == "flight", other.carriage == case_trip.carriage)]
    else:
        # Both sides' mode, so that a per-person look-up leaves their train and flight rows out of this branch.
        on += [case_trip.mode == "bus", other.mode == "bus"]
    query = (
        select(other.id_number.label("contact_id_number"), other.travel_date.label("contact_date"),
               case_trip.id_number.label("case_id_number"), case_trip.trip_id.label("trip_id"))
        .select_from(case_table.join(other_table, and_(*on)))
        .where(case_trip.travel_date.between(start, today), case_holds(case_trip.id_number, statuses))
    )
    if one_person:
        # One person: start from their own travel rows (id_number index), then their co-passengers.
        return query.where(other.id_number == bindparam("id_number", type_=String()),
                           other.travel_date.between(start, today))
    # Redundant with case_holds, but lets the whole-province query start from the few people with a case record
    # rather than from every trip in the window.
    cases = CaseRecord.__table__.c
    return query.where(case_trip.id_number.in_(
        select(cases.id_number).where(cases.status.in_(statuses), cases.reported_at < bindparam("cutoff"))))


def computed_contacts(session: Session, today: date, *, id_number: str | None = None,
                      window_days: int = WINDOW_DAYS, statuses: tuple[str, ...] = CASE_STATUSES,
                      ) -> list[ComputedContact]:
    """The computed contacts on `today` (all of them, or one person's), in a stable order."""
    query = contacts_query(one_person=id_number is not None, statuses=tuple(statuses))
    rows = session.execute(query, query_params(today, window_days, id_number)).all()
    return sorted(ComputedContact(*row) for row in rows)
