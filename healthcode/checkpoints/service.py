"""Checkpoints (SPEC section 8): scanner accounts and their authorisation, scan points, the scan itself (code ->
person -> colour now, masked identity, county address, most severe region, recent scans) and its feedback."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy.orm import Session

from healthcode import clock
from healthcode.accounts import passwords
from healthcode.accounts import service as accounts
from healthcode.accounts.models import KIND_SCANNER
from healthcode.checkpoints import ratelimit, repository
from healthcode.checkpoints.errors import (
    InvalidPassReason,
    InvalidTemperatureResult,
    PersonNotFound,
    PointNotFound,
    ScannerExists,
    ScannerNotFound,
    ScanNotFound,
    TemperatureContradictsResult,
)
from healthcode.checkpoints.models import AUTHORISED, PENDING, REVOKED, Scan, Scanner, ScanPoint
from healthcode.codes import service as codes
from healthcode.codes.errors import CodeRefused
from healthcode.common import ids, phones
from healthcode.common import temperature as temperatures
from healthcode.common.ids import normalize_id_number
from healthcode.common.masking import mask_id_number, mask_name
from healthcode.common.phones import normalise_phone
from healthcode.config import Settings
from healthcode.errors import (
    Forbidden,
    InvalidIdNumber,
    InvalidLocation,
    InvalidName,
    InvalidPhone,
    InvalidRequest,
    InvalidStatus,
    InvalidTemperature,
)
from healthcode.orgs import errors as org_errors
from healthcode.orgs import repository as orgs
from healthcode.orgs.models import Org
from healthcode.orgs.service import normalise_uscc
from healthcode.regions import divisions
from healthcode.regions import service as regions
from healthcode.rules import service as rules
from healthcode.sessions import repository as web_sessions

WINDOW_DAYS = 14  # "within 14 days" (SPEC section 3): today and the 13 days before
RECENT_SHOWN = 5
FEEDBACK_DELAY = timedelta(seconds=20)  # a past scan's feedback: about when a scanner sends it
RECENT_FEEDBACK = timedelta(days=1)  # where a feedback's scan is looked for first (then anywhere)
TEMPERATURE_RESULTS = {"normal": "normal", "abnormal": "abnormal", "正常": "normal", "异常": "abnormal",
                       "体温正常": "normal", "体温异常": "abnormal"}
TEMPERATURE_RESULT_TEXT = {"normal": "体温正常", "abnormal": "体温异常"}


def decided_result(degrees: float) -> str:
    """The 体温结果 a temperature decides: abnormal from 37.3 ℃ (healthcode/common/temperature.py)."""
    return "abnormal" if temperatures.is_abnormal(degrees) else "normal"


@dataclass(frozen=True)
class ScanResult:
    scan_id: int
    at: datetime
    via: str
    color: str
    name_masked: str
    id_number_masked: str
    address: str | None
    most_severe_region: regions.MostSevere | None
    recent_scans: list[dict[str, Any]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {"scan_id": self.scan_id, "color": self.color, "name_masked": self.name_masked,
                "id_number_masked": self.id_number_masked, "address": self.address,
                "most_severe_region": self.most_severe_region.as_json() if self.most_severe_region else None,
                "recent_scans": self.recent_scans, "at": iso_seconds(self.at), "via": self.via}


# --- scanner accounts ---------------------------------------------------------------------------------------------

def add_scanner(session: Session, *, org_uscc: str, phone: str, name: str, id_number: str, password: str,
                authorise: bool, operator: str = "cli", now: datetime | None = None) -> Scanner:
    """A scanner account under an organisation (login: the phone number); authorised at once, or pending."""
    at = now or clock.now()
    phone = _phone(phone)
    name = (name or "").strip()
    if not name or len(name) > 64:
        raise InvalidName("扫码员姓名不能为空，且不超过64个字")
    try:
        number = normalize_id_number(id_number, at.date())
    except ids.InvalidIdNumber as exc:
        raise InvalidIdNumber(str(exc)) from None
    passwords.check_rule(password)
    code = normalise_uscc(org_uscc)
    org = orgs.org_by_uscc(session, code)
    if org is None:
        raise org_errors.OrgNotFound(f"未找到统一社会信用代码为 {code} 的单位")
    if repository.scanner_by_phone(session, phone) is not None:
        raise ScannerExists(f"手机号 {phone} 已注册为扫码员")
    account = accounts.create_account(session, kind=KIND_SCANNER, username=phone, password=password, now=at)
    scanner = Scanner(account_id=account.id, org_id=org.id, phone=phone, name=name, id_number=number,
                      status=AUTHORISED if authorise else PENDING, status_by=operator if authorise else None,
                      status_at=at if authorise else None, created_at=at)
    session.add(scanner)
    session.flush()
    return scanner


def set_scanner_status(session: Session, org_id: int, scanner_id: int, status: str, operator: str,
                       now: datetime | None = None) -> Scanner:
    """The organisation's admin authorises or revokes one of its scanners; effective from the next request."""
    if status not in (AUTHORISED, REVOKED):
        raise InvalidStatus("授权状态应为 authorised 或 revoked")
    scanner = repository.scanner_by_id(session, scanner_id)
    if scanner is None or scanner.org_id != org_id:
        raise ScannerNotFound()
    scanner.status, scanner.status_by, scanner.status_at = status, operator, now or clock.now()
    if status == REVOKED:  # its signed-in pages end now (its API tokens are refused by status: checkpoints.deps)
        web_sessions.end_for_account(session, scanner.account_id)
    return scanner


