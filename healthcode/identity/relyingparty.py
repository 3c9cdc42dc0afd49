"""The platform's real-name sign-in: an OpenID Connect relying party of the provincial identity platform.

Authorization code flow with state, nonce and PKCE (S256); the ID token is verified against the provider's JWK Set and
its `acr` must reach settings.min_assurance_level (L4). The name and the ID number are read from the ID token, or, when
the provider keeps them out of it (as a certified provider does by default for scope-requested claims), from its
userinfo endpoint for the same subject. When the issuer is this app's own development provider the back-channel
requests go in-process through httpx's ASGI transport, so tests and demos run the production path.
"""

from __future__ import annotations

import hmac
from typing import Annotated, Any

import httpx
from authlib.common.security import generate_token
from authlib.integrations.base_client import OAuthError
from authlib.integrations.httpx_client import AsyncOAuth2Client
from authlib.oidc.core import CodeIDToken
from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from joserfc.jws import JWSRegistry
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from healthcode import clock
from healthcode.accounts import throttle
from healthcode.config import app_settings
from healthcode.db import DbSession, db_turn
from healthcode.identity import provider, repository, service
from healthcode.identity.devprovider import PREFIX as DEV_PREFIX
from healthcode.identity.errors import NotSignedIn, SignInFailed, SignInUnavailable
from healthcode.residents.models import Person
from healthcode.sessions.middleware import carries_session, read_with
from healthcode.web.templating import templates

SESSION_KEY = "person_id"
_PENDING = "oidc_pending"
# Asymmetric signatures only, whatever the provider advertises: never `none`, nor an HMAC keyed with the client secret.
ID_TOKEN_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA")

router = APIRouter(prefix="/citizen", include_in_schema=False)


def _own_dev_issuer(request: Request) -> str:
    return str(request.base_url).rstrip("/") + DEV_PREFIX


def issuer_for(request: Request) -> str:
    """The configured identity platform; outside production, by default this app's development provider."""
    settings = app_settings(request)
    if settings.oidc_issuer:
        return settings.oidc_issuer.rstrip("/")
    if settings.env == "prod":
        raise SignInUnavailable("未配置身份认证平台（HEALTHCODE_OIDC_ISSUER），暂时无法登录")
    return _own_dev_issuer(request)


def _client(request: Request, issuer: str) -> AsyncOAuth2Client:
    settings = app_settings(request)
    transport: httpx.AsyncBaseTransport | None = None
    if issuer == _own_dev_issuer(request) and settings.env != "prod":
        transport = httpx.ASGITransport(app=request.app)
    return AsyncOAuth2Client(
        client_id=settings.oidc_client_id, client_secret=settings.oidc_client_secret, scope=settings.oidc_scope,
        redirect_uri=str(request.url_for("citizen_login_callback")), code_challenge_method="S256",
        token_endpoint_auth_method="client_secret_basic", transport=transport, timeout=10,
    )


@router.get("/login", name="citizen_login")
async def login(request: Request, next: str = "") -> Response:
    """Sends the resident to the identity platform, remembering state, nonce and the PKCE verifier, and where to
    return afterwards (`next`, a path of this site: the enterprise console's 个人实名认证登录 uses it)."""
    async with db_turn(request.app):  # before the session is touched: a refused start stores no session row
        await run_in_threadpool(_count_start, request)
    issuer = issuer_for(request)
    async with _client(request, issuer) as client:
        metadata = await provider.metadata(request, client, issuer)
        state, nonce, verifier = generate_token(32), generate_token(32), generate_token(64)
        url, _ = client.create_authorization_url(
            metadata["authorization_endpoint"], state=state, nonce=nonce, code_verifier=verifier,
            acr_values=app_settings(request).min_assurance_level,
        )
    request.session[_PENDING] = {"state": state, "nonce": nonce, "verifier": verifier, "issuer": issuer,
                                 "next": _safe_next(next)}
    return RedirectResponse(url, status_code=303)


