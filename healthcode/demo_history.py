"""The demo's month of history, written through the domains' use cases: scans at the units' points every day (a
morning peak, some orange codes, some fevers, feedback given), the enterprise's employees reporting their health (most
of them, most days), reminders sent to the others, and the report aggregates the consoles read, built from it all as
the nightly job does; then scans past the retention period are purged as the daily purge does."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy.orm import Session

from healthcode.checkpoints import repository as checkpoints_repository
from healthcode.checkpoints import service as checkpoints
from healthcode.checkpoints.service import PastScan
from healthcode.config import Settings
from healthcode.console.reports import build_daily_reports
from healthcode.demo_people import FLAGS, SEED, Crowd, Resident
from healthcode.enterprise import consent
from healthcode.enterprise import repository as enterprise_repository
from healthcode.enterprise import service as enterprise
from healthcode.enterprise.reports import PastReport, ReportInput, record_past_reports
from healthcode.orgs import repository as orgs
from healthcode.residents.models import Person
from healthcode.residents.service import register_many
from healthcode.rules.service import status_for

HISTORY_DAYS = 30  # the days before today that the demo fills (today is filled up to now)
REMIND_AT = time(10, 0)
LATE_JOINERS = {12: 3, 7: 2}  # days ago -> employees (the last ones of the roster) who joined the enterprise then;
# the others joined the day before the history starts


@dataclass(frozen=True)
class Point:
    community: str
    name: str
    address: str
    region_code: str
    scanner_phone: str
    share: float  # of the staff who enter here


@dataclass(frozen=True)
class Site:
    """A unit's scanning: its staff come in every working morning, visitors in the day."""

    uscc: str
    staff: int
    visitors: int  # on a working day; a third of it at weekends
    points: tuple[Point, ...]


@dataclass(frozen=True)
class Summary:
    scans: int
    kept_scans: int
    reports: int
    reminders: int
    employees: int


def _at(day: date, minutes: float) -> datetime:
    return datetime.combine(day, time.min) + timedelta(minutes=round(minutes), seconds=int(minutes * 37) % 60)


class _Scans:
    """Scans of one day at one site, drawn from the seeded generator."""

    def __init__(self, session: Session, settings: Settings, rng: random.Random, ids: dict[str, int]) -> None:
        self.session, self.settings, self.rng, self.ids = session, settings, rng, ids
        self.colours: dict[tuple[str, date], str] = {}

    def colour(self, who: Resident, day: date) -> str:
        key = (who.id_number, day)
        if key not in self.colours:
            self.colours[key] = status_for(self.session, self.settings, who.id_number,
                                           datetime.combine(day, time(12))).color
        return self.colours[key]

    def one(self, who: Resident, at: datetime, point: tuple[int, int], reason: str, *, flagged: bool) -> PastScan:
        rng = self.rng
        colour = self.colour(who, at.date()) if flagged else "green"
        fever = rng.random() < (0.35 if colour == "orange" else 0.012)
        temperature = round(rng.uniform(37.3, 38.6), 1) if fever else round(min(37.2, rng.gauss(36.5, 0.22)), 1)
        given = rng.random() < 0.96
        way = rng.random()  # 8% typed number codes, 2% ID cards (刷身份证, residents without a phone), else QR
        return PastScan(scanner_id=point[1], point_id=point[0], person_id=self.ids[who.id_number], color=colour,
                        via="number" if way < 0.08 else "id_card" if way < 0.10 else "qr", at=at,
                        pass_reason=reason if given else None, temperature=temperature if given else None)


def _site_day(scans: _Scans, site: Site, staff: tuple[Resident, ...], points: list[tuple[int, int]],
              visitors: tuple[Resident, ...], flagged: dict[str, Resident], day: date) -> list[PastScan]:
    rng, working = scans.rng, day.weekday() < 5
    found = []
    shares = [p.share for p in site.points]
    for who in staff:
        if rng.random() > (0.92 if working else 0.1):
            continue
        point = rng.choices(points, weights=shares)[0]
        found.append(scans.one(who, _at(day, min(600, max(410, rng.gauss(495, 22)))), point, "工作", flagged=False))
        if rng.random() < 0.3:  # back from lunch outside
            found.append(scans.one(who, _at(day, rng.uniform(770, 860)), point, "工作", flagged=False))
    for _ in range(max(1, round(rng.gauss(site.visitors if working else site.visitors / 3, 3)))):
        who = rng.choice(visitors)
        found.append(scans.one(who, _at(day, rng.uniform(540, 1050)), rng.choice(points),
                               rng.choice(("生活", "就医", "其他", "返乡")), flagged=who.id_number in flagged))
    for who in flagged.values():  # the feeds' named people still go out now and then, orange or not
        if rng.random() < 0.12:
            found.append(scans.one(who, _at(day, rng.uniform(560, 1000)), rng.choice(points), "就医", flagged=True))
    return found


