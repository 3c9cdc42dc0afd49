"""Residents' daily health reports (健康上报): submit or correct today's report, read one's own history, and keep
each employer's summaries (employee columns, per-day counts) in step."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from healthcode.common import temperature as temperatures
from healthcode.common.temperature import is_abnormal as is_fever
from healthcode.enterprise import consent, consent_repository, repository, service
from healthcode.enterprise.errors import DuplicateReport, InvalidReportType, InvalidSymptoms
from healthcode.enterprise.models import NO_SYMPTOM, REPORT_TYPES, SYMPTOMS, Employee, HealthReport
from healthcode.errors import InvalidLocation, InvalidTemperature
from healthcode.orgs.service import normalise_uscc
from healthcode.regions import divisions
from healthcode.residents.models import Person


@dataclass(frozen=True)
class ReportInput:
    temperature: str
    symptoms: Sequence[str]
    location_code: str
    contact_risk: bool
    report_type: str
    employer_uscc: str = ""


@dataclass(frozen=True)
class Submitted:
    report: HealthReport
    corrected: bool


def validate(data: ReportInput) -> tuple[float, str, str, str | None]:
    """(temperature, symptoms text, county code, employer USCC) of a valid form, else Invalid with the reason."""
    try:
        typed = round(float(data.temperature.strip()), 1)  # counts to 0.1 ℃ (36.54 is 36.5) before the range check
    except ValueError:
        raise InvalidTemperature("请填写体温（℃），例如 36.5") from None
    try:
        temperature = temperatures.checked_temperature(typed)
    except temperatures.InvalidTemperature as exc:
        raise InvalidTemperature(str(exc)) from None
    chosen = [s for s in SYMPTOMS if s in set(data.symptoms)]
    unknown = set(data.symptoms) - set(SYMPTOMS)
    if unknown or not chosen:
        raise InvalidSymptoms()
    if NO_SYMPTOM in chosen and len(chosen) > 1:
        raise InvalidSymptoms("选择了“无”就不能再选择其他症状")
    code = (data.location_code or "").strip()
    division = divisions.get(code) if len(code) == 6 else None
    if division is None or division.rank != 2:
        raise InvalidLocation("请选择当前所在的县（市、区）")
    if data.report_type not in REPORT_TYPES:
        raise InvalidReportType("请选择上报类型：" + "、".join(REPORT_TYPES))
    employer = None
    if data.employer_uscc.strip():
        employer = normalise_uscc(data.employer_uscc)
    return temperature, "、".join(chosen), code, employer


def submit(session: Session, person: Person, data: ReportInput, now: datetime) -> Submitted:
    """Today's report of the resident; a second one today replaces the first (a correction)."""
    temperature, symptoms, location, employer = validate(data)
    values = {"temperature": temperature, "symptoms": symptoms, "location_code": location,
              "contact_risk": bool(data.contact_risk), "report_type": data.report_type, "employer_uscc": employer,
              "reported_at": now, "name": person.name}
    report = repository.report_of_day(session, person.id_number, now.date())
    employers = repository.employers_of(session, person.id_number)
    if report is None:
        report = HealthReport(id_number=person.id_number, report_date=now.date(), corrections=0, **values)
        try:
            # A savepoint: a double-tapped 提交 may have stored today's report since the look-up (the unique person
            # and day); this one then corrects it, as it would a moment later, instead of failing with a 500.
            with session.begin_nested():
                session.add(report)
                for employee in employers:
                    _count_new_report(employee, report)
                    repository.shift_day_stats(session, employee.org_id, {report.report_date: 1})
        except IntegrityError:
            report = repository.report_of_day(session, person.id_number, now.date())
            if report is None:  # some other constraint failed: not a race to hide
                raise
        else:
            _confirm_employer(session, person, employer, now)
            return Submitted(report, False)
    for key, value in values.items():
        setattr(report, key, value)
    report.corrections = (report.corrections or 0) + 1
    for employee in employers:
        employee.last_reported_at = now
    session.flush()
    _confirm_employer(session, person, employer, now)
    return Submitted(report, True)


