"""The citizen portal (/citizen): sign-in entry, one-tap code (亮码), reasons (查看原因), family codes (为家人申领),
and GET /api/v1/me/code that the code page polls to refresh the code before it expires."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from healthcode import clock
from healthcode.citizen import portal, schemas
from healthcode.codes import cards
from healthcode.common.masking import mask_id_number, mask_name
from healthcode.config import AppSettings, app_settings
from healthcode.db import DbId, DbSession, in_transaction
from healthcode.identity.relyingparty import (
    MaybeResident,
    code_holder_by_id,
    require_session_cookie,
    resident_by_id,
    signed_in_person_id,
)
from healthcode.messages import service as messages
from healthcode.residents import family, home_region
from healthcode.web.forms import refusable
from healthcode.web.schemas import documented
from healthcode.web.templating import templates

router = APIRouter(prefix="/citizen", include_in_schema=False)
api_router = APIRouter(prefix="/api/v1/me", tags=["citizen"])
NO_STORE = {"Cache-Control": "no-store"}
FAMILY_DONE = {"requested": "已发送关联请求：需对方本人登录“八闽健康码”确认后，才能为其亮码"
                            "（14岁以下或70岁以上、与您同一户籍地址的家人除外）",
               "accept": "已确认，对方可以为您出示健康码", "refuse": "已拒绝该关联请求", "end": "已解除关联",
               "card_revoked": "纸质健康码已作废，扫码点将拒绝该卡"}


def _page(request: Request, template: str, context: dict[str, Any], status_code: int = 200) -> Response:
    return templates.TemplateResponse(
        request, template, {"mask_name": mask_name, "mask_id_number": mask_id_number, **context},
        status_code=status_code, headers=NO_STORE,
    )


def _to_home(request: Request) -> Response:
    return RedirectResponse(request.url_for("citizen_home"), status_code=303)


@router.get("/", name="citizen_home")
def home(request: Request, db: DbSession, person: MaybeResident) -> Response:
    context: dict[str, Any] = {"person": person}
    if person is not None:
        context["unread"] = messages.unread_count(db, person.id_number)  # shown next to 消息
    if person is not None and person.initial_region_code is None:
        context["regions"], context["default_region"] = home_region.region_choices(db, person)
    return _page(request, "citizen/home.html", context)


@router.post("/code", name="citizen_code_start")
def start_code(request: Request, db: DbSession, person: MaybeResident,
               region_code: Annotated[str, Form()] = "") -> Response:
    """The one tap of the home page: fixes the initial region (当前所在地区) at the first code, then shows the code."""
    if person is None:
        return _to_home(request)
    home_region.fix_initial_region(db, person, region_code or None)
    return RedirectResponse(request.url_for("citizen_code"), status_code=303)


@router.get("/code", name="citizen_code")
def code_page(request: Request, db: DbSession, person: MaybeResident, settings: AppSettings) -> Response:
    if person is None:
        return _to_home(request)
    view = portal.own_code(db, settings, person, clock.now())
    return _page(request, "citizen/code.html", {
        "view": view, "holder": person, "relation": None, "refresh_url": str(request.url_for("me_code")),
        "reasons_url": str(request.url_for("citizen_reasons")), "server_now_ms": _now_ms(),
    })


@router.get("/reasons", name="citizen_reasons")
def reasons_page(request: Request, db: DbSession, person: MaybeResident, settings: AppSettings,
                 member: DbId | None = None) -> Response:
    if person is None:
        return _to_home(request)
    holder, relation = person, None
    if member is not None:
        found = family.member(db, person, member, clock.now())
        holder, relation = found.person, found.relation
        family.record_view(db, person, holder, "reasons", clock.now())
    view = portal.reasons(db, settings, holder, clock.now())
    return _page(request, "citizen/reasons.html", {"view": view, "holder": holder, "relation": relation,
                                                   "today": clock.today()})


@router.get("/family", name="citizen_family")
def family_home(request: Request, db: DbSession, person: MaybeResident, done: str = "") -> Response:
    if person is None:
        return _to_home(request)
    return family_page(request, db, person, done=FAMILY_DONE.get(done))


def family_page(request: Request, db: DbSession, person: Any, error: str | None = None,
                form: dict[str, str] | None = None, status_code: int = 200, done: str | None = None) -> Response:
    members = family.members(db, person, clock.now())
    shown = [person.id, *(m.person.id for m in members if m.state == "active")]
    return _page(request, "citizen/family.html", {
        "cards": cards.states(db, shown, clock.now()),
        "person": person, "members": members, "relations": family.RELATIONS, "max_members": family.MAX_MEMBERS,
        "slots": sum(1 for m in members if m.state != "refused"), "applicants": family.applicants(db, person),
        "error": error, "form": form or {}, "done": done,
    }, status_code=status_code)


@router.post("/family", name="citizen_family_add")
def family_add(
    request: Request, db: DbSession, person: MaybeResident, settings: AppSettings,
    name: Annotated[str, Form()] = "", id_number: Annotated[str, Form()] = "", relation: Annotated[str, Form()] = "",
) -> Response:
    if person is None:
        return _to_home(request)
    with refusable(db) as refused:  # a refused request leaves nothing behind, while the page still renders
        added = family.add_member(db, settings, person, name=name, id_number=id_number, relation=relation,
                                  now=clock.now())
    if refused:
        form = {"name": name, "id_number": id_number, "relation": relation}
        return family_page(request, db, person, refused.message, form, status_code=refused.status_code)
    if added.state != "active":  # the relative confirms from his own sign-in first
        target = request.url_for("citizen_family").include_query_params(done="requested")
        return RedirectResponse(str(target), status_code=303)
    return RedirectResponse(request.url_for("citizen_member_code", member_id=added.person.id), status_code=303)


@router.post("/family/{member_id}/remove", name="citizen_family_remove")
def family_remove(request: Request, db: DbSession, person: MaybeResident, member_id: DbId) -> Response:
    if person is None:
        return _to_home(request)
    family.remove_member(db, person, member_id)
    return RedirectResponse(request.url_for("citizen_family"), status_code=303)


@router.post("/family/requests/{link_id}", name="citizen_family_decide")
def family_decide(request: Request, db: DbSession, person: MaybeResident, link_id: DbId,
                  action: Annotated[str, Form()] = "") -> Response:
    """The relative, signed in himself, confirms, refuses or ends a link naming him (only links naming him)."""
    if person is None:
        return _to_home(request)
    with refusable(db) as refused:
        family.decide(db, person, link_id, action, clock.now())
    if refused:
        return family_page(request, db, person, refused.message, status_code=refused.status_code)
    target = request.url_for("citizen_family").include_query_params(done=action)
    return RedirectResponse(str(target), status_code=303)


@router.get("/family/{member_id}/code", name="citizen_member_code")
def member_code_page(request: Request, db: DbSession, person: MaybeResident, settings: AppSettings,
                     member_id: DbId) -> Response:
    if person is None:
        return _to_home(request)
    found = family.member(db, person, member_id, clock.now())
    view = portal.member_code(db, settings, person, member_id, clock.now())
    refresh = request.url_for("me_code").include_query_params(member=member_id)
    reasons = request.url_for("citizen_reasons").include_query_params(member=member_id)
    return _page(request, "citizen/code.html", {
        "view": view, "holder": found.person, "relation": found.relation, "refresh_url": str(refresh),
        "reasons_url": str(reasons), "server_now_ms": _now_ms(),
    })


@api_router.get("/code", name="me_code", **documented(schemas.CodeOut, 401, 404, 422))
async def me_code(request: Request, member: DbId | None = None) -> Response:
    """A freshly issued code of the signed-in resident (or of one of their family members) for the code page: the
    page polls it before each code expires. The database work runs in one transaction (`in_transaction`); the answer
    carries the QR's text, and the phone draws the QR itself (static/citizen.js). The settings are read from the app
    rather than as a dependency: a dependency costs the refresh more than its code's signature (issue 13)."""
    require_session_cookie(request)
    settings = app_settings(request)

    def work(session: Session) -> portal.CodeView:
        person_id = signed_in_person_id(request, session)
        now = clock.now()
        if member is None:
            return portal.own_code(session, settings, code_holder_by_id(session, person_id), now)
        return portal.member_code(session, settings, resident_by_id(session, person_id), member, now)

    view = await in_transaction(request.app, work)
    body = view.as_json()
    return JSONResponse({**body, "server_now_ms": _now_ms()}, headers=NO_STORE)


def _now_ms() -> int:
    now = clock.now()
    return clock.epoch_seconds(now) * 1000 + now.microsecond // 1000
