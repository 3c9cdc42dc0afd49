"""`most_severe_region` of a scan (SPEC section 8): initial region and the regions of the last 14 days' scans,
highest CURRENT level, ties to the most recently visited, and whether it is more severe than here."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from healthcode.regions.service import set_level
from tests.checkpoints.factories import (
    GULOU,
    NOW,
    SIMING,
    TAIJIANG,
    add_point,
    issue,
    org,
    person,
    scan,
    scanner,
    token,
)


@pytest.fixture
def checkpoint(db, client, freeze):
    """An authorised scanner with a point in each of 鼓楼区, 台江区 and 思明区; `visit` scans a resident there."""
    freeze(NOW)
    admin = org(db)
    headers = token(client, scanner(db, admin.username))
    points = {code: add_point(client, headers, code, f"点{code}") for code in (GULOU, TAIJIANG, SIMING)}

    def visit(resident, region: str, moment: datetime) -> dict:
        freeze(moment)
        response = scan(client, headers, points[region], issue(db, resident, moment).qr_text)
        assert response.status_code == 201, response.text
        return response.json()["most_severe_region"]

    return visit


def level(db, code: str, value: int, at: datetime = NOW - timedelta(days=30)) -> None:
    set_level(db, code, value, "test", now=at)
    db.commit()


def test_given_no_levels_then_the_region_here_is_the_most_recent_of_equals(db, checkpoint):
    resident = person(db, region=TAIJIANG)

    severe = checkpoint(resident, GULOU, NOW)

    assert (severe["code"], severe["name"], severe["level"], severe["higher_than_here"]) == (
        GULOU, "福州市鼓楼区", 0, False)


def test_given_initial_region_more_severe_then_it_is_returned_and_higher_than_here(db, checkpoint):
    resident = person(db, region=TAIJIANG)
    level(db, TAIJIANG, 1)

    severe = checkpoint(resident, GULOU, NOW)

    assert severe == {
        "code": TAIJIANG, "name": "福州市台江区", "level": 1, "level_name": "零星散发疫情区",
        "policy": severe["policy"], "policy_headline": "阻断传播、追踪管理", "higher_than_here": True,
    }
    assert severe["policy"].startswith("零星散发疫情区-从该区无确诊病例的乡镇（街道）“点对点”前往其他区域务工的人员")


def test_given_earlier_scan_in_more_severe_region_then_that_region(db, checkpoint):
    resident = person(db, region=GULOU)
    level(db, SIMING, 3)
    checkpoint(resident, SIMING, NOW - timedelta(days=5))

    severe = checkpoint(resident, GULOU, NOW)

    assert (severe["code"], severe["level"], severe["level_name"], severe["higher_than_here"]) == (
        SIMING, 3, "较多病例疫情区", True)


@pytest.mark.parametrize(("earlier", "counts"), [
    (datetime(2020, 2, 11, 0, 0), True),  # day D-13: still within 14 days
    (datetime(2020, 2, 10, 23, 59, 59), False),  # day D-14: no longer
])
def test_window_is_the_14_calendar_days_up_to_today(db, checkpoint, earlier, counts):
    resident = person(db, region=GULOU)
    level(db, SIMING, 2, at=earlier - timedelta(days=1))
    checkpoint(resident, SIMING, earlier)

    severe = checkpoint(resident, GULOU, NOW)

    assert severe["code"] == (SIMING if counts else GULOU)


def test_current_level_counts_not_the_level_at_scan_time(db, checkpoint):
    resident = person(db, region=GULOU)
    level(db, SIMING, 3)
    level(db, TAIJIANG, 0)
    checkpoint(resident, SIMING, NOW - timedelta(days=3))
    checkpoint(resident, TAIJIANG, NOW - timedelta(days=2))
    level(db, SIMING, 0, at=NOW - timedelta(days=1))  # 思明 lowered after the visit, 台江 raised after it
    level(db, TAIJIANG, 2, at=NOW - timedelta(days=1))

    severe = checkpoint(resident, GULOU, NOW)

    assert (severe["code"], severe["level"]) == (TAIJIANG, 2)


def test_ties_go_to_the_most_recently_visited_region(db, checkpoint):
    resident = person(db, region=GULOU)
    level(db, SIMING, 2)
    level(db, TAIJIANG, 2)
    checkpoint(resident, TAIJIANG, NOW - timedelta(days=3))
    checkpoint(resident, SIMING, NOW - timedelta(days=2))
    checkpoint(resident, TAIJIANG, NOW - timedelta(days=1))

    severe = checkpoint(resident, GULOU, NOW)

    assert (severe["code"], severe["higher_than_here"]) == (TAIJIANG, True)


def test_not_higher_than_here_when_here_is_as_severe(db, checkpoint):
    resident = person(db, region=GULOU)
    level(db, SIMING, 2)
    level(db, TAIJIANG, 2)
    checkpoint(resident, TAIJIANG, NOW - timedelta(days=1))

    severe = checkpoint(resident, SIMING, NOW)

    assert (severe["code"], severe["level"], severe["higher_than_here"]) == (SIMING, 2, False)


def test_edited_policy_text_is_returned(db, checkpoint):
    from healthcode.regions.service import set_policy

    resident = person(db, region=SIMING)
    level(db, SIMING, 1)
    set_policy(db, 1, "新标题", "零星散发疫情区-新的防控策略。", "test", now=NOW)
    db.commit()

    severe = checkpoint(resident, GULOU, NOW)

    assert (severe["policy_headline"], severe["policy"]) == ("新标题", "零星散发疫情区-新的防控策略。")
