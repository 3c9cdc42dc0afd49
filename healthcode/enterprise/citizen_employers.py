"""工作单位确认 on the citizen portal: the resident sees the enterprises that asked to add him as an employee, accepts
or refuses each, and ends a confirmed link (only his own requests; POSTs from the page, same-origin as every citizen
form)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from healthcode import clock
from healthcode.db import DbId, DbSession
from healthcode.enterprise import consent
from healthcode.enterprise.citizen_pages import _page, _to_home
from healthcode.identity.relyingparty import MaybeResident
from healthcode.residents.models import Person
from healthcode.web.forms import refusable

router = APIRouter(prefix="/citizen", include_in_schema=False)
DONE = {"accept": "已确认，该企业现在可以查看您的健康上报", "refuse": "已拒绝该企业的请求",
        "end": "已解除与该企业的关联，该企业不能再查看您的健康上报"}


def _employers_page(request: Request, db: DbSession, person: Person, *, done: str | None = None,
                    error: str | None = None, status_code: int = 200) -> Response:
    return _page(request, "citizen/employers.html", {
        "person": person, "items": consent.requests_of(db, person), "done": done, "error": error,
    }, status_code=status_code)


@router.get("/employers", name="citizen_employers")
def employers(request: Request, db: DbSession, person: MaybeResident, done: str = "") -> Response:
    if person is None:
        return _to_home(request)
    return _employers_page(request, db, person, done=DONE.get(done))


@router.post("/employers/{request_id}", name="citizen_employer_decide")
def decide(request: Request, db: DbSession, person: MaybeResident, request_id: DbId,
           action: Annotated[str, Form()] = "") -> Response:
    if person is None:
        return _to_home(request)
    with refusable(db) as refused:
        consent.decide(db, person, request_id, action, clock.now())
    if refused:
        return _employers_page(request, db, person, error=refused.message, status_code=refused.status_code)
    target = request.url_for("citizen_employers").include_query_params(done=action)
    return RedirectResponse(str(target), status_code=303)
