"""Development identity provider (仅供开发使用): a real OpenID Connect provider built on Authlib, mounted at /dev-idp.

It stands in for the provincial identity platform (闽政通) in demos and tests, so that the platform's sign-in runs the
same relying-party code as in production. It is never mounted, and refuses every request, when settings.env is prod.
"""

from __future__ import annotations

import hmac
import time
from datetime import timedelta
from typing import Annotated, Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from authlib.common.security import generate_token
from authlib.oauth2 import OAuth2Error
from authlib.oauth2.rfc6749 import AuthorizationServer, ClientMixin, OAuth2Request
from authlib.oauth2.rfc6749.errors import InvalidRequestError
from authlib.oauth2.rfc6749.grants import AuthorizationCodeGrant
from authlib.oauth2.rfc6749.requests import BasicOAuth2Payload
from authlib.oauth2.rfc6749.util import scope_to_list
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core import AuthorizationCodeMixin, UserInfo
from authlib.oidc.core.grants import OpenIDCode
from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import JSONResponse, Response
from joserfc.jwk import RSAKey
from sqlalchemy.orm import Session

from healthcode import clock
from healthcode.common.ids import InvalidIdNumber, normalize_id_number
from healthcode.config import AppSettings, app_settings
from healthcode.db import DbSession
from healthcode.errors import Conflict, DomainError, Invalid, NotFound
from healthcode.identity import devkeys, devlockout, repository
from healthcode.identity.devkeys import ALG
from healthcode.identity.errors import DevLoginFailed
from healthcode.identity.models import DevIdpAccount, DevIdpCode
from healthcode.web.templating import templates

PREFIX = "/dev-idp"
# The one client this provider knows: the platform itself, redirecting back to its own callback.
REDIRECT_PATH = "/citizen/login/callback"
LEVELS = ("L1", "L2", "L3", "L4")
SCOPES = ("openid", "profile")
CODE_LIFETIME = timedelta(minutes=10)
PASSWORD_STEP_SECONDS = 300
# The platform's own Argon2id parameters (accounts/passwords.py: OWASP's minimum), not argon2-cffi's heavier default
# (64 MiB, 3 passes, 4 lanes): this provider only stands in for the real one in development, and the demo creates
# ten of its accounts at every start.
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)


def add_dev_account(
    session: Session, id_number: str, name: str, password: str, level: str = "L4", phone: str | None = None
) -> DevIdpAccount:
    """Creates a demo resident account on the development provider (for the demo and tests)."""
    try:
        number = normalize_id_number(id_number, clock.today())
    except InvalidIdNumber as exc:
        raise Invalid(str(exc)) from exc
    if not name.strip():
        raise Invalid("姓名不能为空")
    if level not in LEVELS:
        raise Invalid("实名认证等级必须是 L1、L2、L3 或 L4")
    if not 6 <= len(password) <= 16:
        raise Invalid("密码长度应为6到16位")
    if repository.account_by_id_number(session, number) is not None:
        raise Conflict(f"开发身份认证账号已存在：{number}")
    account = DevIdpAccount(
        id_number=number, name=name.strip(), password_hash=_hasher.hash(password), level=level, phone=phone
    )
    session.add(account)
    session.flush()
    return account


