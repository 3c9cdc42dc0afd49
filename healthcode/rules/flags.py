"""The facts about one person that the pure status function needs, collected from the feeds by the repository.

Each fact remembers the batch that brought it, so a reason can be traced back to its source (SPEC section 4).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True)
class CaseFact:
    """One `cases` record of the person."""

    status: str  # confirmed / suspected / cleared
    reported_at: datetime
    batch_id: int | None = None


@dataclass(frozen=True)
class DatedFact:
    """A dated event: a reported or computed contact, a fever-clinic visit, a fever-drug purchase."""

    on: date
    batch_id: int | None = None
    note: str = ""  # e.g. the trip of a computed contact


@dataclass(frozen=True)
class ArrivalFact:
    """The person's row in the current `arrivals` snapshot."""

    on: date  # arrived_on
    origin: str
    health_abnormal: bool = False
    batch_id: int | None = None


@dataclass(frozen=True)
class ClosureFact:
    """A closure of the current snapshot whose community matches the person's household address."""

    community: str
    starts_on: date
    ends_on: date | None
    batch_id: int | None = None


@dataclass(frozen=True)
class ManualFact:
    """An approved manual flag of the health authority (healthcode/manualflags): it holds from the day it was approved
    (`since`) to the end of `until`, with its own colour and the written reason shown to the resident. Evaluated
    outside the rule set's rules (`status.evaluate`), so that no rule set has to know about it."""

    flag_id: int
    color: str
    reason: str
    since: date
    until: date


@dataclass(frozen=True)
class Flags:
    """Everything the rules look at for one person. Facts may lie outside any window: the rules decide."""

    id_number: str
    cases: tuple[CaseFact, ...] = ()  # in the order they were stored; the latest is chosen by reported_at
    close_contacts: tuple[DatedFact, ...] = ()
    computed_contacts: tuple[DatedFact, ...] = ()
    arrivals: tuple[ArrivalFact, ...] = ()
    closures: tuple[ClosureFact, ...] = ()
    fever_clinic_visits: tuple[DatedFact, ...] = ()  # visits to a fever-clinic department only
    fever_drug_purchases: tuple[DatedFact, ...] = ()  # purchases of a listed fever drug only
    manual: tuple[ManualFact, ...] = ()  # approved manual flags not withdrawn (their days are checked by evaluate)