def verify_id_token(
    id_token: str, jwks: Any, *, issuer: str, client_id: str, nonce: str, access_token: str | None,
    algorithms: list[str],
) -> dict[str, Any]:
    """The claims of an ID token whose signature, issuer, audience, expiry and nonce all check out."""
    try:
        token = jwt.decode(id_token, KeySet.import_key_set(jwks), registry=JWSRegistry(algorithms=algorithms))
        options = {"iss": {"essential": True, "value": issuer}, "aud": {"essential": True, "value": client_id},
                   "nonce": {"essential": True, "value": nonce}}
        params = {"nonce": nonce, "client_id": client_id, "access_token": access_token}
        claims = CodeIDToken(token.claims, token.header, options, params)  # type: ignore[arg-type]
        claims.validate(leeway=60)
    except (JoseError, ValueError) as exc:
        raise SignInFailed("身份凭证校验失败，请重新登录") from exc
    return dict(claims)


def signing_algorithms(metadata: dict[str, Any]) -> list[str]:
    """The ID-token algorithms to accept: those the provider advertises (RS256 when it says nothing) that are
    asymmetric (ID_TOKEN_ALGORITHMS)."""
    offered = metadata.get("id_token_signing_alg_values_supported") or ["RS256"]
    allowed = [alg for alg in offered if alg in ID_TOKEN_ALGORITHMS]
    if not allowed:
        raise SignInUnavailable("身份认证平台的身份凭证签名算法不受支持，无法登录")
    return allowed


@router.get("/login/callback", name="citizen_login_callback")
async def callback(request: Request, code: str | None = None, state: str | None = None,
                   error: str | None = None, iss: str | None = None) -> Response:
    pending = request.session.pop(_PENDING, None)
    if error:
        raise SignInFailed("已取消登录" if error == "access_denied" else f"登录未完成（{error}），请重新登录")
    if not pending or not state or not code or not hmac.compare_digest(state, str(pending.get("state"))):
        raise SignInFailed("登录状态校验失败（可能已过期或被篡改），请重新登录")
    settings = app_settings(request)
    identity = service.identity_from_claims(await _verified_claims(request, pending, code, iss))
    if not service.meets_level(identity.level, settings.min_assurance_level):
        return templates.TemplateResponse(
            request, "citizen/level_refused.html",
            {"level": identity.level or "未知", "required": settings.min_assurance_level}, status_code=403,
        )
    async with db_turn(request.app):  # a transaction of its own, outside the request's session
        person_id = await run_in_threadpool(_record_sign_in, request, identity)
    request.session.clear()  # a fresh session after sign-in: nothing from before it carries over
    request.session[SESSION_KEY] = person_id
    return RedirectResponse(pending.get("next") or request.url_for("citizen_home"), status_code=303)


async def _verified_claims(request: Request, pending: dict[str, Any], code: str, iss: str | None) -> dict[str, Any]:
    """The code exchanged for tokens, the ID token verified, and the identity claims it lacks read from userinfo."""
    settings = app_settings(request)
    async with _client(request, pending["issuer"]) as client:
        metadata = await provider.metadata(request, client, pending["issuer"])
        issuer = metadata["issuer"]  # the exact value the ID token's `iss` must carry
        if iss != issuer and (iss is not None or metadata.get("authorization_response_iss_parameter_supported")):
            raise SignInFailed("登录响应不是来自本平台的身份认证平台，请重新登录")  # RFC 9207: a mix-up
        try:
            token = await client.fetch_token(metadata["token_endpoint"], code=code, code_verifier=pending["verifier"],
                                             grant_type="authorization_code")
            if "id_token" not in token:
                raise SignInFailed("身份认证平台未返回身份凭证，请重新登录")
            keys = await provider.keys(request, client, metadata["jwks_uri"], token["id_token"])
            claims = verify_id_token(
                token["id_token"], keys, issuer=issuer, client_id=settings.oidc_client_id, nonce=pending["nonce"],
                access_token=token.get("access_token"), algorithms=signing_algorithms(metadata),
            )
            if service.lacks_identity(claims):  # what the signed ID token says stands; userinfo fills the gaps
                for name, value in (await _userinfo(client, metadata, claims.get("sub"))).items():
                    claims.setdefault(name, value)
        except (OAuthError, httpx.HTTPError, ValueError) as exc:
            raise SignInFailed("身份认证平台拒绝了本次登录，请重新登录") from exc
    return claims


