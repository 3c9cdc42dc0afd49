"""Where an SMS code is asked for (the scanner's registration, the enterprise's verification), development shows a
link to the development outbox (/dev/sms); production, where that page is not mounted, shows none."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from healthcode.app import create_app
from healthcode.config import Settings
from tests.enterprise.factories import id_number, registered, uscc_code

LINK = '/dev/sms" target="_blank"'


@pytest.fixture
def prod_client(engine: Engine, tmp_path: Path, database_url: str) -> Iterator[TestClient]:
    prod = Settings(env="prod", secret_key="s" * 40, oidc_issuer="https://idp.fujian.example",
                    oidc_client_secret="real-secret", data_dir=tmp_path, database_url=database_url)
    with TestClient(create_app(prod, engine), base_url="https://testserver") as client:
        yield client


def _verification_page(db: Session, client: TestClient) -> Any:
    registered(db, 1, "福州甲公司", operator=id_number(202), legal=id_number(201), verified=False)
    page = client.post("/gov/login", data={"username": uscc_code(1), "password": "Abc12345!x"})
    assert str(page.url).endswith("/ent/verify")
    return page


def test_development_links_the_outbox_where_a_code_is_asked_for(client: TestClient, db: Session, freeze) -> None:
    freeze("2020-02-24 09:00")
    register = client.get("/scanner/register")
    verify = _verification_page(db, client)

    for page in (register, verify):
        assert LINK in page.text and "开发短信发件箱" in page.text
    assert client.get("/dev/sms").status_code == 200


def test_production_shows_no_link_and_has_no_outbox_page(prod_client: TestClient, db: Session, freeze) -> None:
    freeze("2020-02-24 09:00")
    register = prod_client.get("/scanner/register")
    verify = _verification_page(db, prod_client)

    for page in (register, verify):
        assert page.status_code == 200 and "/dev/sms" not in page.text and "开发短信发件箱" not in page.text
    assert prod_client.get("/dev/sms").status_code == 404
