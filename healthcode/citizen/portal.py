"""What the citizen portal shows: the code to display (own or a family member's) and the reasons of its colour."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from healthcode import clock
from healthcode.codes.service import code_for_page
from healthcode.codes.views import color_label
from healthcode.common.masking import mask_name
from healthcode.config import Settings
from healthcode.history.service import sources_today
from healthcode.history.tracing import Source
from healthcode.residents import family
from healthcode.residents.home_region import fix_initial_region, household_region
from healthcode.residents.models import Person
from healthcode.rules.ruleset import get_rule_set
from healthcode.rules.service import status_for
from healthcode.rules.status import MANUAL_RULE, MANUAL_TITLE

# The page asks for a fresh code this long before the current one expires, so that the shown code is never stale.
REFRESH_MARGIN_SECONDS = 10


@dataclass(frozen=True)
class CodeView:
    color: str
    color_label: str
    number_code: str
    qr_text: str
    issued_at: datetime
    expires_at: datetime
    name_masked: str
    name: str

    def as_json(self) -> dict[str, Any]:
        """What the code page needs; the QR itself is drawn by the phone from `qr_text` (static/citizen.js), so a
        refresh costs the server no drawing (issue 13: it was ~2 ms of a 3.7 ms refresh)."""
        return {
            "color": self.color, "color_label": self.color_label, "number_code": self.number_code,
            "qr_text": self.qr_text, "issued_at": _iso(self.issued_at), "expires_at": _iso(self.expires_at),
            "name_masked": self.name_masked, "name": self.name,
            # Epoch milliseconds, so that the page's clock and refresh timer need no date parsing.
            "issued_at_ms": clock.epoch_seconds(self.issued_at) * 1000,
            "expires_at_ms": clock.epoch_seconds(self.expires_at) * 1000,
            "refresh_at_ms": (clock.epoch_seconds(self.expires_at) - REFRESH_MARGIN_SECONDS) * 1000,
        }


def own_code(session: Session, settings: Settings, person: Person, now: datetime) -> CodeView:
    fix_initial_region(session, person, None)
    return _issue(session, settings, person, now)


def member_code(session: Session, settings: Settings, applicant: Person, member_id: int, now: datetime) -> CodeView:
    """A family member's code, shown by the applicant; their initial region, when unknown, is the applicant's."""
    member = family.member(session, applicant, member_id, now).person
    family.ensure_may_apply_for_others(session, settings, applicant, now)
    if member.initial_region_code is None:
        # The applicant's own initial region stays untouched: it is fixed by the applicant's first code only.
        member.initial_region_code = applicant.initial_region_code or household_region(session, applicant)
    family.record_view(session, applicant, member, "code", now)
    return _issue(session, settings, member, now)


def _issue(session: Session, settings: Settings, person: Person, now: datetime) -> CodeView:
    issued = code_for_page(session, settings, person, now)
    return CodeView(
        color=issued.color, color_label=color_label(issued.color), number_code=issued.number_code,
        qr_text=issued.qr_text, issued_at=issued.issued_at, expires_at=issued.expires_at,
        name_masked=mask_name(person.name), name=person.name,
    )


@dataclass(frozen=True)
class SourceView:
    """Where a reason comes from, as the resident may see it: the feed, its provider, the record's date and when
    the batch was loaded. Only his own records: a close contact's case is never named."""

    feed_label: str
    provider: str
    on: date | None
    loaded_on: date | None


@dataclass(frozen=True)
class ReasonView:
    title: str
    detail: str
    since: date
    until: date | None
    sources: tuple[SourceView, ...] = ()
    rule: str = ""  # the rule id: what an appeal contests


@dataclass(frozen=True)
class ReasonsView:
    color: str
    color_label: str
    reasons: list[ReasonView]
    green_from: date | None  # the day the code turns green if nothing new arrives; None: green now, or open-ended
    open_ended: bool


def reasons(session: Session, settings: Settings, person: Person, now: datetime) -> ReasonsView:
    status = status_for(session, settings, person.id_number, now)
    rule_set = get_rule_set(status.rule_set)
    traced = sources_today(session, settings, person.id_number, now.date()) if status.reasons else {}
    items = [
        ReasonView(rule_set.rule_by_id[r.rule].title if r.rule in rule_set.rule_by_id
                   else MANUAL_TITLE if r.rule == MANUAL_RULE else r.rule, r.detail, r.since, r.until,
                   _sources(traced.get(r.rule, [])), r.rule)
        for r in status.reasons
    ]
    open_ended = any(r.until is None for r in status.reasons)
    green_from = None
    if status.reasons and not open_ended:
        green_from = max(r.until for r in status.reasons if r.until is not None) + timedelta(days=1)
    return ReasonsView(status.color, status.color_label, items, green_from, open_ended)


def _sources(sources: list[Source]) -> tuple[SourceView, ...]:
    views = (SourceView(s.feed_label, s.provider or "", s.on, s.loaded_at.date() if s.loaded_at else None)
             for s in sources)
    return tuple(dict.fromkeys(views))


def _iso(moment: datetime) -> str:
    return moment.replace(tzinfo=clock.TZ).isoformat()
