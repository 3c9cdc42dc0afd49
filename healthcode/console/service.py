"""The scan records of the organisations' JSON API (GET /api/org/scans): one page of the scans at the unit's own
points, newest first, filtered by time and point (its JSON: views.py)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time
from typing import Any

from sqlalchemy.orm import Session

from healthcode import clock
from healthcode.checkpoints import repository as checkpoints
from healthcode.checkpoints.models import Scanner
from healthcode.errors import InvalidDate


def org_scans(session: Session, org_id: int, *, start: str | None, end: str | None, point_id: int | None,
              page: int, page_size: int) -> tuple[Sequence[Any], int]:
    """The scans at the organisation's own points, newest first, one page of them, and how many there are in all."""
    since = _moment(start, end_of_day=False, field="from")
    until = _moment(end, end_of_day=True, field="to")
    return checkpoints.org_scans(session, org_id, since=since, until=until, point_id=point_id,
                                 offset=(page - 1) * page_size, limit=page_size)


def _moment(value: str | None, *, end_of_day: bool, field: str) -> datetime | None:
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            return datetime.combine(day, time.max if end_of_day else time.min)
        return clock.to_local(datetime.fromisoformat(text))
    except ValueError:
        raise InvalidDate(f"查询时间 {field} 格式应为 YYYY-MM-DD 或 YYYY-MM-DDTHH:MM:SS") from None


def scanners(session: Session, org_id: int) -> list[Scanner]:
    """The unit's scanners in the order they registered (GET /api/v1/org/scanners)."""
    return checkpoints.scanners_of_org(session, org_id)
