"""Checkpoint API (SPEC section 8, CONTRACT): scan points, scans and their feedback, for authorised scanners."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from healthcode import clock
from healthcode.accounts.deps import Claims
from healthcode.checkpoints import id_check, onetrip, repository, schemas, service, views
from healthcode.checkpoints.deps import CurrentScanner, scanning_scanner
from healthcode.config import AppSettings
from healthcode.db import DbId, DbSession, in_transaction
from healthcode.web.schemas import documented

router = APIRouter(prefix="/api/v1/checkpoint", tags=["checkpoint"])


class PointIn(BaseModel):
    community: str = Field(max_length=100)
    name: str = Field(max_length=100)
    address: str = Field(max_length=300)
    region_code: str | int
    latitude: float | None = None
    longitude: float | None = None


class ScanIn(BaseModel):
    point_id: DbId
    code: str = Field(max_length=4096)


class IdCheckIn(BaseModel):
    point_id: DbId
    name: str = Field(max_length=100)
    id_number: str = Field(max_length=32)


class FeedbackIn(BaseModel):
    pass_reason: str
    temperature_result: str
    temperature: float | None = None


@router.get("/me", **documented(schemas.ScannerOut, 401, 403))
def me(scanner: CurrentScanner) -> dict[str, Any]:
    return views.scanner_json(scanner)


@router.get("/points", **documented(schemas.PointList, 401, 403))
def points(scanner: CurrentScanner, session: DbSession) -> dict[str, Any]:
    """The organisation's scan points, for choosing where to scan."""
    return {"items": [views.point_json(p) for p in repository.points_of_org(session, scanner.org_id)]}


@router.post("/points", status_code=201, **documented(schemas.PointOut, 401, 403, 422, status=201))
def add_point(body: PointIn, scanner: CurrentScanner, session: DbSession) -> dict[str, Any]:
    point = service.add_point(session, scanner, community=body.community, name=body.name, address=body.address,
                              region_code=str(body.region_code), latitude=body.latitude, longitude=body.longitude,
                              now=clock.now())
    return views.point_json(point)


@router.post("/scans", status_code=201,
             **documented(schemas.ScanResult, 401, 403, 404, 422, 429, status=201))
async def scan(body: ScanIn, claims: Claims, settings: AppSettings, request: Request) -> Any:
    """The morning rush's route: the caller must be an authorised scanner (`scanning_scanner`, checked inside the
    same transaction; on PostgreSQL inside the scan's one statement, `onetrip`), and everything runs in one
    worker-thread hop (`in_transaction`)."""

    def work(session: Session) -> Response:
        now = clock.now()
        # PostgreSQL: one statement checks, reads, computes and records; a refusal is decided by the steps below.
        result = onetrip.scan(session, claims, point_id=body.point_id, code=body.code, now=now, settings=settings)
        if result is None:
            scanner = scanning_scanner(session, claims, body.point_id)
            point = None
            if scanner.point_id is not None:
                point = repository.PointPlace(scanner.point_id, scanner.point_org_id, scanner.point_region_code)
            result = service.scan(session, scanner, point_id=body.point_id, code=body.code, now=now,
                                  settings=settings, point=point)
        # Plain JSON, already made of str/int/None: skip FastAPI's generic encoder on the hot path.
        return JSONResponse(result.as_json(), status_code=201)

    return await in_transaction(request.app, work)


@router.post("/id-checks", status_code=201,
             **documented(schemas.ScanResult, 401, 403, 404, 422, 429, status=201))
def id_check_route(body: IdCheckIn, scanner: CurrentScanner, session: DbSession, settings: AppSettings) -> Any:
    """刷身份证: a resident without a phone, checked by real name and ID number instead of a code (issue 16). The
    answer is a scan's with `via` "id_card"; refusals count against the scanner like refused number codes."""
    result = id_check.check(session, scanner, point_id=body.point_id, name=body.name, id_number=body.id_number,
                            now=clock.now(), settings=settings)
    return JSONResponse(result.as_json(), status_code=201)


@router.post("/scans/{scan_id}/feedback", **documented(schemas.FeedbackOut, 401, 403, 404, 422))
def feedback(scan_id: DbId, body: FeedbackIn, scanner: CurrentScanner, session: DbSession,
             settings: AppSettings) -> dict[str, Any]:
    record = service.feedback(session, scanner, scan_id, pass_reason=body.pass_reason,
                              temperature_result=body.temperature_result, temperature=body.temperature,
                              pass_reasons=list(settings.pass_reasons), now=clock.now())
    return views.feedback_json(record)