async def _userinfo(client: AsyncOAuth2Client, metadata: dict[str, Any], subject: object) -> dict[str, Any]:
    """The identity claims (service.IDENTITY_CLAIMS, nothing else: `acr` is the ID token's alone) of the provider's
    userinfo for the ID token's subject (OIDC Core 5.3.4: a response for another `sub` is refused)."""
    endpoint = metadata.get("userinfo_endpoint")
    if not endpoint:
        return {}
    response = await client.request("GET", endpoint)
    response.raise_for_status()
    found = response.json()
    if not isinstance(found, dict) or found.get("sub") != subject:
        raise SignInFailed("身份认证平台返回的用户信息与身份凭证不符，请重新登录")
    return {name: found[name] for name in service.IDENTITY_CLAIMS if name in found}


def _safe_next(target: str) -> str | None:
    """Only a path of this site: never an absolute or protocol-relative URL (no open redirect)."""
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return None


def _count_start(request: Request) -> None:
    """Each start stores its state in a new server-side session row, cookie or not: one client address may start
    only `throttle_sign_in_starts` (429 beyond), so that a stranger cannot fill the sessions table."""
    with request.app.state.sessions() as session, session.begin():
        session.connection(execution_options={"sqlite_immediate": True})
        throttle.hit_address(session, app_settings(request), throttle.SIGN_IN_START,
                             request.client.host if request.client else None, clock.now())


def _record_sign_in(request: Request, identity: service.VerifiedIdentity) -> int:
    with request.app.state.sessions() as session, session.begin():
        session.connection(execution_options={"sqlite_immediate": True})
        return service.sign_in(session, identity, clock.now()).id


@router.post("/logout", name="citizen_logout")
def logout(request: Request) -> Response:
    request.session.clear()
    return RedirectResponse(request.url_for("citizen_home"), status_code=303)


def signed_in_person(request: Request, db: DbSession) -> Person | None:
    """The resident of this browser session, or None."""
    person_id = request.session.get(SESSION_KEY)
    if not isinstance(person_id, int):
        return None
    return repository.person_by_id(db, person_id)


def require_resident(person: Annotated[Person | None, Depends(signed_in_person)]) -> Person:
    if person is None:
        raise NotSignedIn()
    return person


def signed_in_person_id(request: Request, db: Session) -> int:
    """The id of this browser session's resident, or Unauthorised: for routes that run their database work in one
    hop (`db.in_transaction`), read the session on that transaction (`db`) and the person there with
    `resident_by_id`. Call `require_session_cookie` first, outside the transaction."""
    read_with(request, db)
    person_id = request.session.get(SESSION_KEY)
    if not isinstance(person_id, int):
        raise NotSignedIn()
    return person_id


def require_session_cookie(request: Request) -> None:
    """Unauthorised at once, before any database work, for a request that carries no session cookie."""
    if not carries_session(request):
        raise NotSignedIn()


def resident_by_id(session: Session, person_id: int) -> Person:
    person = repository.person_by_id(session, person_id)
    if person is None:
        raise NotSignedIn()
    return person


def code_holder_by_id(session: Session, person_id: int) -> Any:
    """The resident for a refresh of their own code: a plain row with the Person's id, id_number, name and
    initial_region_code (what issuing reads) once the initial region is fixed; the Person itself before, since the
    first code fixes it."""
    row = repository.code_holder(session, person_id)
    if row is None:
        raise NotSignedIn()
    return row if row.initial_region_code is not None else resident_by_id(session, person_id)



CurrentResident = Annotated[Person, Depends(require_resident)]
MaybeResident = Annotated[Person | None, Depends(signed_in_person)]
