"""Documented answer of GET /api/v1/me/code, the code page's refresh (SPEC section 6); it documents and does not
filter (healthcode/web/schemas.py): the route returns its JSONResponse itself, unvalidated, on the hot path."""

from __future__ import annotations

from pydantic import Field

from healthcode.web.schemas import Schema


class CodeOut(Schema):
    """本人（或一位家人）新签发的健康码。"""

    color: str = Field(description="健康码颜色：green、yellow、red（家人另可能 orange）")
    color_label: str = Field(description="颜色名称，如 绿码")
    number_code: str = Field(description="12位数字码")
    qr_text: str = Field(description="二维码内容：BMJKM1: 开头的签名令牌（页面在手机上据此绘制二维码）")
    issued_at: str = Field(description="签发时间（ISO 8601）")
    expires_at: str = Field(description="到期时间（ISO 8601）")
    name_masked: str = Field(description="脱敏姓名")
    name: str = Field(description="姓名（本人页面显示）")
    issued_at_ms: int = Field(description="签发时间（毫秒时间戳）")
    expires_at_ms: int = Field(description="到期时间（毫秒时间戳）")
    refresh_at_ms: int = Field(description="页面应在此时刷新健康码（毫秒时间戳）")
    server_now_ms: int = Field(description="服务器当前时间（毫秒时间戳），供页面校准时钟")
