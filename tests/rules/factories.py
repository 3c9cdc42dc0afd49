"""Plain factories for feed rows, inserted as ORM objects (independent of the loader), with the derived columns
computed exactly as the loader computes them."""

from __future__ import annotations

import itertools
from datetime import date, datetime

from sqlalchemy.orm import Session
from stdnum.cn.ric import calc_check_digit

from healthcode.feeds import models as m
from healthcode.feeds.closures import closure_derived, household_derived

_seq = itertools.count(1)
NOW = datetime(2020, 2, 24, 9, 0)
TODAY = NOW.date()


def person_id(n: int, area: str = "350102") -> str:
    """A valid 18-character ID number, distinct for each n (< 1000)."""
    body = f"{area}19900101{n:03d}"
    return body + calc_check_digit(body + "0")  # stdnum reads the first 17 of 18 characters


def d(text: str) -> date:
    return date.fromisoformat(text)


def batch(db: Session, feed: str) -> int:
    row = m.Batch(feed=feed, status="applied", source="test", sha256=f"{next(_seq):064d}", created_at=NOW)
    db.add(row)
    db.flush()
    return row.id


def _key() -> str:
    return f"k{next(_seq)}"


def case(db: Session, id_number: str, status: str, reported_at: str) -> None:
    db.add(m.CaseRecord(batch_id=batch(db, "cases"), row_key=_key(), id_number=id_number, name="病例",
                        status=status, reported_at=datetime.fromisoformat(reported_at)))
    db.flush()


def close_contact(db: Session, id_number: str, contact_date: str) -> None:
    db.add(m.CloseContactRecord(batch_id=batch(db, "close_contacts"), row_key=_key(), id_number=id_number,
                                name="密接", contact_date=d(contact_date)))
    db.flush()


def travel(db: Session, id_number: str, trip_id: str, mode: str, travel_date: str, *, carriage: str | None = None,
           seat_row: int | None = None) -> None:
    db.add(m.TravelRecord(batch_id=batch(db, "travel"), row_key=_key(), trip_id=trip_id, mode=mode,
                          travel_date=d(travel_date), id_number=id_number, name="乘客", carriage=carriage,
                          seat_row=seat_row))
    db.flush()


def arrival(db: Session, id_number: str, arrived_on: str, *, abnormal: bool = False,
            origin: str = "湖北省武汉市") -> None:
    db.add(m.ArrivalRecord(batch_id=batch(db, "arrivals"), id_number=id_number, name="入闽", origin=origin,
                           arrived_on=d(arrived_on), health_abnormal=abnormal))
    db.flush()


def household(db: Session, id_number: str, address: str, region_code: str | None = None) -> None:
    county, norm = household_derived(address, region_code)
    db.add(m.HouseholdRecord(batch_id=batch(db, "households"), id_number=id_number, name="居民", address=address,
                             region_code=region_code, county_code=county, address_norm=norm))
    db.flush()


def closure(db: Session, community: str, address: str, starts_on: str, ends_on: str | None = None,
            region_code: str | None = None) -> None:
    county, norm = closure_derived(community, address, region_code)
    db.add(m.ClosureRecord(batch_id=batch(db, "closures"), community=community, address=address,
                           starts_on=d(starts_on), ends_on=d(ends_on) if ends_on else None, region_code=region_code,
                           county_code=county, community_norm=norm))
    db.flush()


def clinic_visit(db: Session, id_number: str, visited_at: str, department: str = "发热门诊") -> None:
    at = datetime.fromisoformat(visited_at)
    db.add(m.ClinicVisitRecord(batch_id=batch(db, "clinic_visits"), row_key=_key(), record_id=_key(),
                               id_number=id_number, name="患者", visited_at=at, visited_on=at.date(),
                               department=department))
    db.flush()


def fever_drug_code(db: Session, drug_code: str, drug_name: str = "布洛芬") -> None:
    db.add(m.FeverDrugCode(batch_id=batch(db, "fever_drug_codes"), drug_code=drug_code, drug_name=drug_name))
    db.flush()


def drug_purchase(db: Session, id_number: str, purchased_at: str, drug_code: str) -> None:
    at = datetime.fromisoformat(purchased_at)
    db.add(m.DrugPurchaseRecord(batch_id=batch(db, "drug_purchases"), row_key=_key(), record_id=_key(),
                                id_number=id_number, name="患者", purchased_at=at, purchased_on=at.date(),
                                drug_code=drug_code))
    db.flush()
