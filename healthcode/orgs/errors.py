"""Errors of the organisation domain, with their Chinese messages."""

from __future__ import annotations

from healthcode.errors import Conflict, Forbidden, Invalid, NotFound


def invalid_uscc(reason: str) -> Invalid:
    return Invalid(f"统一社会信用代码无效：{reason}", code="invalid_uscc")


def duplicate_uscc(uscc: str, name: str) -> Conflict:
    return Conflict(f"统一社会信用代码 {uscc} 已登记为单位“{name}”", code="org_exists")


def unknown_org(uscc: str) -> NotFound:
    return NotFound(f"未找到统一社会信用代码为 {uscc} 的单位", code="org_not_found")


def unknown_parent(uscc: str) -> NotFound:
    return NotFound(f"上级单位（统一社会信用代码 {uscc}）不存在，请先创建上级单位", code="parent_not_found")


class PendingVerification(Forbidden):
    """A self-registered enterprise whose legal representative has not verified the registration yet: the console
    answers every page but the verification step with this (a page of its own: enterprise/pages_verify.py)."""

    code = "pending_verification"


def pending_verification() -> PendingVerification:
    return PendingVerification("本企业注册尚未完成验证：请由法定代表人通过实名认证（L4）或法人手机短信验证码"
                               "完成验证后，再使用企业后台的其他功能")
