"""Health-authority pages on region levels (疫情区等级): the regions above level 0, setting a county's level with
its history, and editing each level's policy headline and text (SPEC section 7)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from healthcode import clock
from healthcode.db import DbSession
from healthcode.errors import DomainError
from healthcode.regions import divisions, service
from healthcode.regions.errors import InvalidLevel
from healthcode.web.console import AuthorityAdmin, ConsoleUser, console_page, operator_labels

router = APIRouter(prefix="/gov/regions", include_in_schema=False)


def _render(request: Request, admin: ConsoleUser, session: DbSession, code: str = "", **extra: object) -> Response:
    in_force = service.levels_in_force(session)
    regions = [{"code": c, "name": divisions.short_name(c), "level": lv, "level_name": service.level_name(lv)}
               for c, lv in sorted(in_force.items(), key=lambda kv: (-kv[1], kv[0]))]
    history = []
    if code:
        try:
            history = service.history(session, code)
        except DomainError as exc:
            extra.setdefault("error", exc.message)
    status = int(extra.pop("status", 200))  # type: ignore[call-overload]
    return console_page(request, admin, "gov/regions.html", {
        "active": "regions", "regions": regions, "policies": service.policies(session),
        "level_names": service.LEVEL_NAMES, "code": code, "history": history,
        "history_name": divisions.short_name(code) if history else "",
        "who": operator_labels(request, session, (h.set_by for h in history)), **extra,
    }, status_code=status)


@router.get("", name="gov_regions")
def regions_page(request: Request, admin: AuthorityAdmin, session: DbSession, code: str = "") -> Response:
    return _render(request, admin, session, code.strip())


@router.post("/level", name="gov_region_set_level")
def set_level(request: Request, admin: AuthorityAdmin, session: DbSession, code: Annotated[str, Form()] = "",
              level: Annotated[str, Form()] = "") -> Response:
    try:
        if not level.strip().isdigit():
            raise InvalidLevel("请选择疫情区等级")
        done = service.set_level(session, code, int(level), admin.username, clock.now())
    except DomainError as exc:
        return _render(request, admin, session, code.strip(), error=exc.message, status=exc.status_code)
    return _render(request, admin, session, done.code,
                   flash=f"已将{done.region_name}设为{done.level_name}（{done.level}级）")


@router.post("/policy/{level}", name="gov_region_policy")
def set_policy(request: Request, level: int, admin: AuthorityAdmin, session: DbSession,
               headline: Annotated[str, Form()] = "", text: Annotated[str, Form()] = "") -> Response:
    try:
        policy = service.set_policy(session, level, headline, text, admin.username, clock.now())
    except DomainError as exc:
        return _render(request, admin, session, error=exc.message, status=exc.status_code)
    return _render(request, admin, session, flash=f"已更新{policy.level_name}的防控策略")
