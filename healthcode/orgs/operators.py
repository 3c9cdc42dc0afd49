"""操作人 as a page shows it. Who authorised a scanner, set a region's level, reset a password or exported is stored as
it was known at the time: a unit admin's username (its unit's USCC), `cli` or `demo` for the operator's commands, or
an enterprise operator's label (name and masked ID number). A page shows a reader's words instead: the unit's name
and role, or 系统（命令行）; the raw value stays in the row (docs/decisions.md, "操作人")."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from healthcode.orgs import repository as repo

USCC_LENGTH = 18
SYSTEM = {"cli": "系统（命令行）", "demo": "系统（演示数据）", "self": "本人申请"}


def labels(session: Session, values: Iterable[str | None]) -> dict[str, str]:
    """{stored value: what the page shows} for each value given (one query for the units among them)."""
    wanted = {v for v in values if v}
    names = repo.names_by_uscc(session, {v for v in wanted if len(v) == USCC_LENGTH})
    return {v: label(v, names) for v in wanted}


def label(value: str, unit_names: dict[str, str]) -> str:
    if value in SYSTEM:
        return SYSTEM[value]
    if value in unit_names:
        return f"{unit_names[value]}（管理员）"
    return value
