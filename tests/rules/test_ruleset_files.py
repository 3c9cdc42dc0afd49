"""Rule sets as data (issue 16): the shipped TOML files, the loader's checks and their Chinese messages, and
fj-2020-02 read from its file equal to the Python definition it replaced."""

from __future__ import annotations

from pathlib import Path
from types import MappingProxyType

import pytest

from healthcode.rules.errors import InvalidRuleSet
from healthcode.rules.loader import SETS_DIR, load_directory, load_file, load_text
from healthcode.rules.ruleset import (
    FJ_2020_02,
    FJ_2021_09,
    KIND_ARRIVAL,
    KIND_LATEST_CASE,
    KIND_PERIOD,
    KIND_WINDOWED,
    RULE_SETS,
    Rule,
    RuleSet,
)

# The Python literal of healthcode/rules/ruleset.py before the rule sets became files (commit 4860007), kept here as
# the reference the TOML file must reproduce field by field.
OLD_FJ_2020_02 = \
RuleSet(
    id="fj-2020-02",
    name="福建省八闽健康码赋码规则（2020年2月）",
    colors=("green", "orange"),
    color_labels=MappingProxyType({"green": "绿码", "orange": "橙码"}),
    rules=(
        Rule(
            id="case", kind=KIND_LATEST_CASE, title="新冠肺炎确诊人员、疑似人员", color="orange",
            statuses=("confirmed", "suspected"),
            texts=MappingProxyType({
                "confirmed": "新冠肺炎确诊人员（{since} 报告），治愈并解除隔离后恢复绿码",
                "suspected": "新冠肺炎疑似人员（{since} 报告），排除后恢复绿码",
            }),
        ),
        Rule(
            id="close_contact", kind=KIND_WINDOWED, title="确诊或疑似人员的可能密切接触者", color="orange",
            window_days=14, sources=("close_contacts", "computed_contacts"),
            texts=MappingProxyType({
                "detail": "{window}天内为确诊或疑似人员的可能密切接触者（接触日期 {dates}），{back} 起恢复绿码",
            }),
        ),
        Rule(
            id="high_risk_arrival", kind=KIND_ARRIVAL, title="来自疫情高发地区人员", color="orange",
            window_days=14, sources=("arrivals",),
            texts=MappingProxyType({
                "detail": "{window}天内自疫情高发地区（{names}）入闽（{dates}），{back} 起恢复绿码",
                "open": "自疫情高发地区（{names}）入闽（{dates}）且健康状况异常，健康状况恢复正常后恢复绿码",
            }),
        ),
        Rule(
            id="closed_community", kind=KIND_PERIOD, title="实行封闭管理小区的居民", color="orange",
            sources=("closures",),
            texts=MappingProxyType({
                "detail": "户籍地址所在小区（{names}）实行封闭管理（{since} 至 {until}），{back} 起恢复绿码",
                "open": "户籍地址所在小区（{names}）实行封闭管理（{since} 起），封闭管理解除后恢复绿码",
            }),
        ),
        Rule(
            id="fever_clinic", kind=KIND_WINDOWED, title="14天内在我省有发热门诊就诊记录", color="orange",
            window_days=14, sources=("fever_clinic_visits",),
            texts=MappingProxyType({"detail": "{window}天内有发热门诊就诊记录（{dates}），{back} 起恢复绿码"}),
        ),
        Rule(
            id="fever_drug", kind=KIND_WINDOWED, title="14天内在我省有购买退烧药品记录", color="orange",
            window_days=14, sources=("fever_drug_purchases",),
            texts=MappingProxyType({"detail": "{window}天内有购买退烧药品记录（{dates}），{back} 起恢复绿码"}),
        ),
    ),
)


def test_fj_2020_02_from_its_file_equals_the_python_definition_it_replaced() -> None:
    assert FJ_2020_02 == OLD_FJ_2020_02
    for new, old in zip(FJ_2020_02.rules, OLD_FJ_2020_02.rules, strict=True):
        assert (new.id, new.kind, new.title, new.color, dict(new.texts), new.window_days, new.sources,
                new.statuses) == (old.id, old.kind, old.title, old.color, dict(old.texts), old.window_days,
                                  old.sources, old.statuses)
    assert dict(FJ_2020_02.color_labels) == dict(OLD_FJ_2020_02.color_labels)


def test_the_shipped_sets_are_the_files_of_the_sets_folder() -> None:
    assert sorted(RULE_SETS) == ["fj-2020-02", "fj-2021-09"]
    assert sorted(p.name for p in SETS_DIR.glob("*.toml")) == ["fj-2020-02.toml", "fj-2021-09.toml"]
    assert load_directory() == dict(RULE_SETS)
    assert FJ_2021_09.colors == ("green", "yellow", "red")
    assert dict(FJ_2021_09.color_labels) == {"green": "绿码", "yellow": "黄码", "red": "红码"}
    assert [r.id for r in FJ_2021_09.rules] == [r.id for r in FJ_2020_02.rules]  # the same six conditions


GOOD = (SETS_DIR / "fj-2021-09.toml").read_text(encoding="utf-8")


def _refused(text: str) -> str:
    with pytest.raises(InvalidRuleSet) as caught:
        load_text(text, "draft.toml")
    assert caught.value.status_code == 422
    message = caught.value.message
    assert message.startswith("赋码规则文件 draft.toml"), message
    return message


