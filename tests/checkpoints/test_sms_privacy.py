"""Under ENV=prod an SMS verification code is stored nowhere in plain text: the code table holds its keyed hash and
the outbox row reads 验证码为******; only the gateway gets the full text (the server's dispatcher posts it to a real
HTTP gateway on a loopback port). In development the outbox keeps it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from healthcode.app import create_app
from healthcode.checkpoints.models import Scanner
from healthcode.config import Settings
from healthcode.messages.models import SmsCode, SmsOutbox
from tests.checkpoints.factories import NOW, id_number, org
from tests.messages.gateway import FakeGateway, serve

PHONE = "13912345678"


@pytest.fixture
def gateway() -> Iterator[FakeGateway]:
    yield from serve()


@pytest.fixture
def prod_client(engine: Engine, tmp_path: Path, database_url: str, gateway: FakeGateway) -> Iterator[TestClient]:
    prod = Settings(env="prod", secret_key="s" * 40, oidc_issuer="https://idp.fujian.example",
                    oidc_client_secret="real-secret", data_dir=tmp_path, database_url=database_url,
                    sms_gateway_url=gateway.url)  # http to this machine: allowed in production
    with TestClient(create_app(prod, engine), base_url="https://testserver") as client:
        yield client


@pytest.fixture
def dev_client(engine: Engine, settings: Settings, gateway: FakeGateway) -> Iterator[TestClient]:
    with TestClient(create_app(settings.model_copy(update={"sms_gateway_url": gateway.url}), engine)) as client:
        yield client


def _stored(db: Session) -> str:
    """Every value of the outbox and the code table, as text (bytes as their hex and raw characters)."""
    values = []
    for table in ("sms_outbox", "sms_codes"):
        for row in db.execute(text(f"SELECT * FROM {table}")):
            values += [bytes(v).decode("latin-1") if isinstance(v, (bytes, memoryview)) else str(v) for v in row]
    return "\n".join(values)


def _form(uscc: str, code: str) -> dict[str, str]:
    return {"org_name": "测试单位1", "uscc": uscc, "phone": PHONE, "sms_code": code, "name": "王芳",
            "id_number": id_number(321), "password": "Abc12345", "password_confirm": "Abc12345"}


def test_under_prod_the_code_is_stored_only_as_a_keyed_hash_and_the_outbox_masks_it(
        db: Session, prod_client: TestClient, gateway: FakeGateway, freeze) -> None:
    freeze(NOW)
    admin = org(db)

    assert prod_client.post("/scanner/register/sms", data={"phone": PHONE}).status_code == 200

    [handed] = gateway.wait_for(1)
    code = re.search(r"验证码为(\d{6})", handed.json["text"]).group(1)  # type: ignore[union-attr]
    row = db.scalars(select(SmsCode)).one()
    assert code not in row.code_hash and len(row.code_hash) == 64
    [body] = db.scalars(select(SmsOutbox.body)).all()
    assert code not in body and "验证码为******，5分钟内有效" in body
    assert code not in _stored(db)
    db.rollback()
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    assert prod_client.post("/scanner/register", data=_form(admin.username, wrong)).status_code == 422
    page = prod_client.post("/scanner/register", data=_form(admin.username, code))
    assert page.status_code == 200, page.text
    assert db.scalars(select(Scanner.phone)).all() == [PHONE]


def test_in_development_the_outbox_keeps_the_code_for_the_dev_page(db: Session, dev_client: TestClient,
                                                                   gateway: FakeGateway, freeze) -> None:
    freeze(NOW)
    dev_client.post("/scanner/register/sms", data={"phone": PHONE})

    [handed] = gateway.wait_for(1)
    [body] = db.scalars(select(SmsOutbox.body)).all()
    assert body == handed.json["text"] and re.search(r"验证码为\d{6}", body)
