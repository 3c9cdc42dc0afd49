"""Region levels (SPEC section 7): setting a county's level with history, refusals, level names and policies, and the
most-severe-region choice."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from healthcode.errors import Invalid
from healthcode.regions import service

NOW = datetime(2020, 2, 24, 9, 0)


def test_unset_region_is_level_0(db):
    assert service.current_level(db, "350102") == 0


def test_current_level_is_the_newest_setting_and_history_keeps_all(db):
    service.set_level(db, "350102", 2, "指挥部A", now=NOW - timedelta(days=2))
    result = service.set_level(db, "350102", 1, "指挥部B", now=NOW)

    assert (result.code, result.region_name, result.level, result.level_name) == (
        "350102", "福州市鼓楼区", 1, "零星散发疫情区")
    assert service.current_level(db, "350102") == 1
    assert [(h.level, h.set_by) for h in service.history(db, "350102")] == [(1, "指挥部B"), (2, "指挥部A")]
    assert service.levels_in_force(db) == {"350102": 1}


@pytest.mark.parametrize(("code", "fragment"), [
    ("350100", "不是县级行政区"), ("350000", "不是县级行政区"), ("359999", "不存在"), ("abc", "6位数字"),
    ("", "6位数字"),
])
def test_set_level_refuses_a_code_that_is_not_a_known_county(db, code, fragment):
    with pytest.raises(Invalid) as caught:
        service.set_level(db, code, 1, "test", now=NOW)

    assert fragment in caught.value.message
    assert service.levels_in_force(db) == {}


@pytest.mark.parametrize("level", [-1, 4, 10])
def test_set_level_refuses_a_level_outside_0_to_3(db, level):
    with pytest.raises(Invalid) as caught:
        service.set_level(db, "350102", level, "test", now=NOW)

    assert "0–3" in caught.value.message


def test_every_level_has_its_name_and_a_full_chinese_default_policy(db):
    policies = service.policies(db)

    assert [(p.level_name, p.headline) for p in policies.values()] == [
        ("无疫情区", "严防输入、统筹兼顾"), ("零星散发疫情区", "阻断传播、追踪管理"),
        ("一般疫情区", "严防扩散、阻断输出"), ("较多病例疫情区", "严格防控、阻止扩散")]
    assert policies[1].text == (
        "零星散发疫情区-从该区无确诊病例的乡镇（街道）“点对点”前往其他区域务工的人员，"
        "实行监督性医学观察，无发热、乏力、咳嗽、腹泻、结膜充血等不适症状的可上岗。")
    assert all(p.text.startswith(p.level_name + "-") and len(p.text) > 40 for p in policies.values())


def test_edited_policy_replaces_the_default_and_empty_text_is_refused(db):
    service.set_policy(db, 2, "新标题", "一般疫情区-新内容。", "指挥部", now=NOW)

    with pytest.raises(Invalid):
        service.set_policy(db, 2, "标题", "  ", "指挥部", now=NOW)
    assert service.policies(db)[2].text == "一般疫情区-新内容。"


def test_most_severe_region_picks_the_highest_current_level_then_the_latest_visit(db):
    service.set_level(db, "350203", 2, "t", now=NOW)
    service.set_level(db, "350103", 2, "t", now=NOW)
    visits = [("350102", None), ("350203", NOW - timedelta(days=2)), ("350103", NOW - timedelta(days=1)),
              ("350203", NOW - timedelta(days=3))]

    severe = service.most_severe_region(db, visits, "350102")

    assert severe is not None
    assert (severe.code, severe.name, severe.level, severe.higher_than_here) == ("350103", "福州市台江区", 2, True)


def test_most_severe_region_is_none_without_any_region(db):
    assert service.most_severe_region(db, [(None, None)], None) is None  # type: ignore[list-item]


def test_initial_region_counts_as_the_oldest_visit_in_a_tie(db):
    severe = service.most_severe_region(db, [("350103", None), ("350102", NOW)], "350102")

    assert severe is not None and (severe.code, severe.higher_than_here) == ("350102", False)
