"""Error responses of the whole app (SPEC section 11): JSON `{"error", "message"}` under /api/ and /.well-known/, the
portal's own Chinese page under /citizen/, /scanner/, /gov/ and /ent/, a plain Chinese page elsewhere. Domain errors,
request validation, unknown routes, wrong methods and unexpected failures all go through here, so that no response is
ever FastAPI's English `{"detail": …}`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException

from healthcode.errors import DomainError, Forbidden
from healthcode.web.templating import _, templates

PORTALS = ("citizen", "scanner", "gov", "ent")
# Status → (error code, Chinese message) for the errors that routing and the framework raise themselves.
HTTP_ERRORS = {
    400: ("bad_request", _("请求格式有误")),
    401: ("unauthorised", _("请先登录")),
    403: ("forbidden", _("无权访问")),
    404: ("not_found", _("您访问的页面或接口不存在")),
    405: ("method_not_allowed", _("不支持该请求方法")),
    406: ("not_acceptable", _("不支持所要求的响应格式")),
    413: ("too_large", _("请求内容过大")),
    415: ("unsupported_media_type", _("不支持该请求内容格式")),
    422: ("invalid_request", _("请求参数有误")),
    429: ("rate_limited", _("请求过于频繁，请稍后再试")),
}
INTERNAL = ("internal_error", _("服务器内部错误，请稍后再试"))


class PendingVerification(Forbidden):
    """A self-registered enterprise whose legal representative has not verified the registration yet: the console
    answers every page but the verification step with this (a page of its own: enterprise/pages_verify.py)."""

    code = "pending_verification"
    message = ("本企业注册尚未完成验证：请由法定代表人通过实名认证（L4）或法人手机短信验证码"
               "完成验证后，再使用企业后台的其他功能")


def install(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, domain_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, validation_error)  # type: ignore[arg-type]
    app.add_exception_handler(HTTPException, http_error)  # type: ignore[arg-type]
    # Used by Starlette's outermost middleware for unhandled exceptions: still a 500 (and still logged), in the shape.
    app.add_exception_handler(Exception, server_error)


def wants_json(request: Request) -> bool:
    path = request.url.path
    return path.startswith(("/api/", "/.well-known/")) or path == "/api"


def portal_of(path: str) -> str | None:
    for portal in PORTALS:
        if path == f"/{portal}" or path.startswith(f"/{portal}/"):
            return portal
    return None


def error_response(request: Request, status: int, code: str, message: str, *,
                   headers: Mapping[str, str] | None = None, extra: dict[str, Any] | None = None) -> Response:
    """The error as JSON (API) or as the portal's error page."""
    if wants_json(request):
        return JSONResponse({"error": code, "message": message, **(extra or {})}, status_code=status, headers=headers)
    portal = portal_of(request.url.path)
    template = f"errors/{portal}.html" if portal else "error.html"
    home = f"/{portal}/" if portal in ("citizen", "scanner") else f"/{portal}" if portal else "/"
    return templates.TemplateResponse(request, template, {"message": message, "status": status, "home": home},
                                      status_code=status, headers=headers)


async def domain_error(request: Request, exc: DomainError) -> Response:
    return error_response(request, exc.status_code, exc.code, exc.message)


async def validation_error(request: Request, exc: RequestValidationError) -> Response:
    names = [".".join(str(p) for p in e.get("loc", ())[1:]) or "请求" for e in exc.errors()]
    message = f"请求参数有误：{'、'.join(dict.fromkeys(names))}"
    return error_response(request, 422, "invalid_request", message, extra={"fields": list(dict.fromkeys(names))})


async def http_error(request: Request, exc: HTTPException) -> Response:
    if exc.status_code < 400:  # redirects raised as exceptions (web.console.LoginRequired): no body needed
        return Response(status_code=exc.status_code, headers=exc.headers)
    code, message = HTTP_ERRORS.get(exc.status_code, ("http_error", _("请求无法处理")))
    if isinstance(exc.detail, str) and not exc.detail.isascii():
        message = exc.detail  # our own Chinese detail (e.g. "请先登录")
    return error_response(request, exc.status_code, code, message, headers=exc.headers)


async def server_error(request: Request, exc: Exception) -> Response:
    return error_response(request, 500, *INTERNAL)