def _scans(session: Session, settings: Settings, sites: tuple[Site, ...], people: Crowd, ids: dict[str, int],
           now: datetime) -> int:
    rng = random.Random(SEED)
    scans = _Scans(session, settings, rng, ids)
    flagged = {people.visitors[f.visitor].id_number: people.visitors[f.visitor] for f in FLAGS}
    site_points = []
    start = datetime.combine(now.date() - timedelta(days=HISTORY_DAYS), time(7))
    for site in sites:
        placed = []
        for p in site.points:
            scanner = checkpoints_repository.scanner_by_phone(session, p.scanner_phone)
            assert scanner is not None, p.scanner_phone
            point = checkpoints.add_point(session, scanner, community=p.community, name=p.name, address=p.address,
                                          region_code=p.region_code, latitude=None, longitude=None, now=start)
            placed.append((point.id, scanner.id))
        site_points.append(placed)
    made: list[PastScan] = []
    for back in range(HISTORY_DAYS, -1, -1):
        day = now.date() - timedelta(days=back)
        for site, staff, points in zip(sites, people.staff, site_points, strict=True):
            made += [s for s in _site_day(scans, site, staff, points, people.visitors, flagged, day) if s.at <= now]
    made.sort(key=lambda s: s.at)
    return checkpoints.record_past_scans(session, made, settings.pass_reasons)


def _join(session: Session, org_id: int, person: Person, who: Resident, at: datetime, *, phones: bool) -> None:
    """新增 by the enterprise, accepted by the resident in the citizen portal. With `phones`, the employee's phone
    is given, so that his reminders are also texts in the outbox."""
    phone = (who.phone or "") if phones else ""
    request = enterprise.add_employee(session, org_id, enterprise.EmployeeInput(who.name, who.id_number, phone), at)
    consent.decide(session, person, request.id, "accept", at + timedelta(hours=2))


def _report(rng: random.Random, person: Person, who: Resident, at: datetime, first: bool) -> PastReport:
    fever = rng.random() < 0.01
    temperature = rng.uniform(37.3, 38.2) if fever else min(37.2, rng.gauss(36.4, 0.2))
    where = who.region_code if rng.random() < 0.95 else "350102"
    return PastReport(person, ReportInput(
        temperature=f"{temperature:.1f}", symptoms=["发热"] if fever else ["无"], location_code=where,
        contact_risk=False, report_type="返岗上报" if first else "日常上报"), at)


def _joined(roster: list[Resident]) -> dict[str, int]:
    """Days ago each employee joined: most the day before the history, the last ones later (LATE_JOINERS)."""
    joined = {who.id_number: HISTORY_DAYS + 1 for who in roster}
    position = len(roster)
    for back, count in sorted(LATE_JOINERS.items(), reverse=True):
        for who in roster[position - count:position]:
            joined[who.id_number] = back
        position -= count
    return joined


def _reports(session: Session, enterprise_uscc: str, roster: list[Resident], persons: dict[str, Person],
             now: datetime, *, phones: bool) -> tuple[int, int]:
    """The employees join, report most days before ten (a few often forget), are reminded at ten on working days,
    and most of the reminded report then."""
    rng = random.Random(SEED + 1)
    org = orgs.org_by_uscc(session, enterprise_uscc)
    assert org is not None
    joined, forgetful = _joined(roster), {who.id_number for who in roster[3:6]}
    made: list[PastReport] = []
    reminders = 0
    for back in range(HISTORY_DAYS + 1, -1, -1):
        day = now.date() - timedelta(days=back)
        for who in (w for w in roster if joined[w.id_number] == back):
            _join(session, org.id, persons[who.id_number], who, _at(day, 540), phones=phones)
        present = [w for w in roster if joined[w.id_number] > back]
        working = day.weekday() < 5
        early = {w.id_number for w in present
                 if rng.random() < ((0.55 if working else 0.4) if w.id_number in forgetful else (0.96 if working
                                                                                                 else 0.82))}
        late = {w.id_number for w in present if w.id_number not in early and rng.random() < 0.6}
        for who in present:
            at = (_at(day, min(595, max(400, rng.gauss(480, 35)))) if who.id_number in early
                  else _at(day, rng.uniform(610, 900)))
            if (who.id_number in early or (working and who.id_number in late)) and at <= now:
                made.append(_report(rng, persons[who.id_number], who, at, joined[who.id_number] == back + 1))
        remind_at = datetime.combine(day, REMIND_AT)
        if working and remind_at <= now:  # before the day's reports are stored: who has not reported by ten
            due = [enterprise_repository.employee_by_id_number(session, org.id, w.id_number) for w in present
                   if w.id_number not in early]
            if due:
                reminders += enterprise.remind(session, org.id, [e.id for e in due if e is not None], remind_at).sent
    return record_past_reports(session, made), reminders


def build_history(session: Session, settings: Settings, sites: tuple[Site, ...], people: Crowd,
                  enterprise_uscc: str, roster: list[Resident], now: datetime) -> Summary:
    """The month before `now` (and today up to `now`); the feeds naming `people` are loaded already."""
    start = datetime.combine(now.date() - timedelta(days=HISTORY_DAYS + 2), time(8))
    numbers = [who.id_number for who in [*people.everyone(), *roster]]
    persons = register_many(session, numbers, start)
    assert len(persons) == len(set(numbers))  # everyone is in the households feed
    scans = _scans(session, settings, sites, people, {n: p.id for n, p in persons.items()}, now)
    # Texts only where they stay in the outbox: a configured gateway would deliver a month of reminders to the demo's
    # made-up numbers.
    reports, reminders = _reports(session, enterprise_uscc, roster, persons, now,
                                  phones=settings.sms_gateway_url is None)
    for back in range(HISTORY_DAYS, -1, -1):
        build_daily_reports(session, now.date() - timedelta(days=back))
    purged = checkpoints.purge(session, now, settings.scan_retention_days)
    return Summary(scans=scans, kept_scans=scans - purged, reports=reports, reminders=reminders,
                   employees=len(roster))
