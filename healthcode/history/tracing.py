"""Which feed records make a rule hold on a day. The pure evaluator (`rules.status.evaluate`) reports the facts
behind a reason only as the batch ids it collects from them (`Reason.batch_ids`); evaluating the same flags once more
with each fact's `batch_id` replaced by the fact's own index makes those ids name exactly the facts that counted,
without a second copy of the rules' logic. Each fact is then matched to the person's stored row it came from."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from healthcode.feeds.definitions import FEEDS
from healthcode.feeds.ledger_entry import actor
from healthcode.history import repository as repo
from healthcode.rules.flags import Flags
from healthcode.rules.ruleset import RuleSet
from healthcode.rules.status import Status, evaluate

# The feed each kind of fact comes from (a computed contact: the person's own travel record; the case it was near
# is another person's and is never named).
FIELD_FEEDS = {"cases": "cases", "close_contacts": "close_contacts", "computed_contacts": "travel",
               "arrivals": "arrivals", "closures": "closures", "fever_clinic_visits": "clinic_visits",
               "fever_drug_purchases": "drug_purchases"}
# Who delivers each feed by the seed's attachment (SPEC section 4), for a batch loaded by command, not by a provider.
FEED_SOURCES = {"cases": "国家卫健委", "close_contacts": "国家卫健委", "travel": "交通运输部门",
                "arrivals": "省统计局", "closures": "数字中国研究院", "households": "省公安厅",
                "clinic_visits": "省卫健委", "drug_purchases": "省医保局", "fever_drug_codes": "疫情防控指挥部"}

Fact = tuple[str, Any]  # (the Flags field, the fact as the evaluator saw it)


@dataclass(frozen=True)
class Source:
    """One stored record behind a rule: its feed, batch, provider, record id (None when the feed has none: the
    snapshot feeds), its date, and when and by whom its batch was loaded."""

    feed: str
    batch: int | None
    provider: str | None
    record_id: str | None
    on: date | None
    loaded_at: datetime | None
    loaded_by: str | None
    row: int | None

    @property
    def feed_label(self) -> str:
        return FEEDS[self.feed].label if self.feed in FEEDS else self.feed

    def as_json(self) -> dict[str, Any]:
        return {"feed": self.feed, "batch": self.batch, "provider": self.provider, "record_id": self.record_id,
                "loaded_at": self.loaded_at.isoformat(timespec="seconds") if self.loaded_at else None,
                "feed_label": self.feed_label, "on": self.on.isoformat() if self.on else None,
                "loaded_by": self.loaded_by, "row": self.row}


@dataclass(frozen=True)
class TracedDay:
    day: date
    status: Status
    facts: dict[str, tuple[Fact, ...]]  # rule id -> the facts that made it hold


def keyed(flags: Flags) -> tuple[Flags, list[Fact]]:
    """The flags with every fact's batch_id replaced by its index in the returned list."""
    table: list[Fact] = []
    changes: dict[str, Any] = {}
    for field in dataclasses.fields(flags):
        value = getattr(flags, field.name)
        if not isinstance(value, tuple) or not all(hasattr(item, "batch_id") for item in value):
            continue
        items = []
        for item in value:
            items.append(dataclasses.replace(item, batch_id=len(table)))
            table.append((field.name, item))
        changes[field.name] = tuple(items)
    return dataclasses.replace(flags, **changes), table


def trace_day(flags: Flags, day: date, ruleset: RuleSet) -> TracedDay:
    """The status on `day` (the evaluator's own) and the facts behind each of its reasons."""
    status = evaluate(flags, day, ruleset)
    marked, table = keyed(flags)
    marked_reasons = evaluate(marked, day, ruleset).reasons
    facts = {reason.rule: tuple(table[i] for i in reason.batch_ids) for reason in marked_reasons}
    return TracedDay(day, status, facts)


class Resolver:
    """Matches facts to the person's stored rows, reading them once for all the days traced."""

    def __init__(self, session: Session, id_number: str, since: date, fever_departments: Sequence[str]) -> None:
        self.session = session
        self.records = repo.person_records(session, id_number, since, fever_departments)
        self._batches: dict[int, Any] = {}

    def sources(self, facts: Iterable[Fact]) -> list[Source]:
        facts = list(dict.fromkeys(facts))
        closures = repo.closure_rows(self.session, [f.batch_id for field, f in facts
                                                    if field == "closures" and f.batch_id is not None])
        found: list[tuple[str, Any, date | None]] = []
        for field, fact in facts:
            found.extend(self._rows(field, fact, closures))
        drug_codes = [row.label for feed, row, _ in found if feed == "drug_purchases"]
        found.extend(("fever_drug_codes", row, None) for row in repo.fever_code_rows(self.session, drug_codes))
        if any(field == "closures" for field, _ in facts):
            found.extend(("households", row, None) for row in self.records["households"])
        wanted = {row.batch_id for _, row, _ in found if row.batch_id is not None} - self._batches.keys()
        self._batches.update(repo.batches(self.session, wanted))
        unique = dict.fromkeys((feed, row.id, row.batch_id, getattr(row, "record_id", None), on)
                               for feed, row, on in found)
        return [self._source(*key) for key in unique]

    def _rows(self, field: str, fact: Any, closures: list[Any]) -> list[tuple[str, Any, date | None]]:
        feed = FIELD_FEEDS.get(field, field)
        rows: list[Any]
        if field == "cases":
            rows = [r for r in self.records["cases"] if r.batch_id == fact.batch_id and r.at == fact.reported_at]
            return [(feed, r, r.at.date()) for r in rows]
        if field == "computed_contacts":
            rows = [r for r in self.records["travel"] if r.label == fact.note and r.on == fact.on]
        elif field == "closures":
            rows = [r for r in closures if r.batch_id == fact.batch_id and r.community == fact.community
                    and r.starts_on == fact.starts_on]
            return [(feed, r, r.starts_on) for r in rows]
        elif field == "arrivals":
            rows = [r for r in self.records["arrivals"] if r.batch_id == fact.batch_id and r.on == fact.on
                    and r.label == fact.origin]
        elif feed in self.records:
            rows = [r for r in self.records[feed] if r.batch_id == fact.batch_id and r.on == fact.on]
        else:
            rows = []
        return [(feed, r, r.on) for r in rows]

    def _source(self, feed: str, row_id: int, batch_id: int | None, record_id: str | None,
                on: date | None) -> Source:
        batch = self._batches.get(batch_id) if batch_id is not None else None
        provider = batch.provider if batch is not None and batch.provider else FEED_SOURCES.get(feed)
        return Source(feed, batch_id, provider, record_id, on, batch.created_at if batch is not None else None,
                      actor(batch.operator, batch.provider_id) if batch is not None else None, row_id)