# --- scan points --------------------------------------------------------------------------------------------------

def scanner_org(session: Session, scanner: Scanner) -> Org | None:
    """The unit the scanner scans for (its name and region on the scanning page)."""
    return orgs.org_by_id(session, scanner.org_id)


def add_point(session: Session, scanner: Scanner, *, community: str, name: str, address: str, region_code: str,
              latitude: float | None, longitude: float | None, now: datetime) -> ScanPoint:
    """The point where the scanner scans, reported before scanning; it belongs to the scanner's organisation."""
    community, name, address = (_text(community, "社区", 100), _text(name, "扫码点名称", 100),
                                _text(address, "具体位置", 300))
    county = regions.county(region_code)
    if (latitude is None) != (longitude is None):
        raise InvalidLocation("经度和纬度须同时填写")
    if latitude is not None and not -90 <= latitude <= 90:
        raise InvalidLocation("纬度应在 -90 到 90 之间")
    if longitude is not None and not -180 <= longitude <= 180:
        raise InvalidLocation("经度应在 -180 到 180 之间")
    point = ScanPoint(org_id=scanner.org_id, created_by=scanner.id, community=community, name=name, address=address,
                      region_code=county.code, latitude=latitude, longitude=longitude, created_at=now)
    session.add(point)
    session.flush()
    return point


# --- the scan -----------------------------------------------------------------------------------------------------

def scan(session: Session, scanner: Any, *, point_id: int, code: str, now: datetime,
         settings: Settings, point: repository.PointPlace | None = None) -> ScanResult:
    """Resolves a QR text or number code at one of the organisation's points and records the scan. `scanner` is the
    model or the row of `checkpoints.deps.scanning_scanner`; `point`, the point when the caller has read it already.
    The colour follows the settings' rule set. A refused code (CodeRefused) is counted against the scanner (within
    the settings' refusal limit: a count kept although the scan fails) and raised as it came."""
    if point is None:
        point = repository.point_place(session, point_id)
    if point is None:
        raise PointNotFound()
    if point.org_id != scanner.org_id:
        raise Forbidden("该扫码点不属于本单位")
    via = codes.kind_of(code)  # a printed card (issue 16) is recorded as "card": its colour is computed now
    if via == "number":
        ratelimit.check_number_lookup(scanner, now)
    try:
        resolved = codes.resolve(session, code, now)
    except CodeRefused as exc:
        ratelimit.record_refusal(session, scanner, via, exc.code, now, ratelimit.RefusalLimits.from_settings(settings))
        raise
    person = repository.person_for_scan(session, resolved.person_id)
    if person is None:  # the code outlived its person: treat like any other code that no longer resolves
        raise PersonNotFound()
    color = rules.status_for(session, settings, person.id_number, now).color
    since = datetime.combine(now.date() - timedelta(days=WINDOW_DAYS - 1), time.min)
    history = repository.recent_visits(session, person.id, since)
    scan_id = repository.insert_scan(session, scanner_id=scanner.id, point_id=point.id, org_id=point.org_id,
                                     person_id=person.id, color=color, via=via, at=now)
    severe = regions.most_severe_region(session, visits_of(person, history, point.region_code, now),
                                        point.region_code)
    return scan_result(scan_id, now, via, color, person, history, severe)


