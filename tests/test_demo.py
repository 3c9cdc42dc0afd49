"""`healthcode demo`: the demo province builds on an empty database, its site starts, and it shows a province that is
alive (issue 14): a month of scans at several units' points with a morning peak, orange codes and fevers, the
enterprise's employees reporting most days and reminded, report aggregates that roll up to the superior unit, the
health authority's pages, an enterprise operator who signs in by real name, and no link to a CA login that is off."""

from __future__ import annotations

import html
import json
import re
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from healthcode.app import create_app
from healthcode.checkpoints.models import Scan
from healthcode.config import Settings
from healthcode.console.models import DailyStat
from healthcode.db import session_factory
from healthcode.demo import (
    AUTHORITY,
    ENTERPRISE,
    GOVERNMENT,
    OPERATOR,
    PASSWORD,
    RETRIEVING,
    SUPERIOR,
    build_demo,
    demo_settings,
)
from healthcode.demo_history import HISTORY_DAYS
from healthcode.enterprise.models import Employee, EnterpriseDayStat, HealthReport
from healthcode.messages.models import Message, SmsOutbox
from healthcode.orgs.models import Org
from healthcode.regions.models import RegionLevel
from healthcode.regions.service import LEVEL_NAMES
from tests.enterprise.factories import realname_login
from tests.migrating import empty_database

NOW = datetime(2026, 3, 18, 15, 30)  # a Wednesday afternoon: the day's morning peak and reminders are past


def _account(printed: str, unit: tuple[str, str, str]) -> dict[str, str]:
    found = re.search(rf"{re.escape(unit[0])}（{unit[1]}）  用户名 (\S+)  密码 (\S+)", printed)
    assert found, printed
    return {"username": found[1], "password": found[2]}


@pytest.fixture
def demo(tmp_path: Path, settings: Settings, freeze: Any) -> Iterator[tuple[Engine, Settings, str]]:
    """The demo built at NOW on a database of its own; the settings its app runs on (`healthcode demo`'s)."""
    freeze(NOW)
    with empty_database(tmp_path) as (engine, _):
        printed = build_demo(engine, settings, base_url="http://127.0.0.1:8000/")
        yield engine, demo_settings(settings), printed


def test_the_demo_builds_starts_and_lets_a_unit_retrieve_its_account(tmp_path: Path, settings: Any) -> None:
    with empty_database(tmp_path) as (engine, _):
        # With a gateway, a month of reminders would go out to made-up numbers: the demo then queues no text.
        gateway = settings.model_copy(update={"sms_gateway_url": "http://127.0.0.1:9/"})
        accounts = build_demo(engine, gateway, base_url="http://127.0.0.1:8000/")
        with session_factory(engine)() as db:
            assert db.scalar(select(func.count()).select_from(SmsOutbox)) == 0
            reminders = select(func.count()).select_from(Message).where(Message.title == "健康上报提醒")
            assert (db.scalar(reminders) or 0) > 10  # in the inbox all the same
        listed = next(line for line in accounts.splitlines() if RETRIEVING[1] in line)
        assert RETRIEVING[1] in listed and "密码未发放" in listed
        assert "（在 http://127.0.0.1:8000/gov/retrieval 用单位名称和统一社会信用代码获取账号）" in listed
        with TestClient(create_app(settings, engine), client=("10.1.2.3", 50000)) as client:  # 政务信息网
            assert client.get("/citizen/").status_code == 200 and client.get("/gov/login").status_code == 200
            page = client.post("/gov/retrieval", data={"name": RETRIEVING[0], "uscc": RETRIEVING[1]})
            assert page.status_code == 200 and re.search(r'id="retrieved-password">[^<]+<', page.text), page.text


def _org_id(db: Session, unit: tuple[str, str, str]) -> int:
    found = db.scalar(select(Org.id).where(Org.uscc == unit[1]))
    assert found is not None
    return found


