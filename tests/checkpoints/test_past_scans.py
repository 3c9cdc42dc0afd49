"""`record_past_scans` (the demo's history): scans of the past stored in bulk keep the invariants of a scan and its
feedback — the point of the scanner's own unit, the scan's unit the point's, a pass reason of the settings, and the
体温结果 the temperature decides — and a batch with one bad scan stores nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from healthcode.checkpoints import repository
from healthcode.checkpoints.errors import InvalidPassReason
from healthcode.checkpoints.models import Scan
from healthcode.checkpoints.service import PastScan, add_point, record_past_scans
from healthcode.errors import Forbidden, InvalidTemperature
from tests.checkpoints.factories import GULOU, NOW, org, person, scanner

REASONS = ["工作", "生活"]


def _point(db: Session, n: int) -> tuple[int, int, int]:
    """(point id, scanner id, unit id) of a unit with one scanner at one point."""
    unit = org(db, n)
    found = repository.scanner_by_phone(db, scanner(db, unit.username, n))
    assert found is not None
    point = add_point(db, found, community="东街社区", name=f"大门{n}", address="东街1号", region_code=GULOU,
                      latitude=None, longitude=None, now=NOW)
    db.commit()
    return point.id, found.id, unit.org_id


def test_given_past_scans_then_they_are_stored_with_their_unit_feedback_and_decided_result(db: Session) -> None:
    point, who, unit = _point(db, 1)
    resident = person(db)
    stored = record_past_scans(db, [
        PastScan(who, point, resident.id, "green", "qr", NOW, "工作", 37.6),
        PastScan(who, point, resident.id, "orange", "number", NOW + timedelta(hours=1), "生活", 36.44),
        PastScan(who, point, resident.id, "green", "qr", NOW + timedelta(hours=2)),  # no feedback given
    ], REASONS)
    db.commit()
    rows = db.execute(select(Scan.org_id, Scan.temperature_result, Scan.temperature, Scan.feedback_at)
                      .order_by(Scan.at)).all()
    assert stored == 3 and [r.org_id for r in rows] == [unit] * 3
    assert [(r.temperature_result, r.temperature) for r in rows] == [("abnormal", 37.6), ("normal", 36.4),
                                                                      (None, None)]
    assert rows[0].feedback_at == NOW + timedelta(seconds=20) and rows[2].feedback_at is None


@pytest.mark.parametrize("bad", ["other_units_point", "reason", "temperature"])
def test_given_one_bad_past_scan_then_the_batch_is_refused(db: Session, bad: str) -> None:
    point, who, _ = _point(db, 1)
    other_point, _, _ = _point(db, 2)
    resident = person(db)
    good = PastScan(who, point, resident.id, "green", "qr", NOW, "工作", 36.5)
    wrong = {"other_units_point": PastScan(who, other_point, resident.id, "green", "qr", NOW, "工作", 36.5),
             "reason": PastScan(who, point, resident.id, "green", "qr", NOW, "旅游", 36.5),
             "temperature": PastScan(who, point, resident.id, "green", "qr", NOW, "工作", 48.0)}[bad]
    error = {"other_units_point": Forbidden, "reason": InvalidPassReason, "temperature": InvalidTemperature}[bad]
    with pytest.raises(error):
        record_past_scans(db, [good, wrong], REASONS)
    db.rollback()
    assert db.scalar(select(func.count()).select_from(Scan)) == 0
