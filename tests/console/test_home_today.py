"""The console's home page (issue 14): 今日扫码, 今日橙码 and 今日体温异常 are counted from the scans when the page is
asked, so they agree with the 最新扫码记录 under them, and say the time they are of; 数据报表, which reads aggregates
rebuilt every few minutes, says the time it was counted."""

from __future__ import annotations

import re
from datetime import timedelta

from tests.orgs.console_factories import NOW, add_scans, login, unit


def _figure(html: str, name: str) -> int:
    found = re.search(rf'id="{name}">(\d+)<', html)
    assert found, name
    return int(found[1])


def test_todays_figures_count_a_scan_made_a_minute_after_the_last_view(client, db, freeze):
    freeze(NOW + timedelta(hours=2))  # 11:00
    a = unit(db, 1, "甲单位")
    add_scans(db, a, 6, orange_every=3, abnormal_every=2)  # 09:00 … 09:35
    add_scans(db, a, 2, start=NOW - timedelta(days=1))  # yesterday: not today's
    login(client, a.created.username, a.created.password)
    first = client.get("/gov/").text  # builds today's aggregates at 11:00

    freeze(NOW + timedelta(hours=2, minutes=1))
    add_scans(db, a, 1, start=NOW + timedelta(hours=2), orange_every=1, abnormal_every=1)  # 11:00, after the build
    again = client.get("/gov/").text
    report = client.get("/gov/reports").text  # the aggregates of 11:00 are still fresh: not rebuilt

    names = ("today-scans", "today-orange", "today-abnormal")
    assert [_figure(first, n) for n in names] == [6, 2, 3]
    assert [_figure(again, n) for n in names] == [7, 3, 4]
    assert "今日数据截至 11:01" in again
    assert _figure(report, "total-scans") == 6 and "统计截至 11:00" in report  # honest about its time


def test_a_past_days_report_is_complete_and_says_no_time(client, db, freeze):
    freeze(NOW + timedelta(days=1))
    a = unit(db, 1, "甲单位")
    add_scans(db, a, 3)
    login(client, a.created.username, a.created.password)

    report = client.get("/gov/reports", params={"day": NOW.date().isoformat()}).text

    assert _figure(report, "total-scans") == 3 and "统计截至" not in report
