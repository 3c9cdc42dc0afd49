"""Settings reach the code one way: the app made with `create_app(settings)` runs on those settings (its clock, rule
set, code TTL, secret, CA login) whatever the environment says; only where a process starts is the environment read.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from healthcode import clock
from healthcode.accounts import tokens
from healthcode.app import create_app
from healthcode.codes import keys
from healthcode.codes.errors import NoSigningKey
from healthcode.codes.models import SigningKey
from healthcode.config import Settings, get_settings
from healthcode.errors import Unauthorised
from healthcode.rules import ruleset
from tests.checkpoints.factories import org, scanner, token
from tests.identity.flow import ZHANG, make_account, sign_in
from tests.residents.citizen import fever_visit

ROOT = Path(__file__).resolve().parents[1]
OWN_NOW = datetime(2020, 2, 24, 9, 0)
ENV_SECRET = "the-environment's-secret-of-32-characters"
OWN_SECRET = "the-app's-own-secret-of-at-least-32-chars"
LENIENT = ruleset.RuleSet(id="test-lenient", name="不赋橙码的测试规则集", colors=("green",),
                          color_labels=MappingProxyType({"green": "绿码"}), rules=())


@pytest.fixture
def environment_says(monkeypatch: pytest.MonkeyPatch) -> None:
    """An environment that disagrees with the app's settings on every point these tests look at."""
    for name, value in (("FIXED_NOW", "2021-06-01T12:00:00"), ("SECRET_KEY", ENV_SECRET), ("CODE_TTL_SECONDS", "300"),
                        ("RULE_SET", "fj-2020-02"), ("ENT_CA_FILE", "/nonexistent/ca.pem")):
        monkeypatch.setenv(f"HEALTHCODE_{name}", value)
    get_settings.cache_clear()