def check_password(account: DevIdpAccount, password: str) -> bool:
    try:
        return _hasher.verify(account.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def issuer_of(request: Request) -> str:
    return str(request.base_url).rstrip("/") + PREFIX


# ---- Authlib plumbing: a framework integration for one request at a time ----


class _Client(ClientMixin):
    def __init__(self, client_id: str, client_secret: str, origin: str) -> None:
        self.client_id, self.client_secret, self.redirect_uri = client_id, client_secret, origin + REDIRECT_PATH

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_allowed_scope(self, scope: str | None) -> str:
        return " ".join(s for s in scope_to_list(scope or "openid") if s in SCOPES)

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri == self.redirect_uri

    def check_client_secret(self, client_secret: str) -> bool:
        return hmac.compare_digest(client_secret.encode(), self.client_secret.encode())

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method in ("client_secret_basic", "client_secret_post") if endpoint == "token" else True

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type == "authorization_code"


class _Code(AuthorizationCodeMixin):
    def __init__(self, row: DevIdpCode) -> None:
        self.row = row
        self.code_challenge = row.code_challenge
        self.code_challenge_method = row.code_challenge_method

    def get_redirect_uri(self) -> str:
        return self.row.redirect_uri

    def get_scope(self) -> str:
        return self.row.scope

    def get_nonce(self) -> str | None:
        return self.row.nonce

    def get_auth_time(self) -> int:
        return self.row.auth_time

    def get_acr(self) -> str:
        return self.row.acr


class _Request(OAuth2Request):
    def __init__(self, request: Request, data: dict[str, str]) -> None:
        # Authlib refuses plain http; this provider never runs in production and tests talk http://testserver.
        super().__init__(request.method, str(request.url.replace(scheme="https")), headers=request.headers)
        self.payload = BasicOAuth2Payload(data)
        self._data = data

    @property
    def args(self) -> dict[str, str]:
        return self._data

    @property
    def form(self) -> dict[str, str]:
        return self._data


class _Server(AuthorizationServer):
    def __init__(self, db: Session, request: Request) -> None:
        super().__init__(scopes_supported=list(SCOPES))
        settings = app_settings(request)
        self.db = db
        self.client = _Client(settings.oidc_client_id, settings.oidc_client_secret, str(request.base_url).rstrip("/"))
        self.register_token_generator("default", _bearer_token)
        self.register_grant(_CodeGrant, [_S256Only(), _IdToken(db, issuer_of(request))])

    def query_client(self, client_id: str) -> _Client | None:
        return self.client if client_id == self.client.client_id else None

    def save_token(self, token: dict[str, Any], request: OAuth2Request) -> None:
        """Access tokens are not kept: the provider has no user-info endpoint; the ID token carries the claims."""

    def create_oauth2_request(self, request: OAuth2Request) -> OAuth2Request:
        return request

    def handle_response(self, status: int, body: Any, headers: list[tuple[str, str]]) -> Response:
        if isinstance(body, dict):
            return JSONResponse(body, status_code=status, headers=dict(headers))
        return Response(body or "", status_code=status, headers=dict(headers))

    def send_signal(self, name: str, *args: Any, **kwargs: Any) -> None:
        return None


def _bearer_token(grant_type: str, client: _Client, user: Any = None, scope: str | None = None,
                  expires_in: int | None = None, include_refresh_token: bool = True) -> dict[str, Any]:
    return {"token_type": "Bearer", "access_token": generate_token(42), "expires_in": 600, "scope": scope}


class _CodeGrant(AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]
    server: _Server

    def save_authorization_code(self, code: str, request: OAuth2Request) -> None:
        data = request.payload.data
        account: DevIdpAccount = request.user
        self.server.db.add(DevIdpCode(
            code=code, client_id=request.client.get_client_id(), redirect_uri=request.payload.redirect_uri or "",
            scope=request.scope, nonce=data.get("nonce"), code_challenge=data.get("code_challenge"),
            code_challenge_method=data.get("code_challenge_method"), account_id=account.id, acr=account.level,
            auth_time=int(time.time()), expires_at=clock.now() + CODE_LIFETIME, used=False,
        ))
        self.server.db.flush()

    def query_authorization_code(self, code: str, client: _Client) -> _Code | None:
        row = repository.code_by_value(self.server.db, code, client.get_client_id())
        if row is None or row.used or row.expires_at < clock.now():
            return None
        return _Code(row)

    def delete_authorization_code(self, authorization_code: _Code) -> None:
        authorization_code.row.used = True  # kept, so that a replayed code and a reused nonce are both refused

    def authenticate_user(self, authorization_code: _Code) -> DevIdpAccount | None:
        return repository.account_by_id(self.server.db, authorization_code.row.account_id)


class _S256Only(CodeChallenge):
    """PKCE is mandatory here, and only with S256 (RFC 9700 recommends refusing `plain`)."""

    SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]
    DEFAULT_CODE_CHALLENGE_METHOD = "S256"

    def validate_code_challenge(self, grant: Any, redirect_uri: str) -> None:
        data = grant.request.payload.data
        if not data.get("code_challenge") or data.get("code_challenge_method") != "S256":
            raise InvalidRequestError("PKCE with code_challenge_method=S256 is required")
        super().validate_code_challenge(grant, redirect_uri)


class _IdToken(OpenIDCode):
    def __init__(self, db: Session, issuer: str) -> None:
        super().__init__(require_nonce=True)
        self.db, self.issuer = db, issuer

    def exists_nonce(self, nonce: str, request: OAuth2Request) -> bool:
        return repository.nonce_used(self.db, request.payload.client_id, nonce)

    def resolve_client_private_key(self, client: _Client) -> RSAKey:
        return devkeys.signing_key(self.db)

    def get_client_algorithm(self, client: _Client) -> str:
        return ALG

    def get_encode_header(self, client: _Client) -> dict[str, str]:
        return {"alg": ALG, "kid": devkeys.signing_key(self.db).kid or ""}

    def get_client_claims(self, client: _Client) -> dict[str, Any]:
        return {"iss": self.issuer, "aud": [client.get_client_id()]}

    def generate_user_info(self, user: DevIdpAccount, scope: str) -> UserInfo:
        claims = {"sub": f"dev-{user.id}"}
        if "profile" in scope_to_list(scope):
            claims.update(name=user.name, id_number=user.id_number, cn_id=user.id_number)
            if user.phone:
                claims["phone_number"] = user.phone
        return UserInfo(claims)


