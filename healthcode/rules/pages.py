"""The health authority's page on rule sets (赋码规则): the shipped sets and their rules, the one in force and the
history of switches, the what-if of a candidate against the set in force (the figures of `healthcode rules
what-if`), and the switch itself, confirmed, logged and stored (rules/in_force.py)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from healthcode import clock
from healthcode.db import DbSession
from healthcode.errors import DomainError, Invalid
from healthcode.rules import in_force
from healthcode.rules.ruleset import RULE_SETS, get_rule_set
from healthcode.rules.what_if import what_if
from healthcode.web.console import AuthorityAdmin, ConsoleUser, console_page, operator_labels

router = APIRouter(prefix="/gov/rules", include_in_schema=False)


def _render(request: Request, admin: ConsoleUser, session: DbSession, preview: str = "", **extra: Any) -> Response:
    settings = request.app.state.settings
    current = in_force.in_force_id(session, settings)
    figures = None
    if preview:
        try:
            candidate = get_rule_set(preview)
            figures = what_if(session, settings, candidate, clock.today(), read_only=False)
        except DomainError as exc:
            extra.setdefault("error", exc.message)
            extra.setdefault("status", exc.status_code)
    history = in_force.history(session)
    status = int(extra.pop("status", 200))
    return console_page(request, admin, "gov/rules.html", {
        "active": "rules", "rule_sets": list(RULE_SETS.values()), "current": current, "default": settings.rule_set,
        "preview": preview if figures else "", "figures": figures, "result": figures.as_json() if figures else None,
        "history": history, "who": operator_labels(request, session, (h.switched_by for h in history)),
        "ttl": int(in_force.IN_FORCE_TTL_SECONDS), **extra,
    }, status_code=status)


@router.get("", name="gov_rules")
def rules_page(request: Request, admin: AuthorityAdmin, session: DbSession, preview: str = "") -> Response:
    return _render(request, admin, session, preview.strip()[:64])


@router.post("/switch", name="gov_rules_switch")
def switch(request: Request, admin: AuthorityAdmin, session: DbSession, rule_set: Annotated[str, Form()] = "",
           confirm: Annotated[str, Form()] = "") -> Response:
    settings = request.app.state.settings
    chosen = rule_set.strip()[:64]
    try:
        candidate = get_rule_set(chosen)
        if confirm != "yes":
            raise Invalid("请先查看影响预览并勾选确认后再切换")
        figures = what_if(session, settings, candidate, clock.today(), read_only=False)
        done = in_force.switch(session, settings, candidate.id, operator=admin.username, org_id=admin.org_id,
                               now=clock.now(), preview=figures.as_json())
    except DomainError as exc:
        return _render(request, admin, session, chosen if chosen in RULE_SETS else "", error=exc.message,
                       status=exc.status_code)
    return _render(request, admin, session,
                   flash=f"已将现行赋码规则由 {done.previous} 切换为 {done.rule_set}（{candidate.name}）")
