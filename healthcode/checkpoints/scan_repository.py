"""The scan as ONE statement on PostgreSQL (issue 13): a data-modifying CTE that checks the scanner and its point,
reads the code's issued record, the person, their facts from every feed, their scans of the last 14 days and the
levels of the regions concerned, computes the colour by the rule set (rules/color_repository.py), inserts the scan
when every check holds, and returns what the answer needs in one row. Sent as a transaction of its own
(`Hot.alone`): one round trip, where the scan in steps (repository.py, service.scan) makes 7-8 and BEGIN and COMMIT.

It inserts exactly when `service.scan` would record the scan: the caller takes a row without a scan id as "not
decided here" and runs the steps, which raise the refusal they always raised (and count it).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, cast

from sqlalchemy import (
    DateTime,
    Integer,
    LargeBinary,
    String,
    Table,
    bindparam,
    exists,
    func,
    insert,
    literal,
    or_,
    select,
    true,
    union,
)
from sqlalchemy.dialects.postgresql import aggregate_order_by, distinct_on
from sqlalchemy.orm import Session
from sqlalchemy.sql import visitors
from sqlalchemy.sql.elements import BindParameter

from healthcode.accounts.models import Account
from healthcode.checkpoints.models import AUTHORISED, Scan, Scanner, ScanPoint
from healthcode.checkpoints.repository import RECENT_LIMIT
from healthcode.codes.models import IssuedCode
from healthcode.db.hotsql import Hot
from healthcode.feeds.models import HouseholdRecord
from healthcode.feeds.repository import household_column
from healthcode.regions.models import RegionLevel, RegionPolicy
from healthcode.residents.models import Person
from healthcode.rules.color_repository import color_expression
from healthcode.rules.repository import case_statuses, facts_query
from healthcode.rules.ruleset import get_rule_set

_t = {name: cast(Table, model.__table__).c for name, model in (
    ("scanners", Scanner), ("accounts", Account), ("points", ScanPoint), ("scans", Scan), ("persons", Person),
    ("issued", IssuedCode), ("levels", RegionLevel), ("policies", RegionPolicy))}


def scan_once(session: Session, via: str, rule_set: str, fever_departments: tuple[str, ...],
              params: dict[str, Any]) -> Any | None:
    """The statement's one row (None when the account has no scanner): the scanner's checks (id, org_id, status,
    number_locked_until, token_version, point_id, point_org_id, point_region_code), the person (person_id,
    id_number, name, initial_region_code, household_county: None unless every check held), scan_id and
    stored_color (None unless the scan was recorded), and as JSON arrays: facts [kind, day, at, label, flag, until,
    seq, batch_id, note], recent [at, region_code, point_name, temperature_result, pass_reason] (newest first), levels
    [code, level] (current) and policies [level, headline, text] (edited).

    Parameters: account_id, version (the token's), point_id, cti (QR) or number_code (number), now, since (the
    history's first instant) and the facts statement's start, today and cutoff."""
    return _statement(via, rule_set, fever_departments).alone(session, params)


@lru_cache(maxsize=16)
def _statement(via: str, rule_set: str, fever_departments: tuple[str, ...]) -> Hot:
    s, a, p, sc_t = _t["scanners"], _t["accounts"], _t["points"], _t["scans"]
    now = bindparam("now", type_=DateTime())
    scanner = (
        select(s.id, s.org_id, s.status, s.number_locked_until, a.token_version, p.id.label("point_id"),
               p.org_id.label("point_org_id"), p.region_code.label("point_region_code"))
        .join_from(Scanner.__table__, Account.__table__, a.id == s.account_id)
        .outerjoin(ScanPoint.__table__, p.id == bindparam("point_id", type_=Integer()))
        .where(s.account_id == bindparam("account_id", type_=Integer()))
    ).cte("scanner")
    c = scanner.c
    # Every check of deps.scanning_scanner and service.scan before the code is read.
    checks = [c.token_version == bindparam("version", type_=Integer()), c.status == AUTHORISED,
              c.point_id.is_not(None), c.point_org_id == c.org_id]
    code = _issued_code(via, now)
    if via == "number":
        checks.append(or_(c.number_locked_until.is_(None), c.number_locked_until <= now))
    person = _person(code, exists().where(*checks).select_from(scanner)).cte("person")
    facts = _facts(rule_set, fever_departments, select(person.c.id_number).scalar_subquery()).cte("facts")
    recent = (
        select(sc_t.id, sc_t.at, p.region_code, p.name.label("point_name"), sc_t.temperature_result,
               sc_t.pass_reason)
        .join_from(Scan.__table__, ScanPoint.__table__, p.id == sc_t.point_id)
        .where(sc_t.person_id == select(person.c.id).scalar_subquery(),
               sc_t.at >= bindparam("since", type_=DateTime()))
        .order_by(sc_t.at.desc(), sc_t.id.desc()).limit(RECENT_LIMIT)
    ).cte("recent")
    color = color_expression(get_rule_set(rule_set), facts, bindparam("today"), bindparam("cutoff"))
    inserted = insert(cast(Table, Scan.__table__)).from_select(
        ["scanner_id", "point_id", "org_id", "person_id", "color", "via", "at"],
        select(c.id, c.point_id, c.point_org_id, person.c.id, color, literal(via, String()), now)
        .select_from(scanner).join(person, true()).where(*checks),
    ).returning(sc_t.id, sc_t.color).cte("inserted")
    levels = _levels(union(select(recent.c.region_code), select(c.point_region_code),
                           select(person.c.initial_region_code), select(person.c.household_county)))
    f, r, po = facts.c, recent.c, _t["policies"]
    return Hot(
        select(*scanner.c, person.c.id.label("person_id"), person.c.id_number, person.c.name,
               person.c.initial_region_code, person.c.household_county, inserted.c.id.label("scan_id"),
               inserted.c.color.label("stored_color"),
               _json(facts, f.kind, f.day, f.at, f.label, f.flag, f.until, f.seq, f.batch_id, f.note)
               .label("facts"),
               _json(recent, r.at, r.region_code, r.point_name, r.temperature_result, r.pass_reason,
                     order_by=(r.at.desc(), r.id.desc())).label("recent"),
               _json(levels, levels.c.code, levels.c.level).label("levels"),
               _json(RegionPolicy.__table__, po.level, po.headline, po.text).label("policies"))
        .select_from(scanner).outerjoin(person, true()).outerjoin(inserted, true())
    )


def _issued_code(via: str, now: Any) -> Any:
    """The issued code presented (codes.repository.issued_by_cti / issued_by_number), valid now for a number."""
    i = _t["issued"]
    if via == "qr":
        return select(i.person_id).where(i.cti == bindparam("cti", type_=LargeBinary())).scalar_subquery()
    latest = (select(i.person_id, i.expires_at).where(i.number_code == bindparam("number_code", type_=String()))
              .order_by(i.expires_at.desc()).limit(1).subquery())
    return select(latest.c.person_id).where(latest.c.expires_at > now).scalar_subquery()


def _person(person_id: Any, scanner_checks: Any) -> Any:
    """repository.person_for_scan, for the code's person, when the scanner's checks hold."""
    pe = _t["persons"]
    return select(pe.id, pe.id_number, pe.name, pe.initial_region_code,
                  household_column(HouseholdRecord.county_code, pe.id_number).label("household_county")
                  ).where(pe.id == person_id, scanner_checks)


def _facts(rule_set: str, fever_departments: tuple[str, ...], id_number: Any) -> Any:
    """rules.repository's facts statement of the person, the parameter `id_number` replaced by `id_number`."""
    statement = facts_query(case_statuses(get_rule_set(rule_set)), fever_departments)
    replaced: list[str] = []

    def replace(element: Any) -> Any:
        if isinstance(element, BindParameter) and element.key == "id_number":
            replaced.append(element.key)
            return id_number
        return None

    statement = visitors.replacement_traverse(statement, {}, replace)  # type: ignore[call-overload]
    if not replaced:
        raise AssertionError("the facts statement no longer names its person by the parameter id_number")
    return statement


def _levels(codes: Any) -> Any:
    """The current level of each code (regions.repository: the newest row by set_at, then id)."""
    rl = _t["levels"]
    return (select(rl.code, rl.level).where(rl.code.in_(codes)).ext(distinct_on(rl.code))
            .order_by(rl.code, rl.set_at.desc(), rl.id.desc())).subquery("levels")


def _json(source: Any, *columns: Any, order_by: tuple[Any, ...] = ()) -> Any:
    """The rows of `source` as one JSON array of arrays (NULL when none), in the order of `order_by`."""
    row = func.json_build_array(*columns)
    aggregate = func.json_agg(aggregate_order_by(row, *order_by) if order_by else row)
    return select(aggregate).select_from(source).scalar_subquery()