def test_given_the_demo_then_every_day_of_the_month_has_scans_with_a_morning_peak_orange_codes_and_fevers(
        demo: tuple[Engine, Settings, str]) -> None:
    engine, _, printed = demo
    today = NOW.date()
    with session_factory(engine)() as db:
        unit = _org_id(db, GOVERNMENT)
        scans = db.execute(select(Scan.org_id, Scan.at, Scan.color, Scan.temperature_result, Scan.pass_reason)).all()
        kept = today - timedelta(days=28)  # the retention period: older scans were purged, their aggregates stay
        assert min(s.at for s in scans).date() == kept and max(s.at for s in scans) <= NOW
        days = {s.at.date() for s in scans if s.org_id == unit}
        assert days == {kept + timedelta(days=n) for n in range(29)}
        assert {s.org_id for s in scans} >= {_org_id(db, u) for u in (GOVERNMENT, RETRIEVING, SUPERIOR, AUTHORITY)}
        by_hour = Counter(s.at.hour for s in scans if s.at.date() == today)
        assert by_hour[8] > 3 * max(by_hour[10], by_hour[15]), by_hour  # the morning peak
        assert 0 < sum(s.color == "orange" for s in scans) < len(scans) / 20
        assert 0 < sum(s.temperature_result == "abnormal" for s in scans) < len(scans) / 20
        assert sum(s.pass_reason is not None for s in scans) > 0.9 * len(scans)
        stats = db.execute(select(DailyStat.day, func.sum(DailyStat.scans)).group_by(DailyStat.day)).all()
        assert len(stats) == HISTORY_DAYS + 1 and all(n > 0 for _, n in stats)
        assert {d for d, _ in stats} == {today - timedelta(days=n) for n in range(HISTORY_DAYS + 1)}
        levels = {code: level for code, level in db.execute(
            select(RegionLevel.code, RegionLevel.level).order_by(RegionLevel.set_at, RegionLevel.id))}
        assert set(levels.values()) == set(LEVEL_NAMES), levels  # every level, 0 set again after a county's history
    assert f"近 {HISTORY_DAYS} 天" in printed and f"现存 {len(scans)} 条" in printed
    _employees_report_most_days_and_the_others_are_reminded(engine)


def _employees_report_most_days_and_the_others_are_reminded(engine: Engine) -> None:
    with session_factory(engine)() as db:
        company = _org_id(db, ENTERPRISE)
        employees = db.scalar(select(func.count()).select_from(Employee).where(Employee.org_id == company))
        assert employees is not None and 30 <= employees <= 60
        per_day = {d: n for d, n in db.execute(select(EnterpriseDayStat.day, EnterpriseDayStat.reporters)
                                               .where(EnterpriseDayStat.org_id == company))}
        counted = Counter(d for (d,) in db.execute(select(HealthReport.report_date)))
        assert per_day == dict(counted)  # the day counts the dashboard reads agree with the reports
        assert len(per_day) == HISTORY_DAYS + 1 and max(per_day) == NOW.date()  # dated relative to today
        assert len(set(per_day.values())) > 5  # not flat
        assert sum(n == employees for n in per_day.values()) < len(per_day) / 2  # a few missing most days
        assert sum(n >= 0.7 * employees for n in per_day.values()) > len(per_day) / 2  # most report most days
        reminders = db.scalar(select(func.count()).select_from(Message).where(Message.title == "健康上报提醒"))
        assert reminders is not None and reminders > 10
        texts = db.scalar(select(func.count()).select_from(SmsOutbox).where(SmsOutbox.body.contains("健康上报")))
        assert texts is not None and 0 < texts < reminders  # to the employees with a phone (no gateway: they stay)


def test_given_the_demo_when_each_unit_signs_in_then_its_pages_show_data(
        demo: tuple[Engine, Settings, str], settings: Settings, tmp_path: Path) -> None:
    """The unit's home, records and 扫码员数据汇总; the superior's roll-up; the enterprise's trend; the authority's
    pages; the operator's real-name sign-in; no CA link (CA login is off)."""
    engine, demo_app_settings, printed = demo
    _unit_pages(engine, demo_app_settings, printed)
    _authority_and_operator(engine, demo_app_settings, settings, printed)
    _ca_link_only_when_configured(engine, demo_app_settings, tmp_path)


