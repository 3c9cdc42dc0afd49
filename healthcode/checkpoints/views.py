"""The JSON of the scanner's API (SPEC section 8, docs/checkpoint-api.md) for scanners, points and feedback; the
scan's own answer is `service.ScanResult.as_json`."""

from __future__ import annotations

from typing import Any

from healthcode.checkpoints.models import Scan, Scanner, ScanPoint
from healthcode.checkpoints.service import iso_seconds
from healthcode.common.masking import mask_id_number
from healthcode.regions import divisions


def scanner_json(scanner: Scanner) -> dict[str, Any]:
    return {"id": scanner.id, "phone": scanner.phone, "name": scanner.name,
            "id_number_masked": mask_id_number(scanner.id_number), "status": scanner.status,
            "status_by": scanner.status_by, "status_at": iso_seconds(scanner.status_at),
            "created_at": iso_seconds(scanner.created_at)}


def point_json(point: ScanPoint) -> dict[str, Any]:
    return {"id": point.id, "community": point.community, "name": point.name, "address": point.address,
            "region_code": point.region_code, "region_name": divisions.short_name(point.region_code),
            "latitude": point.latitude, "longitude": point.longitude, "created_at": iso_seconds(point.created_at)}


def feedback_json(record: Scan) -> dict[str, Any]:
    return {"scan_id": record.id, "pass_reason": record.pass_reason, "temperature_result": record.temperature_result,
            "temperature": record.temperature, "feedback_at": iso_seconds(record.feedback_at)}
