"""Enterprise CA-certificate login (通过 CA 登录): the TLS proxy asks for a client certificate, checks it, and passes it
(PEM, URL-encoded as nginx's $ssl_client_escaped_cert does) in a header. The app checks it again against the configured
CA — issued by it, within its validity — takes the USCC from the subject, and signs that enterprise's admin in.

Off unless HEALTHCODE_ENT_CA_FILE names the CA certificate (PEM). The proxy must drop any copy of the header that a
client sends itself; the app's own check of the issuer keeps a forged header without the CA's signature useless.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.x509.oid import NameOID
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.orm import Session
from stdnum.cn import uscc as stdnum_uscc

from healthcode import clock
from healthcode.db import DbSession
from healthcode.enterprise import errors
from healthcode.enterprise.errors import (
    BadCertificate,
    CaLoginDisabled,
    ExpiredCertificate,
    NoAdmin,
    NoCertificate,
    NoUscc,
    UntrustedCertificate,
)
from healthcode.orgs import console_auth
from healthcode.orgs import repository as orgs
from healthcode.orgs.errors import OrgNotFound

router = APIRouter(prefix="/ent", include_in_schema=False)
# Where Chinese CAs put the USCC of an enterprise certificate: serialNumber, x500UniqueIdentifier, OU or CN.
_USCC_FIELDS = (NameOID.SERIAL_NUMBER, NameOID.X500_UNIQUE_IDENTIFIER, NameOID.ORGANIZATIONAL_UNIT_NAME,
                NameOID.COMMON_NAME)


class CaSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HEALTHCODE_ENT_CA_", env_file=".env", extra="ignore")

    file: Path | None = None
    header: str = "X-SSL-Client-Cert"


@lru_cache
def ca_settings() -> CaSettings:
    return CaSettings()


@dataclass(frozen=True)
class CertificateLogin:
    account_id: int
    token_version: int
    uscc: str


def check_certificate(session: Session, pem: str, ca_pem: bytes, now: datetime) -> CertificateLogin:
    """The enterprise admin a client certificate stands for, or a Chinese refusal."""
    try:
        cert = x509.load_pem_x509_certificate(unquote(pem).encode())
        ca = x509.load_pem_x509_certificate(ca_pem)
    except ValueError:
        raise BadCertificate() from None
    try:
        cert.verify_directly_issued_by(ca)
    except (InvalidSignature, ValueError, TypeError) as exc:
        raise UntrustedCertificate() from exc
    moment = now.replace(tzinfo=UTC) if now.tzinfo is None else now
    if not cert.not_valid_before_utc <= moment <= cert.not_valid_after_utc:
        raise ExpiredCertificate()
    code = _uscc_of(cert)
    if code is None:
        raise NoUscc()
    org = orgs.org_by_uscc(session, code)
    if org is None:
        raise OrgNotFound(f"统一社会信用代码 {code} 的企业尚未注册，请先进行企业法人注册")
    if org.kind != "enterprise":
        raise errors.NotEnterprise()
    account = orgs.admin_account_of(session, org.id)
    if account is None:
        raise NoAdmin("该企业没有管理员账号")
    return CertificateLogin(account.id, account.token_version, code)


def _uscc_of(cert: x509.Certificate) -> str | None:
    for oid in _USCC_FIELDS:
        for attribute in cert.subject.get_attributes_for_oid(oid):
            value = attribute.value if isinstance(attribute.value, str) else attribute.value.decode(errors="ignore")
            for token in value.replace(":", " ").split():
                if stdnum_uscc.is_valid(token):
                    return stdnum_uscc.compact(token)
    return None


@router.get("/ca-login", name="ent_ca_login")
def ca_login(request: Request, db: DbSession) -> Response:
    settings = ca_settings()
    if settings.file is None:
        raise CaLoginDisabled()
    pem = request.headers.get(settings.header, "")
    if not pem:
        raise NoCertificate()
    login = check_certificate(db, pem, settings.file.read_bytes(), _utc(clock.now()))
    request.session.pop(console_auth.SESSION_ACCOUNT, None)
    request.session[console_auth.SESSION_ACCOUNT] = login.account_id
    request.session[console_auth.SESSION_VERSION] = login.token_version
    return RedirectResponse(request.url_for("ent_home"), status_code=303)


def _utc(local: datetime) -> datetime:
    return local.replace(tzinfo=clock.TZ).astimezone(UTC)