# ---- HTTP endpoints ----


def _refuse_in_production(settings: AppSettings) -> None:
    if settings.env == "prod":
        raise NotFound("页面不存在")


router = APIRouter(prefix=PREFIX, dependencies=[Depends(_refuse_in_production)], include_in_schema=False)


@router.get("/.well-known/openid-configuration", name="dev_idp_discovery")
def discovery(request: Request) -> dict[str, Any]:
    issuer = issuer_of(request)
    return {
        "issuer": issuer,
        "authorization_endpoint": f"{issuer}/authorize",
        "token_endpoint": f"{issuer}/token",
        "jwks_uri": f"{issuer}/jwks.json",
        "response_types_supported": ["code"],
        "grant_types_supported": ["authorization_code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": [ALG],
        "scopes_supported": list(SCOPES),
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "code_challenge_methods_supported": ["S256"],
        "acr_values_supported": list(LEVELS),
        "claims_supported": ["sub", "name", "id_number", "cn_id", "phone_number", "acr", "auth_time", "nonce"],
    }


@router.get("/jwks.json", name="dev_idp_jwks")
def jwks(session: DbSession) -> dict[str, Any]:
    return {"keys": [devkeys.signing_key(session).as_dict(private=False)]}


def _consent_grant(server: _Server, request: Request) -> Any:
    try:
        return server.get_consent_grant(_Request(request, dict(request.query_params)))
    except OAuth2Error as error:
        raise Invalid(f"登录请求无效（{error.error}）：{error.description or ''}") from error


def _login_page(request: Request, step: str, error: str | None = None, account: DevIdpAccount | None = None,
                status_code: int = 200) -> Response:
    action = f"{request.url.path}?{request.url.query}"
    return templates.TemplateResponse(
        request, "identity/dev_login.html",
        {"step": step, "error": error, "action": action, "account": account}, status_code=status_code,
    )


@router.get("/authorize", name="dev_idp_authorize")
def authorize_page(request: Request, db: DbSession) -> Response:
    _consent_grant(_Server(db, request), request)
    return _login_page(request, "password")


@router.post("/authorize")
def authorize_submit(
    request: Request,
    db: DbSession,
    step: Annotated[str, Form()] = "password",
    id_number: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
) -> Response:
    server = _Server(db, request)
    grant = _consent_grant(server, request)
    query = _Request(request, dict(request.query_params))
    if step == "cancel":
        request.session.pop("dev_idp_pending", None)
        return server.create_authorization_response(query, grant_user=None, grant=grant)
    if step == "face":
        pending = request.session.pop("dev_idp_pending", None) or {}
        account = repository.account_by_id(db, int(pending.get("account_id", 0)))
        if account is None or time.time() - float(pending.get("at", 0)) > PASSWORD_STEP_SECONDS:
            return _login_page(request, "password", "请先输入身份证号和密码", status_code=400)
        return server.create_authorization_response(query, grant_user=account, grant=grant)
    try:
        number = normalize_id_number(id_number, clock.today())
    except InvalidIdNumber as exc:
        return _login_page(request, "password", str(exc), status_code=400)
    account = repository.account_by_id_number(db, number)
    # An unknown number spends the time of a check too, so that it answers as slowly.
    right = check_password(account, password) if account else not _hasher.hash(password)
    try:
        devlockout.check(db, app_settings(request), number, right)
        if account is None:
            raise DevLoginFailed()
    except DomainError as exc:
        return _login_page(request, "password", exc.message, status_code=exc.status_code)
    request.session["dev_idp_pending"] = {"account_id": account.id, "at": time.time()}
    return _login_page(request, "face", account=account)


@router.post("/token", name="dev_idp_token")
def token(
    request: Request,
    db: DbSession,
    grant_type: Annotated[str | None, Form()] = None,
    code: Annotated[str | None, Form()] = None,
    redirect_uri: Annotated[str | None, Form()] = None,
    client_id: Annotated[str | None, Form()] = None,
    client_secret: Annotated[str | None, Form()] = None,
    code_verifier: Annotated[str | None, Form()] = None,
) -> Response:
    fields = {"grant_type": grant_type, "code": code, "redirect_uri": redirect_uri, "client_id": client_id,
              "client_secret": client_secret, "code_verifier": code_verifier}
    data = {k: v for k, v in fields.items() if v is not None}
    return _Server(db, request).create_token_response(_Request(request, data))
