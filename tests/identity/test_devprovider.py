"""The development identity provider as an OpenID Connect provider: discovery, JWKS, codes, PKCE, refusal in prod."""

from __future__ import annotations

import base64
import hashlib
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from fastapi.testclient import TestClient
from joserfc import jwt
from joserfc.jwk import KeySet
from pydantic import ValidationError
from sqlalchemy import func, select

from healthcode.app import create_app
from healthcode.config import Settings
from healthcode.errors import Conflict, Invalid
from healthcode.identity.devprovider import add_dev_account
from healthcode.identity.models import DevIdpCode
from tests.identity.flow import LI, ZHANG, make_account

CLIENT = ("healthcode-platform", "dev-only-oidc-secret")
REDIRECT = "http://testserver/citizen/login/callback"
VERIFIER = "v" * 43 + "-verifier-of-sufficient-length"


def s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


def authorize(client: Any, **overrides: str) -> Any:
    """Signs in on the provider's pages (password, then face) and returns the redirect response (not followed)."""
    params = {"response_type": "code", "client_id": CLIENT[0], "redirect_uri": REDIRECT, "scope": "openid profile",
              "state": "st-1", "nonce": "nonce-1", "code_challenge": s256(VERIFIER), "code_challenge_method": "S256"}
    params.update(overrides)
    url = "/dev-idp/authorize?" + urlencode({k: v for k, v in params.items() if v})
    client.post(url, data={"step": "password", "id_number": ZHANG, "password": "Passw0rd"})
    return client.post(url, data={"step": "face"}, follow_redirects=False)


def code_of(response: Any) -> str:
    assert response.status_code == 302, response.text
    query = parse_qs(urlsplit(response.headers["location"]).query)
    return query["code"][0]


