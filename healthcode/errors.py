"""Domain errors: each carries its HTTP status, a stable error code and a Chinese message for the user.

Errors are declared one way. An error that has a code of its own is a class: a subclass of one of the kinds below
(the kind gives the HTTP status; `DomainError` itself is the 400 one), with its `code` (part of the API's contract:
clients and tests read it) and its default `message`, declared in the `errors.py` of the domain that raises it
(another domain raising the same error imports that class). It is raised without an argument, or with a message that
says more: `raise ScanNotFound()`, `raise InvalidRegion(f"行政区划代码 {text} 不存在")`. A raise site never makes
up a code or a status: `DomainError` takes a message and nothing else.

The kinds themselves are raised directly only when the answer needs no code of its own: the plain `invalid`,
`not_found`, `forbidden`, … of a form's check that neither a caller nor a client tells apart from the others
(`raise Invalid("请填写家人姓名")`). Errors of a field that many domains have (a name, a phone number, an ID number, a
date, …) and those of no domain at all are declared here, below the kinds.
"""

from __future__ import annotations


class DomainError(Exception):
    """The base of every kind below, and itself the kind of a plain bad request (400)."""

    status_code = 400
    code = "bad_request"
    message = "请求无法处理"

    def __init__(self, message: str | None = None) -> None:
        self.message = message or type(self).message
        super().__init__(self.message)


# --- the kinds: one per HTTP status -------------------------------------------------------------------------------

class Unauthorised(DomainError):
    status_code = 401
    code = "unauthorised"
    message = "请先登录"


class Forbidden(DomainError):
    status_code = 403
    code = "forbidden"
    message = "无权访问"


class NotFound(DomainError):
    status_code = 404
    code = "not_found"
    message = "您访问的内容不存在"


class Conflict(DomainError):
    status_code = 409
    code = "conflict"
    message = "操作与当前状态冲突，请刷新后重试"


class TooLarge(DomainError):
    status_code = 413
    code = "too_large"
    message = "请求内容过大"


class Invalid(DomainError):
    status_code = 422
    code = "invalid"
    message = "输入内容有误"


class RateLimited(DomainError):
    status_code = 429
    code = "rate_limited"
    message = "请求过于频繁，请稍后再试"


# --- errors of no domain, and of fields that many domains have ----------------------------------------------------

class InvalidRequest(Invalid):
    """A request that lacks what it needs or holds what it cannot (the framework's validation answers so too)."""

    code = "invalid_request"
    message = "请求参数有误"


class InvalidCharacters(Invalid):
    code = "invalid_characters"
    message = "输入内容含有不可见的NUL字符（U+0000），请删除后重试"


class InvalidName(Invalid):
    code = "invalid_name"
    message = "名称不能为空，且不能过长"


class InvalidIdNumber(Invalid):
    code = "invalid_id_number"
    message = "身份证号无效"


class InvalidPhone(Invalid):
    code = "invalid_phone"
    message = "手机号码无效"


class InvalidPassword(Invalid):
    code = "invalid_password"
    message = "密码不符合要求"


class InvalidDate(Invalid):
    code = "invalid_date"
    message = "日期格式应为 YYYY-MM-DD"


class InvalidStatus(Invalid):
    code = "invalid_status"
    message = "状态无效"


class InvalidAction(Invalid):
    code = "invalid_action"
    message = "操作无效"


class InvalidLocation(Invalid):
    code = "invalid_location"
    message = "位置无效"


class InvalidTemperature(Invalid):
    code = "invalid_temperature"
    message = "体温无效"


class InvalidFile(Invalid):
    code = "invalid_file"
    message = "无法读取文件"