@pytest.mark.parametrize(("change", "expected"), [
    # (the text replaced, its replacement) → what the message must say (the field, and why)
    (('kind = "arrival"', 'kind = "curfew"'), "rules[3]（high_risk_arrival）.kind 未知的规则类型“curfew”"),
    (('color = "yellow"\nwindow_days = 14', 'color = "orange"\nwindow_days = 14'),
     "rules[3]（high_risk_arrival）.color “orange”不在本规则集的颜色中（green、yellow、red）"),
    (('open = "自疫情高发地区', 'opened = "自疫情高发地区'), "rules[3]（high_risk_arrival）.texts.opened 未知的字段"),
    (('detail = "{window}天内有发热门诊', 'note = "{window}天内有发热门诊'),
     "rules[5]（fever_clinic）.texts.note 未知的字段"),
    (('window_days = 7\nsources = ["fever_clinic_visits"]', 'sources = ["fever_clinic_visits"]'),
     "rules[5]（fever_clinic）.window_days 缺失或不是 1–366 之间的整数（windowed 类规则须有时间窗）"),
    (('window_days = 7\nsources = ["fever_clinic_visits"]', 'window_days = 0\nsources = ["fever_clinic_visits"]'),
     "rules[5]（fever_clinic）.window_days 缺失或不是 1–366 之间的整数"),
    (('id = "fever_drug"', 'id = "fever_clinic"'), "rules[6].id 重复（fever_clinic）"),
    (('colors = ["green", "yellow", "red"]', 'colors = ["green", "yellow", "purple"]'),
     "colors 含未知的颜色“purple”"),
    (('red = "红码"', ''), "color_labels.red 缺失或不是非空文本"),
    (('open = "自疫情高发地区（{names}）入闽（{dates}）且健康状况异常，健康状况恢复正常后恢复绿码"', ''),
     "rules[3]（high_risk_arrival）.texts.open 缺失或不是非空文本"),
    (('[rules.texts]\ndetail = "{window}天内有购买退烧药品记录', 'detail = "{window}天内有购买退烧药品记录'),
     "rules[6]（fever_drug）.detail 未知的字段"),
    (('name = "福建', 'title = "福建'), "title 未知的字段"),
    (('sources = ["fever_drug_purchases"]', 'sources = ["cases"]'),
     "rules[6]（fever_drug）.sources 含“cases”，windowed 类规则只能读取"),
    (('statuses = ["confirmed", "suspected"]', 'statuses = ["confirmed", "healed"]'),
     "rules[1]（case）.statuses 含未知的病例状态“healed”"),
    (('suspected = "新冠肺炎疑似病例', 'suspect = "新冠肺炎疑似病例'), "rules[1]（case）.texts.suspect 未知的字段"),
    (('{back} 起恢复绿码"\n\n[[rules]]\nid = "fever_drug"', '{dayz} 起恢复绿码"\n\n[[rules]]\nid = "fever_drug"'),
     "rules[5]（fever_clinic）.texts.detail 用了未知的字段 {dayz}"),
    (('title = "新冠肺炎确诊病例、疑似病例"', 'title = ""'), "rules[1]（case）.title 缺失或不是非空文本"),
    (('window_days = 14\nsources = ["arrivals"]', 'window_days = 14\nsources = ["arrivals"]\nstatuses = ["confirmed"]'),
     "rules[3]（high_risk_arrival）.statuses 不适用于 arrival 类规则"),
    (('kind = "period"', 'kind = "period"\nwindow_days = 3'),
     "rules[4]（closed_community）.window_days 不适用于 period 类规则"),
    (('id = "fj-2021-09"', 'id = "FJ 2021"'), "id 只能由小写字母、数字、连字符和下划线组成"),
])
def test_a_bad_file_is_refused_with_a_chinese_message_naming_the_field(change: tuple[str, str], expected: str) -> None:
    old, new = change
    assert old in GOOD
    assert expected in _refused(GOOD.replace(old, new, 1))


def test_bad_toml_is_refused_with_its_line() -> None:
    message = _refused(GOOD.replace('name = "福建', 'name = 福建', 1))
    assert "不是有效的 TOML：第6行" in message


def test_a_file_that_is_missing_or_not_utf8_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InvalidRuleSet, match="不存在"):
        load_file(tmp_path / "nope.toml")
    latin = tmp_path / "latin.toml"
    latin.write_bytes(GOOD.encode("gb18030"))
    with pytest.raises(InvalidRuleSet, match="latin.toml 无法读取（须为 UTF-8"):
        load_file(latin)


def test_a_duplicate_set_id_in_the_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "a.toml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "b.toml").write_text(GOOD, encoding="utf-8")
    with pytest.raises(InvalidRuleSet, match="b.toml：id 与另一文件重复（fj-2021-09）"):
        load_directory(tmp_path)


def test_a_good_draft_loads_with_the_defaults_of_its_kinds(tmp_path: Path) -> None:
    path = tmp_path / "draft.toml"
    path.write_text(GOOD.replace('id = "fj-2021-09"', 'id = "draft-1"', 1), encoding="utf-8")
    draft = load_file(path)
    assert draft.id == "draft-1" and draft.rules == FJ_2021_09.rules
    text = "\n".join(line for line in GOOD.splitlines() if line != 'sources = ["arrivals"]')
    assert load_text(text, "x.toml").rule_by_id["high_risk_arrival"].sources == ("arrivals",)
