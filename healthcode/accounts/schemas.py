"""Documented answers of the sign-in API (SPEC section 8); they document and do not filter
(healthcode/web/schemas.py)."""

from __future__ import annotations

from pydantic import Field

from healthcode.web.schemas import Schema


class IssuedToken(Schema):
    """访问令牌（SPEC 第8节）。"""

    access_token: str = Field(description="访问令牌，放在 Authorization: Bearer 请求头中")
    token_type: str = Field(description="固定为 bearer")
    expires_in: int = Field(description="有效期（秒）")
    account_kind: str = Field(description="账号类型，如 scanner（扫码员）、org_admin（单位管理员）")
    must_change_password: bool = Field(description="是否须先修改初始密码")


class PasswordChanged(Schema):
    status: str = Field(description="固定为 ok")
    message: str = Field(description="中文提示：密码已修改，请重新登录")
