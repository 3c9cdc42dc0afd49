"""The residents' side of the enterprise domain on the citizen portal: the daily health report form (健康上报), its
history, and the message inbox (站内消息, where 提醒上报 arrives)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from healthcode import clock
from healthcode.common.masking import mask_id_number, mask_name
from healthcode.db import DbId, DbSession, PageNumber
from healthcode.enterprise import consent, reports
from healthcode.enterprise.models import NO_SYMPTOM, REPORT_TYPES, SYMPTOMS
from healthcode.identity.relyingparty import MaybeResident
from healthcode.messages import service as messages
from healthcode.residents import home_region
from healthcode.residents.models import Person
from healthcode.web.forms import refusable
from healthcode.web.templating import templates

router = APIRouter(prefix="/citizen", include_in_schema=False)
NO_STORE = {"Cache-Control": "no-store"}


def _page(request: Request, template: str, context: dict[str, Any], status_code: int = 200) -> Response:
    return templates.TemplateResponse(
        request, template, {"mask_name": mask_name, "mask_id_number": mask_id_number,
                            "location_name": reports.location_name, "is_abnormal": reports.is_abnormal, **context},
        status_code=status_code, headers=NO_STORE,
    )


def _to_home(request: Request) -> Response:
    return RedirectResponse(request.url_for("citizen_home"), status_code=303)


def _form_page(request: Request, db: DbSession, person: Person, *, form: dict[str, Any] | None = None,
               error: str | None = None, status_code: int = 200, saved: bool = False) -> Response:
    now = clock.now()
    current = reports.today_report(db, person, now)
    choices, home = home_region.region_choices(db, person)
    if form is None:
        last = current or next(iter(reports.own_history(db, person, page=1, page_size=1)[0]), None)
        form = {"temperature": f"{current.temperature:.1f}" if current else "",
                "symptoms": current.symptoms.split("、") if current else [],
                "location_code": last.location_code if last else (person.initial_region_code or home or ""),
                "contact_risk": bool(current and current.contact_risk),
                "report_type": current.report_type if current else REPORT_TYPES[0],
                "employer_uscc": reports.prefill_employer(db, person, last)}
    return _page(request, "citizen/report.html", {
        "person": person, "current": current, "form": form, "error": error, "saved": saved, "regions": choices,
        "symptoms": SYMPTOMS, "no_symptom": NO_SYMPTOM, "report_types": REPORT_TYPES, "today": now.date(),
        "unread": messages.unread_count(db, person.id_number),
        "pending_employers": consent.pending_count(db, person),
    }, status_code=status_code)


@router.get("/report", name="citizen_report")
def report_form(request: Request, db: DbSession, person: MaybeResident, saved: int = 0) -> Response:
    if person is None:
        return _to_home(request)
    return _form_page(request, db, person, saved=bool(saved))


@router.post("/report", name="citizen_report_submit")
def report_submit(
    request: Request, db: DbSession, person: MaybeResident,
    temperature: Annotated[str, Form()] = "", symptoms: Annotated[list[str] | None, Form()] = None,
    location_code: Annotated[str, Form()] = "", contact_risk: Annotated[str, Form()] = "",
    report_type: Annotated[str, Form()] = "", employer_uscc: Annotated[str, Form()] = "",
) -> Response:
    if person is None:
        return _to_home(request)
    data = reports.ReportInput(temperature, symptoms or [], location_code, contact_risk in ("1", "true", "是"),
                               report_type, employer_uscc)
    with refusable(db) as refused:  # a refused report changes nothing, while the form still renders
        reports.submit(db, person, data, clock.now())
    if refused:
        form = {"temperature": temperature, "symptoms": symptoms or [], "location_code": location_code,
                "contact_risk": data.contact_risk, "report_type": report_type, "employer_uscc": employer_uscc}
        return _form_page(request, db, person, form=form, error=refused.message, status_code=refused.status_code)
    return RedirectResponse(str(request.url_for("citizen_report").include_query_params(saved=1)), status_code=303)


@router.get("/report/history", name="citizen_report_history")
def report_history(request: Request, db: DbSession, person: MaybeResident, page: PageNumber = 1) -> Response:
    if person is None:
        return _to_home(request)
    page = max(1, page)
    items, total = reports.own_history(db, person, page=page)
    return _page(request, "citizen/report_history.html", {"person": person, "items": items, "total": total,
                                                          "page": page, "pages": max(1, -(-total // 20))})


@router.get("/inbox", name="citizen_inbox")
def inbox(request: Request, db: DbSession, person: MaybeResident) -> Response:
    if person is None:
        return _to_home(request)
    return _page(request, "citizen/inbox.html", {"person": person, "items": messages.inbox(db, person.id_number)})


@router.get("/inbox/{message_id}", name="citizen_message")
def message(request: Request, db: DbSession, person: MaybeResident, message_id: DbId) -> Response:
    if person is None:
        return _to_home(request)
    item = messages.read(db, person.id_number, message_id, clock.now())
    return _page(request, "citizen/inbox_message.html", {"person": person, "item": item})


@router.post("/inbox/read-all", name="citizen_inbox_read_all")
def read_all(request: Request, db: DbSession, person: MaybeResident) -> Response:
    if person is None:
        return _to_home(request)
    messages.mark_all_read(db, person.id_number, clock.now())
    return RedirectResponse(request.url_for("citizen_inbox"), status_code=303)
