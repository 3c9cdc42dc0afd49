"""`healthcode sms dispatch [--once]`: the dispatcher as a separate worker, with a Chinese summary; refused without
a gateway. The long-running worker is run as the real command in a subprocess and stopped as a service manager
would (SIGTERM)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

import healthcode.cli as cli
from healthcode.config import get_settings
from healthcode.db import migrate
from tests.messages.conftest import NOW, TOKEN, in_thread, queue, rows
from tests.messages.gateway import FAIL, FakeGateway
from tests.migrating import empty_database

runner = CliRunner()


@pytest.fixture
def gateway_env(cli_engine: Engine, freeze, gateway: FakeGateway, monkeypatch: pytest.MonkeyPatch) -> FakeGateway:
    freeze(NOW)
    monkeypatch.setenv("HEALTHCODE_SMS_GATEWAY_URL", gateway.url)
    monkeypatch.setenv("HEALTHCODE_SMS_GATEWAY_TOKEN", TOKEN)
    get_settings.cache_clear()
    return gateway


def test_once_delivers_what_is_due_and_prints_a_summary(engine: Engine, gateway_env: FakeGateway) -> None:
    queue(engine, [("13912345678", "第一条"), ("13800000001", "第二条")])

    result = in_thread(runner.invoke, cli.app, ["sms", "dispatch", "--once"])

    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "短信投递：已送达 2 条，待重试 0 条，已失败 0 条（不再重试）"
    assert sorted(gateway_env.texts()) == ["第一条", "第二条"]
    assert {r.status for r in rows(engine)} == {"delivered"}


def test_once_counts_a_failed_try_as_waiting_for_its_retry(engine: Engine, gateway_env: FakeGateway) -> None:
    gateway_env.default = FAIL
    queue(engine, [("13912345678", "第一条")])

    result = in_thread(runner.invoke, cli.app, ["sms", "dispatch", "--once"])

    assert result.exit_code == 0 and "待重试 1 条" in result.stdout
    [row] = rows(engine)
    assert row.attempts == 1 and row.last_error == "网关返回 HTTP 500"


def test_without_a_gateway_the_command_refuses(cli_engine: Engine) -> None:
    result = in_thread(runner.invoke, cli.app, ["sms", "dispatch", "--once"])

    assert result.exit_code == 1 and "未设置短信网关" in result.output


def test_the_worker_delivers_until_it_is_told_to_stop(tmp_path: Path, gateway: FakeGateway) -> None:
    # Given a database with a text in the outbox
    with empty_database(tmp_path) as (engine, _schema):
        migrate(engine)
        queue(engine, [("13912345678", "来自独立进程")], at=NOW)
        env = {k: v for k, v in os.environ.items() if not k.startswith("HEALTHCODE_")}
        env.update(HEALTHCODE_DATA_DIR=str(tmp_path / "var"), HEALTHCODE_SMS_GATEWAY_URL=gateway.url,
                   HEALTHCODE_DATABASE_URL=engine.url.render_as_string(hide_password=False))
        # When the worker runs as its own process
        worker = subprocess.Popen([sys.executable, "-m", "healthcode.cli", "sms", "dispatch"], env=env,
                                  cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            [got] = gateway.wait_for(1, timeout=30)
        finally:
            worker.send_signal(signal.SIGTERM)
            out, err = worker.communicate(timeout=30)
        # Then it delivered the text, and stopped on SIGTERM with its summary
        assert got.json == {"phone": "13912345678", "text": "来自独立进程"}
        assert worker.returncode == 0, err
        assert "正在投递短信到网关 127.0.0.1" in err
        assert out.strip() == "短信投递：已送达 1 条，待重试 0 条，已失败 0 条（不再重试）"
        assert [r.status for r in rows(engine)] == ["delivered"]