def exchange(client: Any, code: str, verifier: str = VERIFIER) -> Any:
    return client.post("/dev-idp/token", auth=CLIENT, data={
        "grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT, "code_verifier": verifier})


def test_discovery_names_the_endpoints_and_the_jwks_holds_a_public_signing_key(client: Any) -> None:
    meta = client.get("/dev-idp/.well-known/openid-configuration").json()
    assert meta["issuer"] == "http://testserver/dev-idp"
    assert meta["token_endpoint"] == "http://testserver/dev-idp/token"
    assert meta["code_challenge_methods_supported"] == ["S256"]
    keys = client.get(urlsplit(meta["jwks_uri"]).path).json()["keys"]
    assert keys[0]["kty"] == "RSA" and keys[0]["kid"] and "d" not in keys[0]


def test_given_an_l4_account_when_the_code_is_exchanged_then_the_id_token_is_signed_and_names_the_resident(
    client: Any, db: Any
) -> None:
    make_account(db)
    response = exchange(client, code_of(authorize(client)))
    assert response.status_code == 200, response.text
    token = response.json()
    keys = KeySet.import_key_set(client.get("/dev-idp/jwks.json").json())
    claims = jwt.decode(token["id_token"], keys, algorithms=["RS256"]).claims
    assert claims["iss"] == "http://testserver/dev-idp"
    assert claims["aud"] == [CLIENT[0]] and claims["nonce"] == "nonce-1"
    assert (claims["acr"], claims["id_number"], claims["name"]) == ("L4", ZHANG, "张小明")


def test_given_a_wrong_code_verifier_when_exchanging_then_refused(client: Any, db: Any) -> None:
    make_account(db)
    response = exchange(client, code_of(authorize(client)), verifier="w" * 50)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


def test_given_a_used_code_when_exchanged_again_then_refused(client: Any, db: Any) -> None:
    make_account(db)
    code = code_of(authorize(client))
    assert exchange(client, code).status_code == 200
    assert exchange(client, code).json()["error"] == "invalid_grant"


def test_given_a_wrong_client_secret_when_exchanging_then_refused(client: Any, db: Any) -> None:
    make_account(db)
    code = code_of(authorize(client))
    response = client.post("/dev-idp/token", auth=(CLIENT[0], "guess"), data={
        "grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT, "code_verifier": VERIFIER})
    assert response.status_code == 401
    assert exchange(client, code).status_code == 200  # the code survived the failed attempt


@pytest.mark.parametrize("overrides", [
    {"code_challenge": "", "code_challenge_method": ""},  # no PKCE at all
    {"code_challenge_method": "plain"},
    {"nonce": ""},
    {"redirect_uri": "https://evil.example/callback"},
    {"client_id": "someone-else"},
])
def test_given_a_bad_authorization_request_when_opened_then_the_login_page_refuses_it(
    client: Any, overrides: dict[str, str]
) -> None:
    params = {"response_type": "code", "client_id": CLIENT[0], "redirect_uri": REDIRECT, "scope": "openid profile",
              "state": "s", "nonce": "n", "code_challenge": s256(VERIFIER), "code_challenge_method": "S256"}
    params.update(overrides)
    page = client.get("/dev-idp/authorize?" + urlencode({k: v for k, v in params.items() if v}))
    assert page.status_code == 422
    assert "登录请求无效" in page.text


def test_given_a_wrong_password_then_the_login_page_says_so_and_no_face_step_follows(client: Any, db: Any) -> None:
    make_account(db)
    url = "/dev-idp/authorize?" + urlencode({
        "response_type": "code", "client_id": CLIENT[0], "redirect_uri": REDIRECT, "scope": "openid profile",
        "state": "s", "nonce": "n", "code_challenge": s256(VERIFIER), "code_challenge_method": "S256"})
    page = client.post(url, data={"step": "password", "id_number": ZHANG, "password": "wrong-one"})
    assert page.status_code == 400 and "身份证号或密码错误" in page.text
    face = client.post(url, data={"step": "face"}, follow_redirects=False)
    assert face.status_code == 400 and "请先输入身份证号和密码" in face.text


@pytest.mark.parametrize("number", [ZHANG, LI])  # LI has no account here: it locks the same way
def test_given_five_wrong_passwords_then_the_number_is_locked_for_a_while_like_the_real_platforms(
    client: Any, db: Any, freeze: Any, number: str
) -> None:
    freeze("2020-02-24 09:00")
    make_account(db)
    url = "/dev-idp/authorize?" + urlencode({
        "response_type": "code", "client_id": CLIENT[0], "redirect_uri": REDIRECT, "scope": "openid profile",
        "state": "s", "nonce": "n", "code_challenge": s256(VERIFIER), "code_challenge_method": "S256"})

    def attempt(password: str) -> Any:
        return client.post(url, data={"step": "password", "id_number": number, "password": password})

    wrong = [attempt("wrong-one") for _ in range(5)]
    right_while_locked = attempt("Passw0rd")
    freeze("2020-02-24 09:15")
    after = attempt("Passw0rd")

    assert [r.status_code for r in wrong] == [400, 400, 400, 400, 429]
    assert "还可尝试1次" in wrong[3].text
    assert right_while_locked.status_code == 429 and "账号已被锁定，请于09:15后再试" in right_while_locked.text
    assert 'data-testid="face"' not in right_while_locked.text
    if number == ZHANG:  # the lock has passed: the right password leads to the face step
        assert after.status_code == 200 and 'data-testid="face"' in after.text
    else:
        assert after.status_code == 400


def test_dev_accounts_refuse_bad_input_and_duplicates(db: Any) -> None:
    add_dev_account(db, ZHANG, "张小明", "Passw0rd")
    with pytest.raises(Conflict):
        add_dev_account(db, ZHANG, "张小明", "Passw0rd")
    with pytest.raises(Invalid, match="校验码"):
        add_dev_account(db, ZHANG[:-1] + "9", "张小明", "Passw0rd")
    with pytest.raises(Invalid, match="L4"):
        add_dev_account(db, "350203199002020023", "李四", "Passw0rd", level="L5")


def test_the_authorisation_code_is_committed_before_the_redirect_leaves_the_server(
    engine: Any, settings: Settings, db: Any
) -> None:
    """The browser follows the redirect at once; the token request must find the code already committed."""
    seen: list[int] = []

    def spy_on_redirects(app: Any) -> Any:
        async def middleware(scope: Any, receive: Any, send: Any) -> None:
            async def spy(message: Any) -> None:
                if message["type"] == "http.response.start" and message["status"] == 302:
                    with engine.connect() as other:  # another connection sees committed rows only
                        seen.append(other.scalar(select(func.count()).select_from(DevIdpCode)))
                await send(message)

            await app(scope, receive, spy)

        return middleware

    make_account(db)
    app = create_app(settings, engine)
    app.add_middleware(spy_on_redirects)
    with TestClient(app) as client:
        code_of(authorize(client))
    assert seen == [1]


def test_given_production_settings_then_the_dev_provider_is_not_there(engine: Any, tmp_path: Any) -> None:
    prod = Settings(env="prod", secret_key="s" * 40, oidc_issuer="https://idp.fujian.example",
                    oidc_client_secret="real-secret", data_dir=tmp_path)
    with TestClient(create_app(prod, engine)) as client:
        for path in ("/dev-idp/.well-known/openid-configuration", "/dev-idp/authorize", "/dev-idp/jwks.json"):
            assert client.get(path).status_code == 404
        assert client.post("/dev-idp/token", data={"grant_type": "authorization_code"}).status_code == 404


def test_production_settings_require_a_real_identity_platform() -> None:
    with pytest.raises(ValidationError, match="HEALTHCODE_OIDC_ISSUER"):
        Settings(env="prod", secret_key="s" * 40)
