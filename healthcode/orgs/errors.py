"""Errors of the organisation domain, with their Chinese messages."""

from __future__ import annotations

from healthcode.errors import Conflict, Invalid, NotFound


def invalid_uscc(reason: str) -> Invalid:
    return Invalid(f"统一社会信用代码无效：{reason}", code="invalid_uscc")


def duplicate_uscc(uscc: str, name: str) -> Conflict:
    return Conflict(f"统一社会信用代码 {uscc} 已登记为单位“{name}”", code="org_exists")


def unknown_org(uscc: str) -> NotFound:
    return NotFound(f"未找到统一社会信用代码为 {uscc} 的单位", code="org_not_found")


def unknown_parent(uscc: str) -> NotFound:
    return NotFound(f"上级单位（统一社会信用代码 {uscc}）不存在，请先创建上级单位", code="parent_not_found")
