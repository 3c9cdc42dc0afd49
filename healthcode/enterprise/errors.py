"""Errors of the enterprise domain, with their Chinese messages."""

from __future__ import annotations

from healthcode.errors import Conflict, Forbidden, Invalid, NotFound


def not_enterprise() -> Forbidden:
    return Forbidden("该账号不是企业账号，无法进入企业后台", code="not_enterprise")


def employee_not_found() -> NotFound:
    return NotFound("员工不存在或不属于本企业", code="employee_not_found")


def report_not_found() -> NotFound:
    return NotFound("上报记录不存在或无权查看", code="report_not_found")


def duplicate_employee(id_number: str) -> Conflict:
    return Conflict(f"身份证号 {id_number[:2]}*****{id_number[-3:]} 的员工已存在", code="employee_exists")


def request_exists(id_number: str) -> Conflict:
    return Conflict(f"已向身份证号 {id_number[:2]}*****{id_number[-3:]} 的居民发送过员工确认请求；"
                    "需由本人在“八闽健康码”中确认，或在健康上报中填写本企业的统一社会信用代码", code="request_exists")


def request_not_found() -> NotFound:
    return NotFound("没有找到该员工确认请求", code="request_not_found")


def invalid(message: str, code: str = "invalid") -> Invalid:
    return Invalid(message, code=code)
