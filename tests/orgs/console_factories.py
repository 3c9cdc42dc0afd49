"""Factories of the console tests: a small province of units with points, scanners, residents and scans inserted
directly (the scan path has its own tests), and signing in to the console."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from healthcode.checkpoints.models import Scan, ScanPoint
from healthcode.checkpoints.repository import scanner_by_phone
from healthcode.orgs.service import Created
from healthcode.residents.models import Person
from tests.checkpoints.factories import NOW, id_number, org, scanner

__all__ = ["NOW", "Unit", "login", "unit", "add_scans"]


@dataclass
class Unit:
    created: Created
    name: str
    point_ids: list[int] = field(default_factory=list)
    scanner_ids: list[int] = field(default_factory=list)
    person_ids: list[int] = field(default_factory=list)
    scan_ids: list[int] = field(default_factory=list)

    @property
    def org_id(self) -> int:
        return self.created.org_id


def unit(db: Session, n: int, name: str, *, parent: Unit | None = None, scanner_name: str = "李强",
         person_name: str = "王小五", kind: str = "government", delivered: bool = True) -> Unit:
    """A unit with two points, one authorised scanner and one pending, and one resident seen there."""
    created = org(db, n, name=name, kind=kind, parent_uscc=parent.created.username if parent else None,
                  delivered=delivered)
    u = Unit(created, name)
    for i, point in enumerate(("东大街西角", "西大街西角")):
        row = ScanPoint(org_id=created.org_id, community=f"{name}社区", name=point, address="福州市鼓楼区软件大道89号",
                        region_code="350102", created_at=NOW)
        db.add(row)
        db.flush()
        u.point_ids.append(row.id)
        del i
    for k, authorise in ((1, True), (2, False)):
        phone = scanner(db, created.username, n * 10 + k, authorise=authorise, name=scanner_name if k == 1 else "赵六")
        s = scanner_by_phone(db, phone)
        assert s is not None
        u.scanner_ids.append(s.id)
    resident = Person(id_number=id_number(n * 10 + 1), name=person_name, phone="13912345678",
                      initial_region_code="350102", created_at=NOW)
    db.add(resident)
    db.commit()
    u.person_ids.append(resident.id)
    return u


def add_scans(db: Session, u: Unit, count: int, *, start: datetime = NOW, step: timedelta = timedelta(minutes=7),
              orange_every: int = 0, abnormal_every: int = 0, **overrides: Any) -> list[int]:
    """`count` scans of the unit's resident, alternating between its two points, `step` apart from `start`."""
    ids = []
    for i in range(count):
        orange = bool(orange_every) and i % orange_every == 0
        abnormal = bool(abnormal_every) and i % abnormal_every == 0
        row = Scan(scanner_id=u.scanner_ids[0], point_id=u.point_ids[i % 2], org_id=u.org_id,
                   person_id=u.person_ids[0], color="orange" if orange else "green", via="qr",
                   at=start + step * i, pass_reason="工作", temperature_result="abnormal" if abnormal else "normal",
                   temperature=37.9 if abnormal else 36.5, feedback_at=start + step * i)
        for key, value in overrides.items():
            setattr(row, key, value)
        db.add(row)
        db.flush()
        ids.append(row.id)
    db.commit()
    u.scan_ids.extend(ids)
    return ids


def login(client: Any, username: str, password: str) -> Any:
    """Signs the client in to the console; returns the response (a redirect on success)."""
    return client.post("/gov/login", data={"username": username, "password": password}, follow_redirects=False)


def authority(db: Session, monkeypatch: Any) -> Unit:
    """The health authority's unit (疫情防控指挥部), named in the environment a command reads
    (HEALTHCODE_AUTHORITY_USCCS)."""
    import json

    from healthcode.config import get_settings

    hq = unit(db, 1, "省疫情防控指挥部")
    monkeypatch.setenv("HEALTHCODE_AUTHORITY_USCCS", json.dumps([hq.created.username]))
    get_settings.cache_clear()
    return hq