def visits_of(person: Any, history: Sequence[Any], here: str, now: datetime) -> list[tuple[str, datetime | None]]:
    """The regions of a scan's most-severe-region warning: the person's initial region (else their household's
    county), their scans of the last 14 days (rows with region_code and at) and this one."""
    home = person.initial_region_code or person.household_county
    return [(home, None), *((h.region_code, h.at) for h in history), (here, now)]


def scan_result(scan_id: int, now: datetime, via: str, color: str, person: Any, history: Sequence[Any],
                severe: regions.MostSevere | None) -> ScanResult:
    """The answer of a recorded scan: `person` a row of repository.person_for_scan, `history` rows of
    repository.recent_visits (newest first)."""
    address_county = person.household_county or person.initial_region_code
    return ScanResult(
        scan_id=scan_id, at=now, via=via, color=color, name_masked=mask_name(person.name),
        id_number_masked=mask_id_number(person.id_number),
        address=divisions.full_name(address_county) if address_county else None,
        most_severe_region=severe,
        recent_scans=[{"at": iso_seconds(h.at), "address": _point_address(h.region_code, h.point_name),
                       "temperature_result": h.temperature_result, "pass_reason": h.pass_reason}
                      for h in history[:RECENT_SHOWN]],
    )


def feedback(session: Session, scanner: Scanner, scan_id: int, *, pass_reason: str, temperature_result: str,
             temperature: float | None, pass_reasons: list[str], now: datetime) -> Scan:
    """The pass reason and temperature of a scan, given by the scanner who made it (may be corrected later)."""
    # Feedback comes right after the scan (offline: `now` is the scan's time): its day's partition is searched first.
    record = (repository.scan(session, scan_id, (now - RECENT_FEEDBACK, now + RECENT_FEEDBACK))
              or repository.scan(session, scan_id))
    if record is None:
        raise ScanNotFound()
    if record.scanner_id != scanner.id:
        raise Forbidden("只有本次扫码的扫码员可以反馈结果")
    reason = (pass_reason or "").strip()
    if reason not in pass_reasons:
        raise InvalidPassReason(f"通行原因应为：{'、'.join(pass_reasons)}")
    result = TEMPERATURE_RESULTS.get((temperature_result or "").strip())
    if result is None:
        raise InvalidTemperatureResult()
    try:
        degrees = temperatures.checked_temperature(temperature) if temperature is not None else None
    except temperatures.InvalidTemperature as exc:
        raise InvalidTemperature(str(exc)) from None
    if degrees is not None and result != decided_result(degrees):
        raise TemperatureContradictsResult(
            f"体温 {degrees:.1f}℃ 应为{TEMPERATURE_RESULT_TEXT[decided_result(degrees)]}，与所填体温结果"
            f"（{TEMPERATURE_RESULT_TEXT[result]}）不符：{temperatures.ABNORMAL_FROM}℃ 及以上为体温异常")
    record.pass_reason, record.temperature_result, record.feedback_at = reason, result, now
    record.temperature = degrees
    return record


