"""Plain factories for the code tests: residents, household rows and a case record (to make someone orange)."""

from __future__ import annotations

import itertools
from datetime import datetime

from sqlalchemy.orm import Session
from stdnum.cn.ric import calc_check_digit

from healthcode.feeds import models as feeds
from healthcode.residents.models import Person

NOW = datetime(2020, 2, 24, 9, 0)
_seq = itertools.count(1)


def id_number(n: int, area: str = "350102") -> str:
    body = f"{area}19900101{n:03d}"
    return body + calc_check_digit(body + "0")


def person(db: Session, n: int = 1, name: str = "李小明", region: str | None = "350102") -> Person:
    row = Person(id_number=id_number(n), name=name, initial_region_code=region, created_at=NOW)
    db.add(row)
    db.flush()
    return row


def _batch(db: Session, feed: str) -> int:
    row = feeds.Batch(feed=feed, status="applied", source="test", sha256=f"{next(_seq):064d}", created_at=NOW)
    db.add(row)
    db.flush()
    return row.id


def household(db: Session, number: str, name: str, county_code: str | None) -> None:
    db.add(feeds.HouseholdRecord(batch_id=_batch(db, "households"), id_number=number, name=name,
                                 address="福建省福州市鼓楼区软件园社区3号楼", region_code=county_code,
                                 county_code=county_code, address_norm="软件园社区3号楼"))
    db.flush()


def confirmed_case(db: Session, number: str, reported_at: datetime = NOW) -> None:
    db.add(feeds.CaseRecord(batch_id=_batch(db, "cases"), row_key=f"k{next(_seq)}", id_number=number, name="病例",
                            status="confirmed", reported_at=reported_at))
    db.flush()
