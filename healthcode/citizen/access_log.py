"""我的数据访问记录: the resident reads who accessed his data (unit, time, what kind, why), newest first."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from healthcode.citizen import access_repository as repository
from healthcode.common.masking import mask_name
from healthcode.residents.models import Person

PAGE_SIZE = 20
FAMILY_WHAT = {"code": "出示了您的健康码", "reasons": "查看了您的健康码原因", "card": "为您打印了纸质健康码",
               "card_revoked": "作废了您的纸质健康码"}


@dataclass(frozen=True)
class Access:
    at: datetime
    kind: str  # scan / id_card / view / report / family
    label: str  # 扫码查验 / 刷身份证核验 / 单位查看 / 企业查看健康上报 / 家人代为出示
    who: str  # the unit's name, or the relative's masked name
    detail: str


@dataclass(frozen=True)
class AccessPage:
    items: list[Access]
    total: int
    page: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / PAGE_SIZE))


def page_of(session: Session, person: Person, page: int) -> AccessPage:
    total = repository.count_accesses(session, person.id)
    page = min(max(1, page), max(1, math.ceil(total / PAGE_SIZE)))
    rows = repository.accesses(session, person.id, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE)
    return AccessPage([_entry(r) for r in rows], total, page)


def _entry(r: Any) -> Access:
    if r.kind == "scan":
        return Access(r.at, "scan", "扫码查验", r.unit, f"扫码点：{r.a} {r.b}")
    if r.kind == "id_card":  # checked by name and ID number instead of a code (issue 16)
        return Access(r.at, "id_card", "刷身份证核验", r.unit, f"核验点：{r.a} {r.b}")
    if r.kind == "family":
        relation = f"（{r.b}）" if r.b else ""
        return Access(r.at, "family", "家人代为出示", mask_name(r.unit) + relation, FAMILY_WHAT.get(r.a, r.a))
    if r.unit_kind == "enterprise":  # the purpose says what: 查看健康上报详情, 批量导出员工健康上报数据 …
        return Access(r.at, "report", "企业查看健康上报", r.unit, r.a)
    return Access(r.at, "view", "单位查看", r.unit, f"查看目的：{r.a}")