@dataclass(frozen=True)
class PastScan:
    """A scan of the past with its feedback (none when `pass_reason` is None), for `record_past_scans`."""

    scanner_id: int
    point_id: int
    person_id: int
    color: str
    via: str
    at: datetime
    pass_reason: str | None = None
    temperature: float | None = None


def record_past_scans(session: Session, scans: Sequence[PastScan], pass_reasons: list[str]) -> int:
    """Stores scans made before now in bulk (the demo's history) with the invariants of `scan` and `feedback`: each
    at a point of its scanner's own unit (the scan's unit is the point's), a pass reason of the settings, and the
    体温结果 the temperature decides. Returns how many were stored."""
    points: dict[int, ScanPoint | None] = {}
    scanners: dict[int, Scanner | None] = {}
    rows: list[dict[str, Any]] = []
    for s in scans:
        if s.point_id not in points:
            points[s.point_id] = repository.point(session, s.point_id)
        if s.scanner_id not in scanners:
            scanners[s.scanner_id] = repository.scanner_by_id(session, s.scanner_id)
        point, scanner = points[s.point_id], scanners[s.scanner_id]
        if point is None:
            raise PointNotFound()
        if scanner is None:
            raise ScannerNotFound()
        if point.org_id != scanner.org_id:
            raise Forbidden("该扫码点不属于本单位")
        if s.pass_reason is not None and s.pass_reason not in pass_reasons:
            raise InvalidPassReason(f"通行原因应为：{'、'.join(pass_reasons)}")
        try:
            degrees = temperatures.checked_temperature(s.temperature) if s.temperature is not None else None
        except temperatures.InvalidTemperature as exc:
            raise InvalidTemperature(str(exc)) from None
        given = s.pass_reason is not None
        rows.append({"scanner_id": s.scanner_id, "point_id": s.point_id, "org_id": point.org_id,
                     "person_id": s.person_id, "color": s.color, "via": s.via, "at": s.at,
                     "pass_reason": s.pass_reason, "temperature": degrees if given else None,
                     "temperature_result": decided_result(degrees) if given and degrees is not None else None,
                     "feedback_at": s.at + FEEDBACK_DELAY if given else None})
    repository.insert_scans(session, rows)
    return len(rows)


def purge(session: Session, now: datetime, retention_days: int) -> int:
    """Deletes scan records older than the retention period (SPEC section 10, default 28 days); on PostgreSQL the
    whole days are dropped first by partitions.drop_past, and this deletes what remains (DEFAULT's rows)."""
    return repository.purge_scans(session, retention_cutoff(now, retention_days))


def purge_offline(session: Session, now: datetime, retention_days: int) -> int:
    """Deletes the offline uploads of scans past the retention period (the scans themselves go by `purge` and
    partitions.drop_past): an upload names its scanner and the scan's time."""
    return repository.purge_offline_scans(session, retention_cutoff(now, retention_days))


def retention_cutoff(now: datetime, retention_days: int) -> datetime:
    """The first instant a scan is kept: midnight of the day `retention_days` before today."""
    return datetime.combine(now.date() - timedelta(days=retention_days), time.min)


def _point_address(region_code: str, point_name: str) -> str:
    """`鼓楼区福建省经济信息中心`: the point's county and name, as the seed's 扫码地址."""
    division = divisions.get(region_code)
    return (division.name if division else "") + point_name


def _phone(value: str) -> str:
    try:
        return normalise_phone(value)
    except phones.InvalidPhone as exc:
        raise InvalidPhone(str(exc)) from None


def _text(value: str, label: str, limit: int) -> str:
    text = (value or "").strip()
    if not text or len(text) > limit:
        raise InvalidRequest(f"{label}不能为空，且不超过{limit}个字")
    return text


def iso_seconds(moment: datetime | None) -> str | None:
    """A time of the scanner's API: ISO 8601 to the second (naive Asia/Shanghai), None as None."""
    return moment.isoformat(timespec="seconds") if moment is not None else None
