"""The demo province in Chromium, as a newcomer meets it after `make demo` (issue 14): the unit admin's home page and
扫码记录 full of the month's scans, the superior unit's 数据报表 with its two subordinates' sums and charts, and the
enterprise's dashboard whose trend chart has a line that is not flat. Screenshots go to tests/browser/screenshots/."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from healthcode.app import create_app
from healthcode.demo import AUTHORITY, ENTERPRISE, GOVERNMENT, RETRIEVING, SUPERIOR, build_demo, demo_settings
from tests.browser.conftest import console_sign_in, serving
from tests.migrating import empty_database

SHOTS = Path(__file__).resolve().parent / "screenshots"
PC = {"viewport": {"width": 1366, "height": 900}, "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}
NOW = datetime(2026, 3, 18, 15, 30)  # a Wednesday afternoon


@pytest.fixture
def demo_site(tmp_path: Path, settings: Any, freeze: Any) -> Iterator[tuple[str, str]]:
    """The demo built at NOW on a database of its own and served as `healthcode demo` serves it; (URL, printout)."""
    freeze(NOW)
    with empty_database(tmp_path) as (engine, _):
        printed = build_demo(engine, settings, base_url="http://127.0.0.1:8000/")
        with serving(create_app(demo_settings(settings), engine)) as url:
            yield url, printed


def _sign_in(browser: Any, url: str, printed: str, unit: tuple[str, str, str], path: str) -> Any:
    found = re.search(rf"{re.escape(unit[0])}（{unit[1]}）  用户名 (\S+)  密码 (\S+)", printed)
    assert found, printed
    page = browser.new_context(base_url=url, **PC).new_page()
    page.set_default_timeout(30_000)
    page.goto(path)
    console_sign_in(page, found[1], found[2], f"**{path}")
    return page


def _number(page: Any, selector: str) -> int:
    return int(page.inner_text(selector).strip())


def test_the_demo_opens_with_a_month_of_scans_rolled_up_reports_and_a_living_trend(browser: Any,
                                                                                   demo_site: tuple[str, str]) -> None:
    url, printed = demo_site
    SHOTS.mkdir(exist_ok=True)

    page = _sign_in(browser, url, printed, GOVERNMENT, "/gov/")
    assert _number(page, ".stats .stat:nth-child(1) b") > 50  # 今日扫码, by the afternoon
    assert "暂无扫码记录" not in page.inner_text("table.data")
    page.screenshot(path=str(SHOTS / "demo-gov-home.png"), full_page=True)
    page.goto("/gov/records")
    total = re.search(r"共 (\d+) 条记录", page.inner_text(".pager"))
    assert total and int(total[1]) > 2000, page.inner_text(".pager")
    page.screenshot(path=str(SHOTS / "demo-gov-records.png"), full_page=True)
    page.context.close()

    yesterday = (NOW.date() - timedelta(days=1)).isoformat()
    page = _sign_in(browser, url, printed, SUPERIOR, "/gov/")
    page.goto(f"/gov/reports?day={yesterday}")
    page.wait_for_selector("#chart-trend canvas")
    # The charts as drawn at the end of their animation (the screenshot would catch the bars growing).
    page.evaluate("() => ['chart-hours', 'chart-trend'].forEach(id => "
                  "window.echarts.getInstanceByDom(document.getElementById(id)).setOption({animation: false}))")
    trend = page.evaluate("() => window.echarts.getInstanceByDom(document.getElementById('chart-trend'))"
                          ".getOption().series[0].data")
    assert len(trend) == 14 and min(trend) > 0, trend
    rollup = page.inner_text("#rollup")
    for unit in (GOVERNMENT, RETRIEVING):
        row = re.search(rf"{re.escape(unit[0])}\s+1\s+(\d+)", rollup)
        assert row and int(row[1]) > 0, rollup
    assert _number(page, "#grand-scans") > 100
    page.screenshot(path=str(SHOTS / "demo-gov-reports-rollup.png"), full_page=True)
    page.context.close()

    page = _sign_in(browser, url, printed, ENTERPRISE, "/ent/")
    page.wait_for_function("() => window.entTrendChart !== undefined")
    reporters = page.evaluate("() => window.entTrendChart.getOption().series[0].data")  # what the chart draws
    assert len(reporters) >= 14 and len(set(reporters)) > 3 and min(reporters) > 0, reporters
    assert _number(page, "[data-testid=stat-employees]") >= 30
    page.screenshot(path=str(SHOTS / "demo-ent-dashboard.png"), full_page=True)
    page.context.close()

    page = _sign_in(browser, url, printed, AUTHORITY, "/gov/")  # the health authority's own pages
    page.click("text=疫情区等级")
    page.wait_for_url("**/gov/regions")
    assert "较多病例疫情区" in page.inner_text("main")
    page.screenshot(path=str(SHOTS / "demo-authority-regions.png"), full_page=True)
    page.context.close()
