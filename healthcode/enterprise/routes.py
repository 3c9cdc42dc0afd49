"""JSON API of the resident's own health reports and messages (/api/v1/me/...), for the app shell of 闽政通: the same
rules as the citizen pages, signed in with the same session."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from healthcode import clock
from healthcode.db import DbId, DbSession, PageNumber
from healthcode.enterprise import reports, schemas
from healthcode.enterprise.models import HealthReport
from healthcode.identity.relyingparty import CurrentResident
from healthcode.messages import service as messages
from healthcode.web.schemas import documented

router = APIRouter(prefix="/api/v1/me", tags=["citizen"])


class ReportIn(BaseModel):
    temperature: str = Field(description="体温（℃），如 36.5")
    symptoms: list[str] = Field(description="症状：发热、乏力、干咳、咽痛、腹泻、结膜充血，或 无")
    location_code: str = Field(description="当前所在县级行政区划代码")
    contact_risk: bool = False
    report_type: str = "日常上报"
    employer_uscc: str = ""


def report_json(report: HealthReport) -> dict[str, Any]:
    return {"id": report.id, "report_date": report.report_date.isoformat(),
            "reported_at": report.reported_at.isoformat(timespec="seconds"), "temperature": report.temperature,
            "symptoms": report.symptoms.split("、"), "location_code": report.location_code,
            "location_name": reports.location_name(report), "contact_risk": report.contact_risk,
            "report_type": report.report_type, "employer_uscc": report.employer_uscc,
            "corrections": report.corrections, "abnormal": reports.is_abnormal(report)}


@router.post("/reports", status_code=201, **documented(schemas.ReportSubmitted, 401, 422, status=201))
def submit(body: ReportIn, db: DbSession, person: CurrentResident) -> dict[str, Any]:
    done = reports.submit(db, person, reports.ReportInput(**body.model_dump()), clock.now())
    return {**report_json(done.report), "corrected": done.corrected}


@router.get("/reports", **documented(schemas.ReportHistory, 401, 422))
def history(db: DbSession, person: CurrentResident, page: PageNumber = 1) -> dict[str, Any]:
    items, total = reports.own_history(db, person, page=max(1, page))
    return {"items": [report_json(r) for r in items], "total": total, "page": max(1, page)}


@router.get("/messages", **documented(schemas.Inbox, 401))
def inbox(db: DbSession, person: CurrentResident) -> dict[str, Any]:
    items = messages.inbox(db, person.id_number)
    return {"unread": messages.unread_count(db, person.id_number), "items": [
        {"id": m.id, "title": m.title, "body": m.body, "sender": m.sender,
         "created_at": m.created_at.isoformat(timespec="seconds"), "read": m.read} for m in items]}


@router.post("/messages/{message_id}/read", **documented(schemas.MessageRead, 401, 404, 422))
def read(message_id: DbId, db: DbSession, person: CurrentResident) -> dict[str, Any]:
    item = messages.read(db, person.id_number, message_id, clock.now())
    return {"id": item.id, "read": True}
