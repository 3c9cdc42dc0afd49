"""刷身份证 (issue 16): a resident without a phone is checked by name and ID number (typed, or typed by a card reader
that emulates a keyboard) instead of a code. The answer is a scan's (SPEC section 8) with `via` "id_card", and the
scan is recorded like any other.

A typed ID number is not a signed code: anyone can type a stranger's number. What stops enumeration is the real name
it must come with and the refusal count it shares with number codes (ratelimit.py): every refused check counts, and
a locked scanner is refused ID checks as it is refused number codes. A number whose real name the platform does not
know (nobody signed in with it and the households snapshot does not name it) is refused (`unknown_person`): its
colour could be computed from the feeds, but then the name could not be checked, and a typed number alone would give
a stranger's colour."""

from __future__ import annotations

import logging
import re
import unicodedata
from datetime import datetime, time, timedelta
from typing import Any, NoReturn

from sqlalchemy.orm import Session

from healthcode.checkpoints import ratelimit, repository
from healthcode.checkpoints.errors import NameMismatch, PointNotFound, UnknownPerson
from healthcode.checkpoints.service import WINDOW_DAYS, ScanResult, scan_result, visits_of
from healthcode.common import ids
from healthcode.common.masking import mask_id_number, mask_name
from healthcode.config import Settings
from healthcode.errors import DomainError, Forbidden, InvalidIdNumber, InvalidName
from healthcode.feeds import repository as feeds
from healthcode.regions import service as regions
from healthcode.residents import repository as people
from healthcode.residents import service as residents
from healthcode.rules import service as rules

VIA = "id_card"
MAX_NAME = 64
log = logging.getLogger(__name__)
# Spaces of any width, and the separators of minority and foreign names (阿卜杜·热合曼) typed as any of their forms.
_SPACES = re.compile(r"\s+")
_DOTS = str.maketrans({"•": "·", "・": "·", "‧": "·", "∙": "·", "．": "·", ".": "·", "-": "·"})


def normalised_name(value: str) -> str:
    """A name as compared: NFKC (full-width forms folded), without spaces, with one kind of middle dot."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", value or "")).translate(_DOTS)


def check(session: Session, scanner: Any, *, point_id: int, name: str, id_number: str, now: datetime,
          settings: Settings) -> ScanResult:
    """Checks a resident by real name and ID number at one of the scanner's unit's points and records the scan.
    Refused (422, counted against the scanner): an invalid ID number, a number the platform knows no real name for,
    a name that does not match. A point of another unit (403), an unknown point (404), a missing name (422) and a
    locked scanner (429) are refused before anything is counted or read."""
    point = repository.point_place(session, point_id)
    if point is None:
        raise PointNotFound()
    if point.org_id != scanner.org_id:
        raise Forbidden("该扫码点不属于本单位")
    typed_name = normalised_name(name)
    if not typed_name or len(typed_name) > MAX_NAME:
        raise InvalidName(f"请填写证件上的姓名（不超过{MAX_NAME}个字）")
    ratelimit.check_number_lookup(scanner, now)
    limits = ratelimit.RefusalLimits.from_settings(settings)
    try:
        number = ids.normalize_id_number(id_number or "", now.date())
    except ids.InvalidIdNumber as exc:
        _refuse(session, scanner, limits, now, InvalidIdNumber(f"身份证号无效：{exc}"), "-")
    known = _real_names(session, number)
    if not known:
        _refuse(session, scanner, limits, now, UnknownPerson(), number)
    if typed_name not in known:
        _refuse(session, scanner, limits, now, NameMismatch(), number)
    person_row = residents.get_registered(session, number, now)
    if person_row is None:  # a signed-in resident always has a row; a household one gets it here
        _refuse(session, scanner, limits, now, UnknownPerson(), number)
    person = repository.person_for_scan(session, person_row.id)
    color = rules.status_for(session, settings, number, now).color
    since = datetime.combine(now.date() - timedelta(days=WINDOW_DAYS - 1), time.min)
    history = repository.recent_visits(session, person.id, since)
    scan_id = repository.insert_scan(session, scanner_id=scanner.id, point_id=point.id, org_id=point.org_id,
                                     person_id=person.id, color=color, via=VIA, at=now)
    severe = regions.most_severe_region(session, visits_of(person, history, point.region_code, now),
                                        point.region_code)
    log.info("ID-card check: scan %s by scanner %s at point %s, %s %s, %s", scan_id, scanner.id, point.id,
             mask_name(person.name), mask_id_number(number), color)
    return scan_result(scan_id, now, VIA, color, person, history, severe)


def _real_names(session: Session, number: str) -> set[str]:
    """The names the platform knows as this number's real name: the one the identity provider gave at sign-in
    (real-name level), and the households snapshot's. A name someone typed for a relative (family.add_member) is
    not one of them."""
    names: set[str] = set()
    person = people.person_by_id_number(session, number)
    if person is not None and person.signed_in_at is not None:
        names.add(normalised_name(person.name))
    household = feeds.household(session, number)
    if household is not None:
        names.add(normalised_name(household.name))
    names.discard("")
    return names


def _refuse(session: Session, scanner: Any, limits: ratelimit.RefusalLimits, now: datetime, error: DomainError,
            number: str) -> NoReturn:
    """Counts the refusal against the scanner (kept although the request then fails), logs it masked, raises it."""
    ratelimit.record_refusal(session, scanner, VIA, error.code, now, limits)
    log.info("ID-card check refused: scanner %s, %s, %s", scanner.id, error.code,
             mask_id_number(number) if len(number) == 18 else "-")
    raise error
