"""The JSON of the organisations' API (GET /api/v1/org/scans, SPEC section 9, CONTRACT): a page of scan records,
the person masked."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from healthcode.common.masking import mask_id_number, mask_name
from healthcode.regions import divisions


def org_scan_page(rows: Sequence[Any], total: int, page: int, page_size: int) -> dict[str, object]:
    """One page of `service.org_scans`, with the paging: items, total, page, page_size, pages."""
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
