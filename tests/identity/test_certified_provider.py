"""What the relying party accepts from a provider that is not the development one (issue 14): the ID-token algorithms
it advertises (asymmetric only), the authorization response's `iss` (RFC 9207), identity claims given only by userinfo
(for the ID token's subject alone), and the settings naming such a provider. The whole flow against the npm package
oidc-provider is tests/browser/test_oidc_provider_signin.py."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from authlib.integrations.httpx_client import AsyncOAuth2Client
from pydantic import ValidationError

from healthcode.config import Settings
from healthcode.identity import provider
from healthcode.identity.errors import SignInFailed, SignInUnavailable
from healthcode.identity.relyingparty import _userinfo, signing_algorithms
from healthcode.identity.service import lacks_identity
from tests.asyncrun import run_alone
from tests.identity.flow import ZHANG, make_account
from tests.identity.test_signin import face_redirect, persons

PROD = {"env": "prod", "secret_key": "s" * 40, "oidc_client_secret": "x" * 20}


def test_only_asymmetric_id_token_algorithms_the_provider_advertises_are_accepted() -> None:
    assert signing_algorithms({"id_token_signing_alg_values_supported": ["none", "HS256", "ES256", "RS256"]}) == [
        "ES256", "RS256"]
    assert signing_algorithms({}) == ["RS256"]
    with pytest.raises(SignInUnavailable):
        signing_algorithms({"id_token_signing_alg_values_supported": ["none", "HS256"]})


def _userinfo_of(body: Any, content_type: str = "application/json") -> Any:
    def answer(request: httpx.Request) -> httpx.Response:
        assert request.headers["authorization"] == "Bearer at-1"
        text = body if isinstance(body, str) else json.dumps(body)
        return httpx.Response(200, text=text, headers={"content-type": content_type})

    async def read() -> Any:
        client = AsyncOAuth2Client(client_id="c", token={"access_token": "at-1", "token_type": "Bearer"},
                                   transport=httpx.MockTransport(answer))
        async with client:
            return await _userinfo(client, {"userinfo_endpoint": "https://idp.example/me"}, "sub-1")

    return run_alone(read())


def test_userinfo_gives_the_identity_claims_of_the_id_token_s_subject_and_nothing_else() -> None:
    found = _userinfo_of({"sub": "sub-1", "name": "张小明", "id_number": ZHANG, "acr": "L4", "email": "z@x"})
    assert found == {"name": "张小明", "id_number": ZHANG}  # never `acr`: the level is the signed ID token's alone


@pytest.mark.parametrize("body", [{"sub": "sub-2", "name": "别人", "id_number": ZHANG}, {"name": "张小明"}, ["x"]])
def test_userinfo_of_another_subject_is_refused(body: Any) -> None:
    with pytest.raises(SignInFailed, match="用户信息与身份凭证不符"):
        _userinfo_of(body)


def test_a_signed_userinfo_answer_is_not_read_as_claims() -> None:
    with pytest.raises(ValueError):  # the callback answers it as a refused sign-in
        _userinfo_of("eyJhbGciOiJSUzI1NiJ9.e30.c2ln", content_type="application/jwt")


def test_an_id_token_lacks_the_identity_without_both_number_and_name() -> None:
    assert lacks_identity({"sub": "s", "acr": "L4"}) and lacks_identity({"name": "张小明"})
    assert not lacks_identity({"cn_id": ZHANG, "name": "张小明"})


def test_an_authorization_response_from_another_issuer_is_refused(client: Any, db: Any) -> None:
    make_account(db)
    page = client.get(face_redirect(client) + "&iss=https%3A%2F%2Fidp.elsewhere.example")
    assert page.status_code == 401 and "登录响应不是来自本平台的身份认证平台" in page.text
    assert persons(db) == 0


def test_given_a_provider_that_sends_iss_then_a_response_without_it_is_refused(
    client: Any, db: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_account(db)
    real = provider.metadata

    async def advertising(*args: Any) -> dict[str, Any]:
        return {**await real(*args), "authorization_response_iss_parameter_supported": True}

    monkeypatch.setattr(provider, "metadata", advertising)
    callback = face_redirect(client)
    assert "iss=" not in callback
    page = client.get(callback)
    assert page.status_code == 401 and "登录响应不是来自本平台的身份认证平台" in page.text
    assert persons(db) == 0


def test_the_issuer_setting_is_an_http_url_and_https_in_production() -> None:
    assert Settings(**PROD, oidc_issuer="https://idp.fujian.example").oidc_issuer == "https://idp.fujian.example"
    assert Settings(**PROD, oidc_issuer="http://127.0.0.1:8443").oidc_issuer  # a local relay on this machine
    assert Settings(env="test", oidc_issuer="http://idp.test:3000").oidc_issuer == "http://idp.test:3000"
    assert Settings(env="test", oidc_issuer="").oidc_issuer is None
    for issuer, message in (("http://idp.fujian.example", "必须使用 https"), ("idp.fujian.example", "http 或 https"),
                            ("https://idp.fujian.example/?x=1", "不带查询参数")):
        with pytest.raises(ValidationError, match=message):
            Settings(**PROD, oidc_issuer=issuer)


def test_the_scope_setting_must_ask_for_openid() -> None:
    assert Settings(env="test", oidc_scope="openid profile idcard").oidc_scope == "openid profile idcard"
    with pytest.raises(ValidationError, match="必须包含 openid"):
        Settings(env="test", oidc_scope="profile")
