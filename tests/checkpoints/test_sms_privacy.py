"""Under ENV=prod an SMS verification code is stored nowhere in plain text: the code table holds its keyed hash and
the outbox row reads 验证码为******; only the gateway is handed the full text. In development the outbox keeps it."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from datetime import datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from healthcode.app import create_app
from healthcode.checkpoints.models import Scanner
from healthcode.config import Settings
from healthcode.messages import sms
from healthcode.messages.models import SmsCode, SmsOutbox
from tests.checkpoints.factories import NOW, id_number, org

PHONE = "13912345678"


class Gateway(sms.OutboxSms):
    """A gateway as production would install one: stores the outbox row as the outbox does, and is handed the full
    texts (kept here in memory, as a real one would send them)."""

    def __init__(self) -> None:
        self.handed: list[str] = []

    def send(self, session: Session, texts: Sequence[tuple[str, str]], now: datetime, *,
             secret: str | None = None) -> None:
        super().send(session, texts, now, secret=secret)
        self.handed += [t for _, t in texts]


@pytest.fixture
def gateway() -> Iterator[Gateway]:
    installed = Gateway()
    previous = sms.sender()
    sms.use_sender(installed)
    yield installed
    sms.use_sender(previous)


@pytest.fixture
def prod_client(engine: Engine, tmp_path: Path, database_url: str) -> Iterator[TestClient]:
    prod = Settings(env="prod", secret_key="s" * 40, oidc_issuer="https://idp.fujian.example",
                    oidc_client_secret="real-secret", data_dir=tmp_path, database_url=database_url)
    with TestClient(create_app(prod, engine), base_url="https://testserver") as client:
        yield client


def _form(uscc: str, code: str) -> dict[str, str]:
    return {"org_name": "测试单位1", "uscc": uscc, "phone": PHONE, "sms_code": code, "name": "王芳",
            "id_number": id_number(321), "password": "Abc12345", "password_confirm": "Abc12345"}


def test_under_prod_the_code_is_stored_only_as_a_keyed_hash_and_the_outbox_masks_it(
        db: Session, prod_client: TestClient, gateway: Gateway, freeze) -> None:
    freeze(NOW)
    admin = org(db)

    assert prod_client.post("/scanner/register/sms", data={"phone": PHONE}).status_code == 200

    [handed] = gateway.handed
    code = re.search(r"验证码为(\d{6})", handed).group(1)  # type: ignore[union-attr]
    row = db.scalars(select(SmsCode)).one()
    assert code not in row.code_hash and len(row.code_hash) == 64
    [body] = db.scalars(select(SmsOutbox.body)).all()
    assert code not in body and "验证码为******，5分钟内有效" in body
    db.rollback()
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    assert prod_client.post("/scanner/register", data=_form(admin.username, wrong)).status_code == 422
    page = prod_client.post("/scanner/register", data=_form(admin.username, code))
    assert page.status_code == 200, page.text
    assert db.scalars(select(Scanner.phone)).all() == [PHONE]


def test_in_development_the_outbox_keeps_the_code_for_the_dev_page(db: Session, client: TestClient,
                                                                   gateway: Gateway, freeze) -> None:
    freeze(NOW)
    client.post("/scanner/register/sms", data={"phone": PHONE})

    [handed] = gateway.handed
    [body] = db.scalars(select(SmsOutbox.body)).all()
    assert body == handed and re.search(r"验证码为\d{6}", body)
