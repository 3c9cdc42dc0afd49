"""The health authority's 问责记录 page as a use case: a page of the ledger, newest first, filtered by kind and by an
exact ID number, with the chain's verdict and head hash. Reading one person's entries is a view of personal data and
is logged like every console view (orgs' DataAccess)."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from healthcode import clock
from healthcode.common.ids import InvalidIdNumber, normalize_id_number
from healthcode.common.masking import mask_id_number
from healthcode.history import repository as repo
from healthcode.ledger.chain import Verdict
from healthcode.ledger.kinds import FACT_LABELS, KIND_LABELS, kind_label
from healthcode.ledger.service import verify
from healthcode.orgs import audit_repository
from healthcode.orgs.audit_models import DataAccess
from healthcode.residents.repository import person_id_by_id_number
from healthcode.web.console import ConsoleUser

PAGE_SIZE = 20
# Up to this many entries the chain is verified on every view (about a second on a busy machine); a longer ledger is
# verified when the operator asks (核对哈希链), since the walk grows with every entry ever appended.
VERIFY_ON_VIEW = 5_000
PURPOSE = "查看问责记录"


@dataclass(frozen=True)
class AuditQuery:
    kind: str
    id_number: str  # normalised, or "" for everyone
    page: int


def parse(kind: str, id_number: str, page: int) -> tuple[AuditQuery, str | None]:
    """The query the filters ask for, and the Chinese error of a filter that cannot be used (then no filter)."""
    kind, wanted = kind.strip(), id_number.strip()
    if kind and kind not in KIND_LABELS:
        return AuditQuery("", "", 1), "未知的记录类别"
    if not wanted:
        return AuditQuery(kind, "", page), None
    try:
        return AuditQuery(kind, normalize_id_number(wanted[:40]), page), None
    except InvalidIdNumber as exc:
        return AuditQuery(kind, "", 1), f"身份证号有误：{exc}"


def ledger_view(session: Session, admin: ConsoleUser, query: AuditQuery, *, check: bool = False) -> dict[str, Any]:
    """The page's rows, pager and the chain's state (verified on every view of a short ledger, else when `check`);
    logs the view when it is one person's entries."""
    if query.id_number:
        audit_repository.add_access(session, DataAccess(
            account_id=admin.account_id, username=admin.username, org_id=admin.org_id, subject="person",
            person_id=person_id_by_id_number(session, query.id_number), purpose=PURPOSE, detail="ledger",
            at=clock.now()))
    rows, total = repo.ledger_page(session, query.kind or None, query.id_number or None,
                                   (query.page - 1) * PAGE_SIZE, PAGE_SIZE)
    pages = max(1, math.ceil(total / PAGE_SIZE))
    size, head = repo.ledger_size(session)
    chain = chain_state(verify(session)) if check or size <= VERIFY_ON_VIEW else \
        {"ok": None, "checked": 0, "size": size, "head": head, "broken_id": None, "problem": None, "anchor": None,
         "broken_anchor_at": None}
    return {"rows": [_row(r) for r in rows], "chain": chain,
            "kinds": KIND_LABELS,
            "result": {"page": query.page, "pages": pages, "total": total,
                       "page_numbers": _page_numbers(query.page, pages)}}


def chain_state(verdict: Verdict) -> dict[str, Any]:
    return {"ok": verdict.ok, "checked": verdict.checked, "size": verdict.checked, "head": verdict.head,
            "broken_id": verdict.broken.entry_id if verdict.broken else None,
            "problem": verdict.broken.problem if verdict.broken else None,
            "broken_anchor_at": verdict.broken.anchor_at if verdict.broken else None,
            "anchor": verdict.anchor}  # the purge's anchor the walk started from, None: from the first entry


def _row(entry: Any) -> dict[str, Any]:
    try:
        facts = json.loads(entry.body)
    except ValueError:
        facts = {}
    shown = facts.items() if isinstance(facts, dict) else [("", facts)]
    return {"id": entry.id, "at": entry.at, "kind": entry.kind, "kind_label": kind_label(entry.kind),
            "actor": entry.actor, "who": mask_id_number(entry.id_number) if entry.id_number else "—",
            "ref": f"{entry.ref_table} #{entry.ref_id}" if entry.ref_table else "—",
            "facts": [(FACT_LABELS.get(k, k), _short(v)) for k, v in shown], "hash": entry.hash}


def _short(value: Any) -> str:
    """A fact as the table shows it: digests cut to their first 12 characters (the full one is in the ledger)."""
    if value is None:
        return "—"
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return f"{text[:12]}…" if isinstance(value, str) and len(text) == 64 else text[:80]


def _page_numbers(page: int, pages: int) -> list[int]:
    first = max(1, min(page - 4, pages - 9))
    return list(range(first, min(pages, first + 9) + 1))
