"""The resident's appeal pages (/citizen/appeals): from 查看原因 he contests one reason with a statement and an
optional photo or PDF, and reads his appeals with their state, deadline and the authority's answer."""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from healthcode import clock
from healthcode.appeals import service
from healthcode.common.masking import mask_name
from healthcode.config import AppSettings
from healthcode.db import DbSession
from healthcode.errors import DomainError
from healthcode.identity.relyingparty import MaybeResident
from healthcode.residents.models import Person
from healthcode.web.forms import refusable
from healthcode.web.templating import templates

router = APIRouter(prefix="/citizen/appeals", include_in_schema=False)
NO_STORE = {"Cache-Control": "no-store"}
log = logging.getLogger(__name__)


def _page(request: Request, template: str, context: dict[str, Any], status_code: int = 200) -> Response:
    return templates.TemplateResponse(request, template, {"mask_name": mask_name, **context},
                                      status_code=status_code, headers=NO_STORE)


def _to_home(request: Request) -> Response:
    return RedirectResponse(request.url_for("citizen_home"), status_code=303)


@router.get("", name="citizen_appeals")
def appeals_page(request: Request, db: DbSession, person: MaybeResident, settings: AppSettings,
                 done: str = "") -> Response:
    if person is None:
        return _to_home(request)
    now = clock.now()
    rows = [{"appeal": a, "title": service.rule_title(settings, a.rule),
             "overdue": a.state == "open" and now > a.due_at} for a in service.own_appeals(db, person.id_number)]
    return _page(request, "citizen/appeals.html", {"rows": rows, "done": done == "filed"})


def _form(request: Request, db: DbSession, settings: AppSettings, person: Person, rule: str,
          error: str | None = None, statement: str = "", status_code: int = 200) -> Response:
    try:
        reason = service.contestable(db, settings, person.id_number, rule, clock.now())
    except DomainError as exc:  # the reason no longer holds (or never did): say so, with no form
        return _page(request, "citizen/appeal_new.html", {"error": exc.message, "reason": None, "rule": rule},
                     status_code=exc.status_code)
    return _page(request, "citizen/appeal_new.html", {
        "reason": reason, "rule": rule, "title": service.rule_title(settings, rule), "error": error,
        "statement": statement, "max_chars": service.STATEMENT_MAX, "max_mb": settings.appeal_evidence_max_mb,
        "days": settings.appeal_decision_days,
    }, status_code=status_code)


@router.get("/new", name="citizen_appeal_new")
def new_appeal(request: Request, db: DbSession, person: MaybeResident, settings: AppSettings,
               rule: str = "") -> Response:
    if person is None:
        return _to_home(request)
    return _form(request, db, settings, person, rule)


@router.post("", name="citizen_appeal_file")
def file_appeal(request: Request, db: DbSession, person: MaybeResident, settings: AppSettings,
                rule: Annotated[str, Form()] = "", statement: Annotated[str, Form()] = "",
                evidence: Annotated[UploadFile | None, File()] = None) -> Response:
    if person is None:
        return _to_home(request)
    upload = evidence.file if evidence is not None and evidence.filename else None
    with refusable(db) as refused:
        service.file(db, settings, person.id_number, rule, statement, upload, clock.now())
    if refused:
        log.info("appeal refused: %s", refused.error.code if refused.error else "")
        return _form(request, db, settings, person, rule, refused.message, statement, refused.status_code)
    target = request.url_for("citizen_appeals").include_query_params(done="filed")
    return RedirectResponse(str(target), status_code=303)
