"""Real-name sign-in against an identity provider nobody here wrote (issue 14): the npm package `oidc-provider`, a
certified OpenID Provider, run with node on a loopback port (tests/identity/oidc_provider.mjs), and the platform in
uvicorn with HEALTHCODE_OIDC_ISSUER pointing at it; Chromium walks the whole code flow through the provider's login
form. The provider signs its ID tokens ES256 and gives the name and the ID number in userinfo only. Screenshots of
the provider's login page and of the refusal go to tests/browser/screenshots/."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import pytest
from sqlalchemy import Engine, select

from healthcode.config import Settings
from healthcode.residents.models import Person
from tests.browser.conftest import PHONE, loopback_socket, serving, socket_url
from tests.identity.flow import LI, ZHANG
from tests.identity.nodeprovider import Account, running_provider

pytestmark = pytest.mark.browser

SHOTS = Path(__file__).resolve().parent / "screenshots"
CLIENT_ID = "healthcode-platform"
CLIENT_SECRET = "oidc-provider-test-secret-0123456789abcdef"
ACCOUNTS = [
    Account("zhangxm", "Zhang-pw-1", "L4", {"name": "张小明", "id_number": ZHANG}),
    Account("lisi", "Li-pw-2", "L3", {"name": "李四", "id_number": LI}),
]


@dataclass(frozen=True)
class Site:
    url: str  # the platform
    issuer: str  # oidc-provider


@pytest.fixture
def site(engine: Engine, settings: Settings, tmp_path: Path) -> Iterator[Site]:
    """The platform, configured for oidc-provider as for a province's platform: its issuer, client secret and a
    scope of its own for the ID number (`idcard`)."""
    from healthcode.app import create_app

    sock = loopback_socket()
    try:
        with running_provider(tmp_path, redirect_uri=f"{socket_url(sock)}/citizen/login/callback",
                              client_id=CLIENT_ID, client_secret=CLIENT_SECRET, accounts=ACCOUNTS) as issuer:
            configured = settings.model_copy(update={"oidc_issuer": issuer, "oidc_client_id": CLIENT_ID,
                                                     "oidc_client_secret": CLIENT_SECRET,
                                                     "oidc_scope": "openid profile idcard"})
            with serving(create_app(configured, engine), sock) as url:
                yield Site(url, issuer)
    finally:
        sock.close()


@pytest.fixture
def page(browser: Any, site: Site) -> Iterator[Any]:
    context = browser.new_context(base_url=site.url, **PHONE)
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()


def persons(engine: Engine) -> list[tuple[str, str, str | None]]:
    with engine.connect() as conn:
        return [tuple(row) for row in conn.execute(select(Person.id_number, Person.name, Person.assurance_level))]


def sign_in_at_provider(page: Any, site: Site, account: Account, shot: str | None = None) -> None:
    """From the citizen portal to oidc-provider's login form, and its submission."""
    page.goto("/citizen/")
    page.get_by_test_id("login").tap()
    page.wait_for_url(re.compile(rf"^{re.escape(site.issuer)}/interaction/"))
    if shot:
        page.screenshot(path=str(SHOTS / shot))
    page.fill("#login", account.login)
    page.fill("#password", account.password)
    page.locator("#submit").tap()


def test_an_l4_account_of_oidc_provider_signs_in_and_reaches_the_citizen_home(
    page: Any, site: Site, engine: Engine
) -> None:
    sign_in_at_provider(page, site, ACCOUNTS[0], shot="oidc-provider-login.png")
    page.wait_for_url(re.compile(rf"^{re.escape(site.url)}/citizen/$"))
    assert page.get_by_text("张*明").is_visible()
    assert persons(engine) == [(ZHANG, "张小明", "L4")]
    assert page.request.get("/api/v1/me/code").status == 200


def test_an_l3_account_of_oidc_provider_is_refused_with_the_level_page(
    page: Any, site: Site, engine: Engine
) -> None:
    sign_in_at_provider(page, site, ACCOUNTS[1])
    page.get_by_text("需要完成L4实名认证").wait_for()
    assert "当前实名认证等级为 L3" in page.locator("main").inner_text()
    page.screenshot(path=str(SHOTS / "oidc-provider-level-refused.png"))
    assert persons(engine) == []
    assert page.request.get("/api/v1/me/code").status == 401


def _tampered(url: str, name: str, value: str) -> str:
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    assert name in dict(query), url
    return urlunsplit(parts._replace(query=urlencode([(key, value if key == name else old) for key, old in query])))


def tamper_redirect(page: Any, name: str, value: str, *, until: str) -> Any:
    """A route handler for a page's own request (Playwright cannot route the hops of a redirect chain): it follows
    the chain itself, with the context's cookies, up to the first redirect to a URL starting with `until`, and sends
    the browser there with the query parameter `name` set to `value`."""

    def handler(route: Any) -> None:
        response = route.fetch(max_redirects=0)
        location = urljoin(route.request.url, response.headers["location"])
        while not location.startswith(until):
            location = urljoin(location, page.request.get(location, max_redirects=0).headers["location"])
        route.fulfill(status=303, headers={"location": _tampered(location, name, value)})

    return handler


@pytest.mark.parametrize(("name", "value", "refusal"), [
    ("state", "forged", "登录状态校验失败"),
    ("iss", "https://idp.elsewhere.example", "登录响应不是来自本平台的身份认证平台"),
    ("nonce", "forged-nonce", "身份凭证校验失败"),
])
def test_a_tampered_state_nonce_or_issuer_is_refused_and_signs_nobody_in(
    page: Any, site: Site, engine: Engine, name: str, value: str, refusal: str
) -> None:
    if name == "nonce":  # the platform's request on its way to the provider: the ID token then carries another nonce
        page.route(f"{site.url}/citizen/login", tamper_redirect(page, name, value, until=f"{site.issuer}/auth?"))
    else:  # the provider's answer on its way back to the platform, from the login form's submission on
        page.route(re.compile(rf"^{re.escape(site.issuer)}/interaction/[^/]+/login$"),
                   tamper_redirect(page, name, value, until=f"{site.url}/citizen/login/callback?"))
    sign_in_at_provider(page, site, ACCOUNTS[0])
    page.get_by_text(refusal).wait_for()
    assert persons(engine) == []
    assert page.request.get("/api/v1/me/code").status == 401
