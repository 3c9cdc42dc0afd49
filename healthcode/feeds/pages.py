"""Health-authority pages on the feeds: the fever-drug code list (退烧药编码) and the feed status board (数据源状态),
where a feed whose last applied batch is older than its promised frequency shows red."""

from __future__ import annotations

import json
import math
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from healthcode import clock
from healthcode.db import DbSession, PageNumber
from healthcode.feeds import board_repository as repo
from healthcode.feeds.definitions import FEEDS
from healthcode.web.console import AuthorityAdmin, console_page

router = APIRouter(prefix="/gov/feeds", include_in_schema=False)
PAGE_SIZE = 50


@router.get("/fever-drugs", name="gov_fever_drugs")
def fever_drugs(request: Request, admin: AuthorityAdmin, session: DbSession, q: str = "",
                page: Annotated[PageNumber, Query()] = 1) -> Response:
    search = q.strip()[:64]
    rows, total = repo.fever_drug_codes(session, search, (page - 1) * PAGE_SIZE, PAGE_SIZE)
    pages = max(1, math.ceil(total / PAGE_SIZE))
    batch = repo.latest_applied(session).get("fever_drug_codes")
    return console_page(request, admin, "gov/fever_drugs.html", {
        "active": "fever_drugs", "rows": rows, "q": search, "batch": batch,
        "result": {"page": page, "pages": pages, "total": total, "page_numbers": list(range(1, min(pages, 10) + 1))},
    })


@router.get("/status", name="gov_feed_status")
def status(request: Request, admin: AuthorityAdmin, session: DbSession) -> Response:
    return console_page(request, admin, "gov/feed_status.html", {"active": "feeds", "feeds": board(session)})


def board(session: DbSession) -> list[dict[str, Any]]:
    """One line per feed: its last batch, the last applied one, its age and whether it is overdue."""
    now = clock.now()
    latest, applied = repo.latest_batches(session), repo.latest_applied(session)
    lines = []
    for name, feed in FEEDS.items():
        last, ok = latest.get(name), applied.get(name)
        age_hours = (now - ok.created_at).total_seconds() / 3600 if ok else None
        lines.append({
            "name": name, "label": feed.label, "mode": "全量" if feed.mode == "snapshot" else "增量",
            "frequency_hours": feed.frequency_hours, "last": last, "applied": ok,
            "age": _age(age_hours), "stale": age_hours is None or age_hours > feed.frequency_hours,
            "errors": _errors(last.errors if last else None),
        })
    return lines


def _age(hours: float | None) -> str:
    if hours is None:
        return "从未送达"
    if hours < 1:
        return f"{int(hours * 60)}分钟前"
    if hours < 48:
        return f"{hours:.1f}小时前"
    return f"{hours / 24:.1f}天前"


def _errors(text: str | None) -> list[str]:
    if not text:
        return []
    try:
        items = json.loads(text)
    except ValueError:
        return [text[:200]]
    if not isinstance(items, list):
        return [str(items)[:200]]
    return [f"第{e.get('line')}行 {e.get('column')}：{e.get('reason')}" if isinstance(e, dict) else str(e)
            for e in items[:5]]
