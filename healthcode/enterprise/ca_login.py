"""Enterprise CA-certificate login (通过 CA 登录): the TLS proxy asks for a client certificate, checks it, and passes it
(PEM, URL-encoded as nginx's $ssl_client_escaped_cert does) in a header. The app checks it again against the configured
CA — issued by it, within its validity — takes the USCC from the subject, and signs that enterprise's admin in.

Off unless the settings name the CA certificate (PEM: `ent_ca_file`, HEALTHCODE_ENT_CA_FILE); the header is
`ent_ca_header` (HEALTHCODE_ENT_CA_HEADER, default X-SSL-Client-Cert). The proxy must drop any copy of the header that
a client sends itself; the app's own check of the issuer keeps a forged header without the CA's signature useless.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import unquote

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.x509.oid import NameOID
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from healthcode import clock
from healthcode.common.uscc import InvalidUscc, normalise_uscc
from healthcode.config import AppSettings
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
                try:
                    return normalise_uscc(token)
                except InvalidUscc:
                    continue
    return None


@router.get("/ca-login", name="ent_ca_login")
def ca_login(request: Request, db: DbSession, settings: AppSettings) -> Response:
    if settings.ent_ca_file is None:
        raise CaLoginDisabled()
    pem = request.headers.get(settings.ent_ca_header, "")
    if not pem:
        raise NoCertificate()
    login = check_certificate(db, pem, settings.ent_ca_file.read_bytes(), _utc(clock.now()))
    request.session.pop(console_auth.SESSION_ACCOUNT, None)
    request.session[console_auth.SESSION_ACCOUNT] = login.account_id
    request.session[console_auth.SESSION_VERSION] = login.token_version
    return RedirectResponse(request.url_for("ent_home"), status_code=303)


def _utc(local: datetime) -> datetime:
    return local.replace(tzinfo=clock.TZ).astimezone(UTC)
