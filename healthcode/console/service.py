"""The scan records of the organisations' JSON API (GET /api/org/scans): one page of the scans at the unit's own
points, newest first, filtered by time and point."""

from __future__ import annotations

import math
from datetime import date, datetime, time

from sqlalchemy.orm import Session

from healthcode import clock
from healthcode.checkpoints import repository as checkpoints
from healthcode.common.masking import mask_id_number, mask_name
from healthcode.errors import InvalidDate
from healthcode.regions import divisions


def org_scans(session: Session, org_id: int, *, start: str | None, end: str | None, point_id: int | None,
              page: int, page_size: int) -> dict[str, object]:
    """The scans at the organisation's own points, newest first, one page of them."""
    since = _moment(start, end_of_day=False, field="from")
    until = _moment(end, end_of_day=True, field="to")
    rows, total = checkpoints.org_scans(session, org_id, since=since, until=until, point_id=point_id,
                                        offset=(page - 1) * page_size, limit=page_size)
    items = [{
        "id": r.id, "scan_id": r.id, "at": r.at.isoformat(timespec="seconds"),
        "point_id": r.point_id, "point_name": r.point_name, "community": r.community,
        "name_masked": mask_name(r.person_name), "id_number_masked": mask_id_number(r.id_number),
        "color": r.color, "via": r.via, "pass_reason": r.pass_reason, "temperature_result": r.temperature_result,
        "temperature": r.temperature, "scanner_id": r.scanner_id, "scanner_name": r.scanner_name,
        "region_code": r.region_code, "region_name": divisions.short_name(r.region_code),
    } for r in rows]
    return {"items": items, "total": total, "page": page, "page_size": page_size,
            "pages": math.ceil(total / page_size)}


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
