"""The platform's real-name sign-in through the real OIDC flow (relying party <-> the mounted dev provider)."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import pytest
from sqlalchemy import func, select

from healthcode.identity.errors import SignInFailed
from healthcode.identity.relyingparty import verify_id_token
from healthcode.residents.models import Person
from tests.identity.flow import LI, ZHANG, make_account, open_login, sign_in


def persons(db: Any) -> int:
    db.rollback()  # a fresh snapshot: the app committed in its own transactions
    return db.scalar(select(func.count()).select_from(Person))


def face_redirect(client: Any, id_number: str = ZHANG) -> str:
    """Runs the provider's pages and returns the callback URL it redirects to (not followed)."""
    authorize_url = str(open_login(client).url)
    client.post(authorize_url, data={"step": "password", "id_number": id_number, "password": "Passw0rd"})
    response = client.post(authorize_url, data={"step": "face"}, follow_redirects=False)
    assert response.status_code == 302
    return response.headers["location"]


def test_given_an_l4_resident_when_signing_in_then_a_person_and_a_session_exist(
    client: Any, db: Any, freeze: Any
) -> None:
    freeze("2020-02-24 09:00")
    make_account(db)
    home = sign_in(client)
    assert home.status_code == 200 and str(home.url) == "http://testserver/citizen/"
    assert "张*明" in home.text and "亮码" in home.text
    person = db.scalar(select(Person).where(Person.id_number == ZHANG))
    assert (person.name, person.assurance_level, str(person.signed_in_at)) == ("张小明", "L4", "2020-02-24 09:00:00")
    assert client.get("/api/v1/me/code").status_code == 200


def test_the_login_request_carries_state_nonce_and_an_s256_challenge(client: Any) -> None:
    query = parse_qs(urlsplit(str(open_login(client).url)).query)
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) == 43
    assert query["state"][0] and query["nonce"][0] and query["acr_values"] == ["L4"]


def test_given_an_l3_resident_when_signing_in_then_refused_with_a_chinese_page(client: Any, db: Any) -> None:
    make_account(db, LI, "李四", level="L3")
    page = sign_in(client, LI)
    assert page.status_code == 403
    assert "需要完成L4实名认证" in page.text and "L3" in page.text
    assert persons(db) == 0
    assert client.get("/api/v1/me/code").status_code == 401


def test_given_a_lower_minimum_level_then_an_l3_resident_is_accepted(client: Any, db: Any) -> None:
    client.app.state.settings = client.app.state.settings.model_copy(update={"min_assurance_level": "L3"})
    make_account(db, LI, "李四", level="L3")
    assert sign_in(client, LI).status_code == 200
    assert persons(db) == 1


def test_the_refusal_names_the_level_the_platform_asks_for(client: Any, db: Any) -> None:
    client.app.state.settings = client.app.state.settings.model_copy(update={"min_assurance_level": "L3"})
    make_account(db, LI, "李四", level="L2")
    page = sign_in(client, LI)
    assert page.status_code == 403 and "需要完成L3实名认证" in page.text and "L4" not in page.text


def test_given_a_tampered_state_when_the_callback_arrives_then_refused(client: Any, db: Any) -> None:
    make_account(db)
    parts = urlsplit(face_redirect(client))
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    query["state"] = "forged-state"
    page = client.get(urlunsplit(parts._replace(query=urlencode(query))))
    assert page.status_code == 401 and "登录状态校验失败" in page.text
    assert persons(db) == 0


def test_given_a_callback_from_another_browser_session_then_refused(client: Any, db: Any) -> None:
    """A code and state handed to a browser that never started this sign-in (login CSRF) are refused."""
    make_account(db)
    callback = face_redirect(client)
    client.cookies.clear()
    page = client.get(callback)
    assert page.status_code == 401 and persons(db) == 0


def test_given_a_tampered_pkce_verifier_then_the_token_exchange_is_refused(client: Any, db: Any) -> None:
    make_account(db)
    open_login(client)
    # The verifier lives in the signed session cookie; a callback whose code was issued for another challenge fails.
    from tests.identity.test_devprovider import authorize, code_of

    other_code = code_of(authorize(client, state="st-2", nonce="n-2"))
    state = parse_qs(urlsplit(str(open_login(client).url)).query)["state"][0]
    page = client.get(f"/citizen/login/callback?code={other_code}&state={state}")
    assert page.status_code == 401 and "拒绝了本次登录" in page.text
    assert persons(db) == 0


def test_given_the_resident_cancels_then_the_platform_says_so(client: Any, db: Any) -> None:
    authorize_url = str(open_login(client).url)
    page = client.post(authorize_url, data={"step": "cancel"})
    assert page.status_code == 401 and "已取消登录" in page.text


def test_a_signed_in_resident_can_sign_out(client: Any, db: Any) -> None:
    make_account(db)
    sign_in(client)
    client.post("/citizen/logout")
    assert client.get("/api/v1/me/code").status_code == 401


def test_an_id_token_with_a_bad_signature_or_nonce_is_refused(client: Any, db: Any) -> None:
    make_account(db)
    from tests.identity.test_devprovider import authorize, code_of, exchange

    token = exchange(client, code_of(authorize(client))).json()
    jwks = client.get("/dev-idp/jwks.json").json()
    good = {"issuer": "http://testserver/dev-idp", "client_id": "healthcode-platform", "nonce": "nonce-1",
            "access_token": token["access_token"], "algorithms": ["RS256"]}
    assert verify_id_token(token["id_token"], jwks, **good)["acr"] == "L4"
    head, payload, signature = token["id_token"].split(".")
    forged = f"{head}.{payload}.{signature[:-4]}AAAA"
    for id_token, changes in ((forged, {}), (token["id_token"], {"nonce": "other"}),
                              (token["id_token"], {"issuer": "https://elsewhere"}),
                              (token["id_token"], {"client_id": "another-client"})):
        with pytest.raises(SignInFailed):
            verify_id_token(id_token, jwks, **{**good, **changes})


def _provider_reads(client: Any, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The paths of the GETs the relying party sends the identity platform from now on."""
    import httpx

    seen: list[str] = []
    real = httpx.AsyncClient.request

    async def request(self: Any, method: str, url: Any, *args: Any, **kwargs: Any) -> Any:
        if method == "GET":
            seen.append(urlsplit(str(url)).path)
        return await real(self, method, url, *args, **kwargs)

    monkeypatch.setattr(httpx.AsyncClient, "request", request)
    return seen


def test_given_two_sign_ins_then_the_platform_s_discovery_and_keys_are_read_once(
    client: Any, db: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_account(db)
    make_account(db, LI, "李芳")
    reads = _provider_reads(client, monkeypatch)
    assert sign_in(client).status_code == 200
    client.post("/citizen/logout")
    assert sign_in(client, LI).status_code == 200
    assert reads == ["/dev-idp/.well-known/openid-configuration", "/dev-idp/jwks.json"]


def test_given_kept_keys_without_the_token_s_key_then_the_keys_are_read_again(
    client: Any, db: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_account(db)
    assert sign_in(client).status_code == 200
    client.post("/citizen/logout")
    # Given the platform has rotated its key since the relying party read them
    kept = client.app.state.identity_provider
    for key, (at, value) in list(kept.items()):
        if key[0] == "keys":
            kept[key] = (at, {"keys": [dict(k, kid="retired") for k in value["keys"]]})
    reads = _provider_reads(client, monkeypatch)
    # When the next resident signs in, then the new keys are read and the sign-in succeeds
    assert sign_in(client).status_code == 200
    assert reads == ["/dev-idp/jwks.json"]
