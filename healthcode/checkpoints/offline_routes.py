"""POST /api/v1/checkpoint/offline-scans: the scanner page uploads the scans it verified offline (idempotent on
the page's `client_scan_id`; see docs/checkpoint-api.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from healthcode import clock
from healthcode.checkpoints import offline, schemas
from healthcode.checkpoints.deps import CurrentScanner
from healthcode.config import AppSettings, Settings
from healthcode.db import DbId, DbSession
from healthcode.web.schemas import documented

router = APIRouter(prefix="/api/v1/checkpoint", tags=["checkpoint"])
OFFLINE_ANSWERS = documented(schemas.OfflineScanResult, 401, 403, 404, 422, 429, status=201, description="已记录")
OFFLINE_ANSWERS["responses"][200] = {"model": schemas.OfflineScanResult, "description": "此前已上传过，未重复记录"}


class OfflineScanIn(BaseModel):
    client_scan_id: str = Field(max_length=64)
    point_id: DbId
    code: str = Field(max_length=4096)
    scanned_at: datetime
    # The feedback given offline, if any (反馈结果), applied with the scan.
    pass_reason: str | None = None
    temperature_result: str | None = None
    temperature: float | None = None


@router.post("/offline-scans", **OFFLINE_ANSWERS)
def offline_scan(body: OfflineScanIn, scanner: CurrentScanner, session: DbSession, settings: AppSettings) -> Any:
    """201 with the scan (as POST /scans) when recorded now; 200 with `duplicate: true` when it already was."""
    uploaded = offline.upload(session, scanner, client_scan_id=body.client_scan_id, point_id=body.point_id,
                              code=body.code, scanned_at=body.scanned_at, now=clock.now(), settings=settings,
                              feedback=_feedback(body, settings))
    return JSONResponse(uploaded.as_json(), status_code=200 if uploaded.duplicate else 201)


def _feedback(body: OfflineScanIn, settings: Settings) -> offline.Feedback | None:
    if not body.pass_reason and not body.temperature_result:
        return None
    return offline.Feedback(body.pass_reason or "", body.temperature_result or "", body.temperature,
                            list(settings.pass_reasons))