def _unit_pages(engine: Engine, settings: Settings, printed: str) -> None:
    with TestClient(create_app(settings, engine)) as client:
        assert client.post("/gov/login", data=_account(printed, GOVERNMENT)).status_code == 200
        home = client.get("/gov/")
        assert "经济信息中心正门" in home.text and "当日无扫码" not in home.text
        records = client.get("/gov/records")
        assert re.search(r"共 (\d{3,}) 条记录", records.text), records.text
        scanners = client.get("/gov/scanners")
        scanner_id = re.search(r"/gov/scanners/(\d+)/records", scanners.text)
        assert scanner_id, scanners.text
        summary = client.get(f"/gov/scanners/{scanner_id[1]}/records")
        assert re.search(r"共 (\d{3,}) 条记录", summary.text), summary.text
        client.post("/gov/logout")

        assert client.post("/gov/login", data=_account(printed, SUPERIOR)).status_code == 200
        report = client.get("/gov/reports", params={"day": (NOW.date() - timedelta(days=1)).isoformat()})
        rows = re.findall(r"<tr><td><a [^>]+>([^<]+)</a></td><td>1</td>\s*<td>(\d+)</td>", report.text)
        assert {name for name, _ in rows} == {GOVERNMENT[0], RETRIEVING[0]} and all(int(n) > 0 for _, n in rows)
        grand = re.search(r'id="grand-scans">(\d+)<', report.text)
        assert grand and int(grand[1]) > sum(int(n) for _, n in rows)  # the superior's own point besides
        client.post("/gov/logout")

        assert client.post("/gov/login", data=_account(printed, ENTERPRISE)).status_code == 200
        dashboard = client.get("/ent/")
        chart = re.search(r'id="trend" class="chart" data-chart="([^"]+)"', dashboard.text)
        assert chart, dashboard.text
        trend = json.loads(html.unescape(chart[1]))
        assert len(trend["reporters"]) >= 7 and len(set(trend["reporters"])) > 3, trend  # not flat
        assert all(0 < n <= trend["employees"] for n in trend["reporters"]), trend


def _authority_and_operator(engine: Engine, demo_app_settings: Settings, settings: Settings, printed: str) -> None:
    assert AUTHORITY[1] in demo_app_settings.authority_usccs and "疫情防控指挥部" in printed
    with TestClient(create_app(demo_app_settings, engine)) as client:
        assert client.post("/gov/login", data=_account(printed, AUTHORITY)).status_code == 200
        for page in ("/gov/regions", "/gov/feeds/fever-drugs", "/gov/feeds/status", "/gov/sms"):
            assert client.get(page).status_code == 200, page
        assert "较多病例疫情区" in client.get("/gov/regions").text
    with TestClient(create_app(settings.model_copy(update={"authority_usccs": []}), engine)) as client:
        client.post("/gov/login", data=_account(printed, AUTHORITY))
        assert client.get("/gov/regions").status_code == 403  # the setting, not the unit, makes the authority

    assert f"{OPERATOR.name}  {OPERATOR.id_number}  {ENTERPRISE[0]}" in printed
    with TestClient(create_app(demo_app_settings, engine)) as client:
        entered = realname_login(client, OPERATOR.id_number, PASSWORD)
        assert str(entered.url).endswith("/ent/") and ENTERPRISE[0] in entered.text, entered.text


def _ca_link_only_when_configured(engine: Engine, settings: Settings, tmp_path: Path) -> None:
    assert settings.ent_ca_file is None
    with TestClient(create_app(settings, engine)) as client:
        for page in ("/gov/login", "/ent/login", "/ent/register"):
            text = client.get(page).text
            assert "通过CA证书登录" not in text and "/ent/ca-login" not in text, page
        assert client.get("/ent/ca-login").status_code == 404
    with TestClient(create_app(settings.model_copy(update={"ent_ca_file": tmp_path / "ca.pem"}), engine)) as client:
        for page in ("/gov/login", "/ent/login", "/ent/register"):
            text = client.get(page).text
            assert "通过CA证书登录" in text and "/ent/ca-login" in text, page