@pytest.fixture
def own(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """The app's own settings: another day, secret, TTL and rule set (registered like any later rule set)."""
    monkeypatch.setattr(ruleset, "RULE_SETS", MappingProxyType({**ruleset.RULE_SETS, LENIENT.id: LENIENT}))
    return settings.model_copy(update={"fixed_now": OWN_NOW, "secret_key": OWN_SECRET, "code_ttl_seconds": 120,
                                       "ent_ca_file": None})


def app_client(engine: Engine, settings: Settings) -> TestClient:
    return TestClient(create_app(settings, engine))


def test_the_app_runs_on_its_own_clock_rule_set_and_ttl_not_the_environments(
        engine: Engine, db: Any, tmp_path: Path, own: Settings, environment_says: None) -> None:
    make_account(db)
    fever_visit(engine, tmp_path, ZHANG, "张小明", "2020-02-23 10:00:00")  # yesterday, by the app's clock
    for rule_set, color in (("fj-2020-02", "orange"), (LENIENT.id, "green")):
        with app_client(engine, own.model_copy(update={"rule_set": rule_set})) as client:
            assert sign_in(client).status_code == 200
            code = client.get("/api/v1/me/code").json()
        assert code["issued_at"] == "2020-02-24T09:00:00+08:00"
        assert code["expires_at"] == "2020-02-24T09:02:00+08:00"  # the app's 120 s, not the environment's 300
        assert code["color"] == color, rule_set


def test_the_app_signs_and_checks_with_its_own_secret(engine: Engine, db: Any, own: Settings,
                                                      environment_says: None) -> None:
    make_account(db)
    phone = scanner(db, org(db).username)
    with app_client(engine, own) as client:
        headers = token(client, phone)
        assert client.get("/api/v1/checkpoint/me", headers=headers).status_code == 200
        assert sign_in(client).status_code == 200
        assert client.get("/api/v1/me/code").status_code == 200
    bearer = headers["Authorization"].removeprefix("Bearer ")
    assert tokens.read(OWN_SECRET, bearer).kind == "scanner"
    with pytest.raises(Unauthorised):
        tokens.read(ENV_SECRET, bearer)
    # The code-signing key the app made is encrypted with the app's secret.
    db.rollback()
    stored = db.scalars(select(SigningKey)).one()
    assert keys.current_signing_key(db, OWN_NOW, OWN_SECRET).kid == stored.kid
    db.rollback()
    with pytest.raises(NoSigningKey):
        keys.current_signing_key(db, OWN_NOW, ENV_SECRET)


def test_the_ca_login_follows_the_apps_settings(engine: Engine, own: Settings, tmp_path: Path,
                                                environment_says: None) -> None:
    with app_client(engine, own) as client:  # the environment names a CA file; the app's settings none
        assert client.get("/ent/ca-login").status_code == 404


def test_a_printed_card_follows_the_apps_validity_and_font_not_the_environments(
        engine: Engine, db: Any, own: Settings, environment_says: None, monkeypatch: pytest.MonkeyPatch) -> None:
    from healthcode.codes.models import PrintedCard

    monkeypatch.setenv("HEALTHCODE_CARD_VALIDITY_DAYS", "365")
    monkeypatch.setenv("HEALTHCODE_CARD_FONT_PATH", "/nonexistent/font.ttc")
    get_settings.cache_clear()
    make_account(db)
    with app_client(engine, own.model_copy(update={"card_validity_days": 30})) as client:
        assert sign_in(client).status_code == 200
        printed = client.post("/citizen/card")
    assert printed.status_code == 200 and printed.content[:5] == b"%PDF-"  # the app's font, not the environment's
    db.rollback()
    card = db.scalars(select(PrintedCard)).one()
    assert (card.issued_at, card.expires_at) == (OWN_NOW, datetime(2020, 3, 25, 9, 0))  # the app's clock and 30 days


def test_the_environment_is_read_where_a_process_starts(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The variable names of the folded-in settings are the ones the deployment docs give."""
    monkeypatch.setenv("HEALTHCODE_ENT_CA_FILE", str(tmp_path / "ca.pem"))
    monkeypatch.setenv("HEALTHCODE_ENT_CA_HEADER", "X-Client-Cert")
    monkeypatch.setenv("HEALTHCODE_FEED_FAST_PATH", "0")
    monkeypatch.setenv("HEALTHCODE_SMS_RETENTION_DAYS", "7")
    monkeypatch.setenv("HEALTHCODE_CARD_RETENTION_DAYS", "90")
    read = Settings()
    assert (read.ent_ca_file, read.ent_ca_header, read.feed_fast_path) == (tmp_path / "ca.pem", "X-Client-Cert",
                                                                           False)
    assert (read.sms_retention_days, read.card_retention_days) == (7, 90)
    for name in ("HEALTHCODE_ENT_CA_FILE", "HEALTHCODE_ENT_CA_HEADER", "HEALTHCODE_FEED_FAST_PATH",
                 "HEALTHCODE_SMS_RETENTION_DAYS", "HEALTHCODE_CARD_RETENTION_DAYS"):
        monkeypatch.delenv(name)
    default = Settings()
    assert (default.ent_ca_file, default.ent_ca_header, default.feed_fast_path) == (None, "X-SSL-Client-Cert", True)
    assert (default.sms_retention_days, default.card_retention_days) == (30, 30)


def test_a_command_reads_the_environment_as_it_starts(cli_engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from healthcode import cli

    monkeypatch.setenv("HEALTHCODE_FIXED_NOW", "2020-03-01T08:00:00")
    get_settings.cache_clear()
    result = CliRunner().invoke(cli.app, ["reports", "build"])
    assert result.exit_code == 0 and result.stdout.startswith("2020-02-29 数据报表已生成")
    assert clock.now() == datetime(2020, 3, 1, 8, 0)


def test_only_the_entry_points_read_the_environment() -> None:
    """`get_settings()` (the environment) is read where a process starts, and nowhere else in the package."""
    readers = {str(path.relative_to(ROOT)) for path in (ROOT / "healthcode").rglob("*.py")
               if re.search(r"\bget_settings\(\)|os\.environ|getenv\(", path.read_text("utf-8"))}
    # serving.py: each worker process of `serve --workers N` builds its app from the environment it was started with
    assert readers == {"healthcode/config.py", "healthcode/app.py", "healthcode/cli.py", "healthcode/serving.py",
                       "healthcode/migrations/env.py"}
