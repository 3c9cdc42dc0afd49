"""Documented answer of the code domain's public endpoint: the JWK Set (SPEC section 6, CONTRACT); it documents and
does not filter (healthcode/web/schemas.py)."""

from __future__ import annotations

from pydantic import Field
from pydantic.json_schema import SkipJsonSchema

from healthcode.web.schemas import Schema


class Jwk(Schema):
    """一把验证健康码二维码签名的公钥（RFC 7517 JWK）。"""

    kty: str = Field(description="密钥类型：OKP（Ed25519）或 EC（P-256）")
    crv: str = Field(description="曲线：Ed25519 或 P-256")
    x: str = Field(description="公钥 x（base64url）")
    y: str | SkipJsonSchema[None] = Field(default=None, description="公钥 y（base64url，仅 EC）")
    kid: str = Field(description="密钥编号（base64url），与二维码中的 kid 对应")
    alg: str = Field(description="签名算法：EdDSA 或 ES256")
    use: str = Field(description="固定为 sig")


class JwkSet(Schema):
    """验证健康码二维码签名的公钥集（RFC 7517 JWK Set）：即将启用、正在签发和近期退役的密钥。"""

    keys: list[Jwk] = Field(description="公钥")
