"""The dispatcher inside the server (started by the app's lifespan when a gateway is configured): a text a request
wrote reaches the gateway within seconds of the commit; texts written by other processes are found by polling; the
dispatcher never holds the database while it waits for the gateway; it stops cleanly with the server."""

from __future__ import annotations

import time

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from healthcode.app import create_app
from healthcode.config import Settings
from healthcode.db import transaction
from healthcode.messages import repository, sms
from tests.messages.conftest import NOW, rows, wait_until
from tests.messages.gateway import HANG, FakeGateway

PHONE = "13912345678"


def test_a_text_written_by_a_request_reaches_the_gateway_within_seconds(engine: Engine, sms_settings: Settings,
                                                                        gateway: FakeGateway) -> None:
    # Given a server whose dispatcher would look for texts only once a minute by itself
    slow_poll = sms_settings.model_copy(update={"sms_poll_seconds": 60})
    with TestClient(create_app(slow_poll, engine)) as client:
        # When a request writes a text (the scanner registration's code)
        started = time.monotonic()
        assert client.post("/scanner/register/sms", data={"phone": PHONE}).status_code == 200
        # Then the commit wakes the dispatcher: the gateway has it within seconds, and the row is delivered
        [got] = gateway.wait_for(1, timeout=5)
        wait_until(lambda: rows(engine)[0].status == "delivered", timeout=5)
        assert time.monotonic() - started < 5
    assert got.json["phone"] == PHONE and "验证码为" in got.json["text"]


def test_texts_of_other_processes_are_found_by_polling(engine: Engine, sms_settings: Settings,
                                                       gateway: FakeGateway) -> None:
    with TestClient(create_app(sms_settings.model_copy(update={"sms_poll_seconds": 0.2}), engine)):
        # Given a text written without this process's wake-up (as another process would)
        with transaction(engine) as session:
            repository.add_sms(session, [{"phone": PHONE, "body": "别的进程写入", "created_at": NOW,
                                          "next_attempt_at": NOW}])
        # Then the next poll delivers it
        [got] = gateway.wait_for(1, timeout=5)
    assert got.json["text"] == "别的进程写入"


def test_the_database_is_free_while_a_post_waits_and_shutdown_ends_the_round(engine: Engine, sms_settings: Settings,
                                                                             gateway: FakeGateway) -> None:
    # Given a gateway that does not answer, and a 4 s timeout
    gateway.default = HANG
    settings = sms_settings.model_copy(update={"sms_gateway_timeout_seconds": 4.0})
    client = TestClient(create_app(settings, engine))
    with client:
        client.post("/scanner/register/sms", data={"phone": PHONE})
        gateway.wait_for(1, timeout=5)
        # When another request uses the database while the post hangs
        started = time.monotonic()
        page = client.get("/dev/sms")
        # Then it is answered at once (on SQLite the dispatcher waits for the gateway outside the one-writer turn)
        assert page.status_code == 200 and time.monotonic() - started < 2.5
        stopping = time.monotonic()
    # And stopping the server waited for the round under way to time out and be recorded, no longer
    assert time.monotonic() - stopping < 8
    [row] = rows(engine)
    assert (row.status, row.attempts, row.last_error) == ("pending", 1, "网关超时")


def test_without_a_gateway_nothing_dispatches(engine: Engine, settings: Settings) -> None:
    assert settings.sms_gateway_url is None
    with TestClient(create_app(settings, engine)) as client:
        assert not sms._wakers  # no dispatcher waits for commits
        assert client.post("/scanner/register/sms", data={"phone": PHONE}).status_code == 200
    [row] = rows(engine)
    assert (row.status, row.attempts) == ("pending", 0)
