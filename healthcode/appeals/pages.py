"""The health authority's appeal pages (申诉处理, gated like 疫情区等级 by `authority_usccs`): the list with each
deadline, one appeal with the resident's statement, his evidence and the contested reason's source records, and the
final decision. The evidence file answers the authority only (another unit: 404, as if there were none)."""

from __future__ import annotations

import math
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import FileResponse, RedirectResponse, Response

from healthcode import clock
from healthcode.appeals import evidence, service
from healthcode.appeals.errors import AppealNotFound
from healthcode.appeals.models import STATES, Appeal
from healthcode.common.masking import mask_id_number, mask_name
from healthcode.config import AppSettings
from healthcode.db import DbId, DbSession, PageNumber
from healthcode.web.console import AuthorityAdmin, ConsoleAdmin, ConsoleUser, console_page, operator_labels
from healthcode.web.forms import refusable

router = APIRouter(prefix="/gov/appeals", include_in_schema=False)
PAGE_SIZE = 20


@router.get("", name="gov_appeals")
def appeals_page(request: Request, admin: AuthorityAdmin, session: DbSession, settings: AppSettings,
                 state: str = "", page: Annotated[PageNumber, Query()] = 1) -> Response:
    chosen = state if state in STATES else ""
    rows, total = service.listing(session, chosen or None, page, PAGE_SIZE)
    pages = max(1, math.ceil(total / PAGE_SIZE))
    now = clock.now()
    return console_page(request, admin, "gov/appeals.html", {
        "active": "appeals", "state": chosen, "now": now,
        "rows": [{"appeal": a, "title": service.rule_title(settings, a.rule), "who": mask_id_number(a.id_number),
                  "overdue": a.state == "open" and now > a.due_at} for a in rows],
        "result": {"page": page, "pages": pages, "total": total, "page_numbers": list(range(1, min(pages, 10) + 1))},
    })


def _detail(request: Request, admin: ConsoleUser, session: DbSession, settings: AppSettings, found: Appeal,
            error: str | None = None, status_code: int = 200, flash: str | None = None) -> Response:
    now = clock.now()
    person = service.resident(session, found.id_number)
    records = service.sources(session, settings, found, now) if found.state == "open" else []
    corrections = service.corrections_of(session, found.id)
    service.log_view(session, account_id=admin.account_id, username=admin.username, org_id=admin.org_id,
                     found=found, what="查看", now=now)
    return console_page(request, admin, "gov/appeal_detail.html", {
        "active": "appeals", "appeal": found, "title": service.rule_title(settings, found.rule),
        "name": mask_name(person.name) if person is not None else "—", "who": mask_id_number(found.id_number),
        "overdue": found.state == "open" and now > found.due_at, "records": records,
        "token": service.record_token, "corrections": corrections, "error": error, "flash": flash,
        "decided_by": operator_labels(request, session, [found.decided_by]).get(found.decided_by or "", ""),
    }, status_code=status_code)


@router.get("/{appeal_id}", name="gov_appeal")
def appeal_page(request: Request, appeal_id: DbId, admin: AuthorityAdmin, session: DbSession,
                settings: AppSettings, done: str = "") -> Response:
    flash = {"upheld": "已支持申诉：相关数据已更正，已通知申诉人", "rejected": "已驳回申诉，已通知申诉人"}.get(done)
    return _detail(request, admin, session, settings, service.appeal(session, appeal_id), flash=flash)


@router.post("/{appeal_id}/decide", name="gov_appeal_decide")
def decide(request: Request, appeal_id: DbId, admin: AuthorityAdmin, session: DbSession, settings: AppSettings,
           outcome: Annotated[str, Form()] = "", reason: Annotated[str, Form()] = "",
           records: Annotated[list[str] | None, Form()] = None) -> Response:
    found = service.appeal(session, appeal_id)
    with refusable(session) as refused:
        service.decide(session, settings, appeal_id, outcome=outcome, reason=reason, chosen=records or [],
                       operator=admin.username, actor=f"{admin.org_name}（管理员）", now=clock.now())
    if refused:
        return _detail(request, admin, session, settings, found, refused.message, refused.status_code)
    target = request.url_for("gov_appeal", appeal_id=appeal_id).include_query_params(done=outcome)
    return RedirectResponse(str(target), status_code=303)


@router.get("/{appeal_id}/evidence", name="gov_appeal_evidence")
def evidence_file(request: Request, appeal_id: DbId, admin: ConsoleAdmin, session: DbSession,
                  settings: AppSettings, download: bool = False) -> Response:
    """The evidence, to view in the browser or (download=1) to save. Anyone but the authority: 404."""
    if not admin.is_authority:
        raise AppealNotFound()
    found = service.appeal(session, appeal_id)
    if not found.evidence_file or not found.evidence_type:
        raise AppealNotFound("该申诉没有证明材料")
    path = evidence.path_of(settings.data_dir, found.evidence_file)
    if not path.is_file():
        raise AppealNotFound("证明材料已删除")
    service.log_view(session, account_id=admin.account_id, username=admin.username, org_id=admin.org_id,
                     found=found, what="下载证明材料" if download else "查看证明材料", now=clock.now())
    name = f"appeal-{found.id}{evidence.SUFFIX[found.evidence_type]}"
    return FileResponse(path, media_type=found.evidence_type, filename=name,
                        content_disposition_type="attachment" if download else "inline",
                        headers={"Cache-Control": "no-store"})
