"""The SMS dispatcher against a real HTTP gateway on a loopback port (tests/messages/gateway.py): a 2xx answer is
delivered once; a 500 or no answer within the timeout is tried again after a backoff, up to the limit, then failed;
a rollback sends nothing; a verification code reaches the gateway whole and is never in the database in plain."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
from sqlalchemy import Engine, text

from healthcode.config import Settings
from healthcode.db import transaction
from healthcode.messages import sms, sms_codes
from healthcode.messages.outbox import EXPIRED, SECRET_DELIVERY_WINDOW, UNREADABLE, Retry
from tests.messages.conftest import NOW, TOKEN, dispatch, queue, rows
from tests.messages.gateway import FAIL, HANG, OK, FakeGateway

PHONE = "13912345678"


def test_a_text_is_posted_once_as_utf8_json_with_the_bearer_token(engine: Engine, sms_settings: Settings,
                                                                   gateway: FakeGateway) -> None:
    # Given a reminder in the outbox
    queue(engine, [(PHONE, "【八闽健康码】请及时填报今日健康信息")])
    # When the dispatcher runs, twice
    first = dispatch(engine, sms_settings)
    second = dispatch(engine, sms_settings, NOW + timedelta(hours=1))
    # Then the gateway got it once, as the contract says, and the row is delivered after one try
    [got] = gateway.received
    assert got.path == "/sms/send" and got.headers["authorization"] == f"Bearer {TOKEN}"
    assert got.headers["content-type"].startswith("application/json")
    assert got.json == {"phone": PHONE, "text": "【八闽健康码】请及时填报今日健康信息"}
    assert "八闽健康码".encode() in got.raw  # UTF-8, not \\u escapes
    assert (first.delivered, second.total) == (1, 0)
    [row] = rows(engine)
    assert (row.status, row.attempts, row.delivered_at, row.next_attempt_at, row.last_error) == (
        "delivered", 1, NOW, None, None)


def test_without_a_token_no_authorization_header_is_sent(engine: Engine, sms_settings: Settings,
                                                         gateway: FakeGateway) -> None:
    queue(engine, [(PHONE, "你好")])
    dispatch(engine, sms_settings.model_copy(update={"sms_gateway_token": None}))
    [got] = gateway.received
    assert "authorization" not in got.headers


def test_a_failed_text_is_tried_again_after_its_backoff_then_delivered(engine: Engine, sms_settings: Settings,
                                                                       gateway: FakeGateway) -> None:
    # Given a gateway that answers 500 once, then 200
    gateway.script = [FAIL]
    queue(engine, [(PHONE, "第一条")])
    # When the dispatcher runs now, again at once, and after the backoff
    failed = dispatch(engine, sms_settings)
    [waiting] = rows(engine)
    too_soon = dispatch(engine, sms_settings, NOW + timedelta(seconds=4))
    later = dispatch(engine, sms_settings, NOW + timedelta(seconds=10))
    # Then the first try waits 5-10 s (base 10 s, jitter) with its error kept, and the second try delivers
    assert failed.retrying == 1 and too_soon.total == 0 and later.delivered == 1
    assert waiting.status == "pending" and waiting.attempts == 1 and waiting.last_error == "网关返回 HTTP 500"
    assert NOW + timedelta(seconds=5) <= waiting.next_attempt_at <= NOW + timedelta(seconds=10)  # type: ignore[operator]
    assert [r.answer for r in gateway.received] == [FAIL, OK]
    [row] = rows(engine)
    assert (row.status, row.attempts, row.delivered_at) == ("delivered", 2, NOW + timedelta(seconds=10))


def test_a_gateway_that_does_not_answer_in_time_counts_as_a_failed_try(engine: Engine, sms_settings: Settings,
                                                                       gateway: FakeGateway) -> None:
    gateway.script = [HANG]
    queue(engine, [(PHONE, "超时测试")])

    started = time.monotonic()
    tally = dispatch(engine, sms_settings.model_copy(update={"sms_gateway_timeout_seconds": 0.5}))

    assert time.monotonic() - started < 5  # the 0.5 s timeout, not the gateway's 30 s
    assert tally.retrying == 1
    [row] = rows(engine)
    assert (row.status, row.attempts, row.last_error) == ("pending", 1, "网关超时")


def test_after_the_last_try_a_text_is_failed_and_never_tried_again(engine: Engine, sms_settings: Settings,
                                                                   gateway: FakeGateway) -> None:
    # Given a gateway that always fails, and a limit of three tries
    gateway.default = FAIL
    queue(engine, [(PHONE, "总是失败")])
    # When the dispatcher runs every minute (past every backoff) for five minutes
    tallies = [dispatch(engine, sms_settings, NOW + timedelta(minutes=m)) for m in range(5)]
    # Then it tried three times and gave up
    assert [(t.retrying, t.failed) for t in tallies] == [(1, 0), (1, 0), (0, 1), (0, 0), (0, 0)]
    assert len(gateway.received) == 3
    [row] = rows(engine)
    assert (row.status, row.attempts, row.next_attempt_at, row.last_error) == ("failed", 3, None, "网关返回 HTTP 500")


def test_an_unreachable_gateway_is_a_failed_try_too(engine: Engine, sms_settings: Settings) -> None:
    closed = sms_settings.model_copy(update={"sms_gateway_url": "http://127.0.0.1:9/sms"})  # nothing listens
    queue(engine, [(PHONE, "连不上")])

    dispatch(engine, closed)

    [row] = rows(engine)
    assert row.status == "pending" and row.attempts == 1 and row.last_error.startswith("无法连接网关")  # type: ignore[union-attr]


def test_a_rolled_back_transaction_sends_nothing(engine: Engine, sms_settings: Settings,
                                                 gateway: FakeGateway) -> None:
    # Given a transaction that writes a text and then fails
    with pytest.raises(RuntimeError), transaction(engine) as session:
        sms.sender().send(session, [(PHONE, "不应发送")], NOW)
        raise RuntimeError("the caller's work failed")
    # When the dispatcher runs
    tally = dispatch(engine, sms_settings)
    # Then nothing was posted and nothing is in the outbox
    assert tally.total == 0 and gateway.received == [] and rows(engine) == []


def _code_from(text_: str) -> str:
    found = re.search(r"验证码为(\d{6})", text_)
    assert found is not None
    return found.group(1)


def _outbox_dump(engine: Engine) -> list[bytes]:
    """Every value of every column of sms_outbox and sms_codes, as bytes (text in UTF-8), to search for a code."""
    dump = []
    with engine.connect() as conn:
        for table in ("sms_outbox", "sms_codes"):
            for row in conn.execute(text(f"SELECT * FROM {table}")):
                for value in row:
                    if isinstance(value, (bytes, memoryview)):
                        dump.append(bytes(value))
                    elif value is not None:
                        dump.append(str(value).encode())
    return dump


def test_a_verification_code_reaches_the_gateway_whole_and_is_never_stored_in_plain(
        engine: Engine, sms_settings: Settings, gateway: FakeGateway) -> None:
    # Given a code sent outside development (log_text False: the code is the text's secret)
    with transaction(engine) as session:
        sms_codes.send(session, PHONE, "test", secret_key=sms_settings.secret_key, now=NOW, log_text=False)
    before = _outbox_dump(engine)
    [pending] = rows(engine)
    # When the dispatcher delivers it
    dispatch(engine, sms_settings)
    # Then the gateway got the full text with the code, the table never held it: masked body, sealed text until
    # delivery (opaque bytes), nothing sealed after
    [got] = gateway.received
    code = _code_from(got.json["text"])
    assert got.json["phone"] == PHONE
    assert "验证码为******" in pending.body and pending.sealed is not None
    assert not [v for v in before if code.encode() in v]
    after = _outbox_dump(engine)
    assert not [v for v in after if code.encode() in v]
    [row] = rows(engine)
    assert row.status == "delivered" and row.sealed is None and "验证码为******" in row.body


def test_a_failed_code_is_wiped_too(engine: Engine, sms_settings: Settings, gateway: FakeGateway) -> None:
    gateway.default = FAIL
    with transaction(engine) as session:
        sms_codes.send(session, PHONE, "test", secret_key=sms_settings.secret_key, now=NOW, log_text=False)

    for m in range(3):
        dispatch(engine, sms_settings, NOW + timedelta(minutes=m))

    [row] = rows(engine)
    assert row.status == "failed" and row.sealed is None


def test_a_code_past_its_window_or_sealed_under_another_key_fails_without_a_post(
        engine: Engine, sms_settings: Settings, gateway: FakeGateway) -> None:
    # Given a code written longer ago than a code lives, and one sealed under a secret key since replaced
    queue(engine, [(PHONE, "验证码为123456")], at=NOW - SECRET_DELIVERY_WINDOW - timedelta(seconds=1),
          secret="123456", secret_key=sms_settings.secret_key)
    queue(engine, [(PHONE, "验证码为654321")], secret="654321", secret_key="an-older-secret-key")
    # When the dispatcher runs
    tally = dispatch(engine, sms_settings)
    # Then neither is posted; both are failed with their reason and wiped
    assert gateway.received == [] and tally.failed == 2
    assert [(r.status, r.attempts, r.last_error, r.sealed) for r in rows(engine)] == [
        ("failed", 0, EXPIRED, None), ("failed", 0, UNREADABLE, None)]


def test_the_backoff_doubles_up_to_its_cap_with_jitter() -> None:
    low, high = Retry(6, 5.0, 60.0, rand=lambda: 0.0), Retry(6, 5.0, 60.0, rand=lambda: 1.0)
    assert [high.delay(n).total_seconds() for n in range(1, 6)] == [5, 10, 20, 40, 60]
    assert [low.delay(n).total_seconds() for n in range(1, 6)] == [2.5, 5, 10, 20, 30]
