"""The shapes shared by every JSON API's documentation (SPEC section 11): the error body `{"error", "message"}`, and
`documented()`, which declares a route's answer and errors in /api/openapi.json without changing what it sends.

Response models document; they do not filter: `documented()` sets `response_model=None`, so FastAPI neither
validates nor re-serialises what a route returns (the answer stays byte for byte what the route builds, and the hot
routes, which return a JSONResponse of their own, pay nothing). tests/test_openapi.py checks real answers against
the models, so that the documentation cannot drift from the code."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import SkipJsonSchema


class Schema(BaseModel):
    """A documented JSON body: exactly these keys (an unknown key in an answer fails tests/test_openapi.py)."""

    model_config = ConfigDict(extra="forbid")


class ApiError(Schema):
    """错误响应（SPEC 第11节）：稳定的英文错误代码与可直接展示的中文说明。"""

    error: str = Field(description="错误代码，如 unauthorised、not_authorised、not_found、invalid_request")
    message: str = Field(description="中文错误说明")
    fields: list[str] | SkipJsonSchema[None] = Field(
        default=None, description="仅 422 invalid_request（请求参数有误）：出错的参数名")


ERRORS = {
    400: "请求格式有误",
    401: "未登录或登录已失效",
    403: "无权访问（如扫码员未经授权、不属于本单位）",
    404: "所指的对象不存在",
    409: "与现有数据冲突",
    413: "请求内容过大",
    422: "请求参数有误，或被业务规则拒绝（如健康码无效、已过期）",
    429: "请求过于频繁，或错误次数过多，请稍后再试",
}


def documented(model: Any, *errors: int, status: int = 200, description: str = "成功",
               overrides: dict[int, Any] | None = None) -> dict[str, Any]:
    """Keyword arguments of a route decorator: its `status` answer is `model` (None: no body, as a 204), each of
    `errors` an ApiError (or the model given for that status in `overrides`). Nothing is validated at run time (see
    the module's text)."""
    answer = {"description": description} if model is None else {"model": model, "description": description}
    responses: dict[int | str, dict[str, Any]] = {status: answer}
    for code in errors:
        responses[code] = {"model": (overrides or {}).get(code, ApiError), "description": ERRORS[code]}
    return {"response_model": None, "responses": responses}
