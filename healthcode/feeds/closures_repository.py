"""Closed-community matching (SPEC section 3): households whose address lies in a community under closure.

A household matches a closure when both resolve to the same county and the closure's normalised community name occurs
in the household's normalised address (both derived at load: `healthcode.feeds.closures`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from sqlalchemy import Boolean, ColumnElement, Date, Select, String, and_, bindparam, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.functions import FunctionElement

from healthcode.feeds.models import ClosureRecord, HouseholdRecord


class contains_text(FunctionElement[bool]):  # noqa: N801  (SQL function construct)
    """`needle` occurs in `haystack`, as a plain substring (LIKE would treat % and _ in a community name as
    wildcards)."""

    type = Boolean()
    inherit_cache = True


@compiles(contains_text)
def _contains_text_default(element: contains_text, compiler: Any, **kw: Any) -> str:
    haystack, needle = list(element.clauses)
    return f"(strpos({compiler.process(haystack, **kw)}, {compiler.process(needle, **kw)}) > 0)"


@compiles(contains_text, "sqlite")
def _contains_text_sqlite(element: contains_text, compiler: Any, **kw: Any) -> str:
    haystack, needle = list(element.clauses)
    return f"(instr({compiler.process(haystack, **kw)}, {compiler.process(needle, **kw)}) > 0)"


@dataclass(frozen=True)
class ClosedResident:
    id_number: str
    closure_id: int
    community: str
    starts_on: date
    ends_on: date | None
    batch_id: int


def in_force() -> ColumnElement[bool]:
    """The closure is in force on the bound parameter `today`: started, and not yet ended (or open-ended)."""
    today = bindparam("today", type_=Date())
    return and_(ClosureRecord.starts_on <= today, or_(ClosureRecord.ends_on.is_(None), ClosureRecord.ends_on >= today))


@lru_cache(maxsize=8)
def residents_query(*, one_person: bool = False, on_day: bool = True) -> Select:
    """Every (household, closure) match: (id_number, closure_id, community, starts_on, ends_on, batch_id). With
    `on_day`, only closures in force on the bound parameter `today`; with `one_person`, only the household rows of the
    bound parameter `id_number`. Built once and cached: a person's status runs it on every code and scan."""
    query = (
        select(HouseholdRecord.id_number, ClosureRecord.id.label("closure_id"), ClosureRecord.community,
               ClosureRecord.starts_on, ClosureRecord.ends_on, ClosureRecord.batch_id)
        .select_from(HouseholdRecord)
        .join(ClosureRecord, and_(
            ClosureRecord.county_code == HouseholdRecord.county_code,
            ClosureRecord.community_norm != "",  # an empty name would match every address of the county
            contains_text(HouseholdRecord.address_norm, ClosureRecord.community_norm),
        ))
        .where(HouseholdRecord.county_code.is_not(None))
    )
    if on_day:
        query = query.where(in_force())
    if one_person:
        query = query.where(HouseholdRecord.id_number == bindparam("id_number", type_=String()))
    return query


def closed_residents(session: Session, today: date | None) -> list[ClosedResident]:
    """All residents of the current households snapshot living in a community under closure on `today` (or under
    any closure of the snapshot when `today` is None)."""
    rows = session.execute(residents_query(on_day=today is not None), {"today": today})
    return [ClosedResident(*row) for row in rows]


def closures_for(session: Session, id_number: str, today: date | None) -> list[ClosedResident]:
    """The closures in force on `today` (any, when None) that match one person's household address."""
    rows = session.execute(residents_query(one_person=True, on_day=today is not None),
                           {"today": today, "id_number": id_number})
    return sorted((ClosedResident(*row) for row in rows), key=lambda r: (r.starts_on, r.closure_id))