@dataclass(frozen=True)
class PastReport:
    """A report made before now, for `record_past_reports`."""

    person: Person
    data: ReportInput
    at: datetime


def record_past_reports(session: Session, reports: Sequence[PastReport]) -> int:
    """Stores reports made before now in bulk (the demo's history), each checked as `submit` checks it and at most
    one per person and day; then rebuilds the report summaries and day counts of every enterprise employing these
    people, as 同步员工信息 does. Returns how many were stored."""
    rows, seen = [], set()
    for r in reports:
        temperature, symptoms, location, employer = validate(r.data)
        key = (r.person.id_number, r.at.date())
        if key in seen:
            raise DuplicateReport()
        seen.add(key)
        rows.append({"id_number": r.person.id_number, "name": r.person.name, "report_date": r.at.date(),
                     "reported_at": r.at, "temperature": temperature, "symptoms": symptoms, "location_code": location,
                     "contact_risk": bool(r.data.contact_risk), "report_type": r.data.report_type,
                     "employer_uscc": employer, "corrections": 0})
    repository.insert_reports(session, rows)
    employers = {e.org_id for number in {n for n, _day in seen} for e in repository.employers_of(session, number)}
    for org_id in sorted(employers):
        repository.clear_day_stats(session, org_id)
        service.attach_reports(session, org_id, repository.reset_summaries(session, org_id))
    return len(rows)


def _confirm_employer(session: Session, person: Person, employer: str | None, now: datetime) -> None:
    """Naming an employer on one's own report is consent for that employer (after the report is counted, so that
    the new employee's summary includes it)."""
    if employer:
        consent.confirm_named(session, person, employer, now)


def _count_new_report(employee: Employee, report: HealthReport) -> None:
    employee.report_count = (employee.report_count or 0) + 1
    if employee.first_report_date is None or report.report_date < employee.first_report_date:
        employee.first_report_date = report.report_date
    if employee.last_report_date is None or report.report_date >= employee.last_report_date:
        employee.last_report_date = report.report_date
        employee.last_reported_at = report.reported_at


def today_report(session: Session, person: Person, now: datetime) -> HealthReport | None:
    return repository.report_of_day(session, person.id_number, now.date())


def own_history(session: Session, person: Person, *, page: int, page_size: int = 20) -> tuple[list[HealthReport], int]:
    reports = repository.reports_of_person(session, person.id_number, limit=page_size, offset=(page - 1) * page_size)
    return reports, repository.count_reports_of_person(session, person.id_number)


def for_employer(session: Session, org_id: int, id_number: str, *, limit: int = 30) -> list[dict[str, str]]:
    """The person's latest health reports as a unit console shows them, for a unit the person is an employee of; none
    for any other unit (reports are seen only by the resident and the employers the resident belongs to)."""
    if repository.employee_by_id_number(session, org_id, id_number) is None:  # confirmed employees only
        return []
    return [{"at": f"{r.reported_at:%Y-%m-%d %H:%M:%S}", "type": r.report_type,
             "result": "异常" if is_abnormal(r) else "正常"}
            for r in repository.reports_of_person(session, id_number, limit=limit)]


def prefill_employer(session: Session, person: Person, last: HealthReport | None) -> str:
    """The employer USCC the form proposes: the last report's, unless the resident refused or ended that link after
    it (a prefilled USCC submitted again would silently re-confirm the employer he just left)."""
    if last is None or not last.employer_uscc:
        return ""
    declined = consent_repository.declined_since(session, person.id_number, [last.employer_uscc], last.reported_at)
    return "" if declined else last.employer_uscc


def is_abnormal(report: HealthReport) -> bool:
    return is_fever(report.temperature) or report.symptoms != NO_SYMPTOM or report.contact_risk


def location_name(report: HealthReport) -> str:
    return divisions.full_name(report.location_code)
