"""The health authority's page on SMS delivery (短信投递): texts per delivery state, and the latest texts with a masked
phone, their state, tries, last error and times. No text is shown: a verification code's reads ****** anyway, and
what the authority needs is whether texts reach people, not what they say."""

from __future__ import annotations

import math
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from healthcode.common.masking import mask_phone
from healthcode.db import DbSession, PageNumber
from healthcode.messages import outbox
from healthcode.messages.models import SMS_STATES
from healthcode.web.console import AuthorityAdmin, console_page

router = APIRouter(prefix="/gov/sms", include_in_schema=False)
PAGE_SIZE = 50


@router.get("", name="gov_sms")
def deliveries(request: Request, admin: AuthorityAdmin, session: DbSession, status: str = "",
               page: Annotated[PageNumber, Query()] = 1) -> Response:
    chosen = status if status in SMS_STATES else ""
    rows, total = outbox.deliveries(session, chosen or None, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    pages = max(1, math.ceil(total / PAGE_SIZE))
    return console_page(request, admin, "gov/sms.html", {
        "active": "sms", "status": chosen, "counts": outbox.counts(session),
        "gateway": bool(request.app.state.settings.sms_gateway_url),
        "rows": [{"id": r.id, "phone": mask_phone(r.phone), "status": r.status, "attempts": r.attempts,
                  "last_error": r.last_error, "created_at": r.created_at, "next_attempt_at": r.next_attempt_at,
                  "delivered_at": r.delivered_at} for r in rows],
        "result": {"page": page, "pages": pages, "total": total, "page_numbers": list(range(1, min(pages, 10) + 1))},
    })
