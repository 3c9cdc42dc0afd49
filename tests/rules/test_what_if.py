"""`healthcode rules list` and `healthcode rules what-if` (SPEC section 11, CONTRACT): the JSON shapes, the figures
of a small province, a draft TOML file, bad input, and nothing written."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, event
from typer.testing import CliRunner

import healthcode.cli as cli
from healthcode.rules.loader import SETS_DIR
from healthcode.rules.ruleset import FJ_2020_02, FJ_2021_09
from healthcode.rules.status import evaluate
from healthcode.rules.what_if import what_if
from tests.rules import whatif_world as world

runner = CliRunner()


@pytest.fixture(autouse=True)
def _cli_on_test_database(cli_engine, freeze):
    freeze("2020-02-24 09:00")


def invoke(*args: str) -> dict:
    result = runner.invoke(cli.app, ["rules", *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_rules_list_json_names_the_shipped_sets_and_the_one_in_force(db) -> None:
    data = invoke("list")
    assert (data["in_force"], data["default"]) == ("fj-2020-02", "fj-2020-02")
    assert [(s["id"], s["in_force"], s["colors"]) for s in data["rule_sets"]] == [
        ("fj-2020-02", True, ["green", "orange"]), ("fj-2021-09", False, ["green", "yellow", "red"])]
    fever = data["rule_sets"][1]["rules"][4]
    assert fever == {"id": "fever_clinic", "kind": "windowed", "title": "7天内在我省有发热门诊就诊记录",
                     "color": "yellow", "window_days": 7, "sources": ["fever_clinic_visits"], "statuses": []}
    text = runner.invoke(cli.app, ["rules", "list"]).stdout
    assert "fj-2020-02（现行）" in text
    assert "fj-2021-09  福建健康码红黄绿三色赋码规则（2021年9月）  绿码、黄码、红码" in text


def test_what_if_json_gives_the_contract_shape_and_the_figures(db) -> None:
    world.build(db)
    data = invoke("what-if", "fj-2021-09")
    assert list(data)[:6] == ["rule_set", "in_force", "day", "residents", "changes", "by_rule"]
    assert data == world.EXPECTED


def test_what_if_agrees_with_the_evaluator_person_by_person(db, settings) -> None:
    """The bulk read gives each person the same colours as their own status (rules.service) would."""
    from healthcode.rules.repository import collect_flags

    world.build(db)
    day = date.fromisoformat(world.DAY)
    for name, (now, then) in world.COLORS.items():
        for ruleset, color in ((FJ_2020_02, now), (FJ_2021_09, then)):
            flags = collect_flags(db, world.P[name], day, ruleset, settings.fever_departments)
            assert evaluate(flags, day, ruleset).color == color, (name, ruleset.id)


def test_what_if_of_the_set_in_force_changes_nobody_and_another_day_other_figures(db) -> None:
    world.build(db)
    same = invoke("what-if", "fj-2020-02")
    assert (same["residents"], same["changes"], same["unchanged"]) == (9, {}, 9)
    assert same["by_rule"]["fever_clinic"] == {"holds": 2, "changes": 0}
    later = invoke("what-if", "fj-2021-09", "--day", "2020-03-10")  # windows and closure over; the case stays
    # Read: the cases (the case and the cleared one) and the arrivals snapshot; dated facts older than any window not.
    assert (later["day"], later["residents"]) == ("2020-03-10", 3)
    assert later["changes"] == {"orange->red": 1} and later["colors"]["in_force"] == {"green": 2, "orange": 1}
    assert later["by_rule"]["closed_community"] == {"holds": 0, "changes": 0}


def test_what_if_of_a_draft_file(db, tmp_path: Path) -> None:
    world.build(db)
    draft = tmp_path / "draft.toml"
    text = (SETS_DIR / "fj-2021-09.toml").read_text(encoding="utf-8").replace('id = "fj-2021-09"', 'id = "draft-2"')
    draft.write_text(text.replace("window_days = 7", "window_days = 14"), encoding="utf-8")
    data = invoke("what-if", str(draft))
    assert data["rule_set"] == "draft-2"
    assert data["changes"] == {"orange->red": 3, "orange->yellow": 5}  # the 13-day-old visit counts again


@pytest.mark.parametrize(("args", "message"), [
    (["fj-1999-01"], "未知的赋码规则集：fj-1999-01"),
    (["/nonexistent/draft.toml"], "赋码规则文件 /nonexistent/draft.toml 不存在"),
    (["fj-2021-09", "--day", "2020-02-30"], "日期格式应为 YYYY-MM-DD：2020-02-30"),
])
def test_what_if_refuses_bad_input_in_chinese(db, args: list[str], message: str) -> None:
    result = runner.invoke(cli.app, ["rules", "what-if", *args])
    assert result.exit_code == 1
    assert message in result.stderr


def test_what_if_of_a_bad_file_names_the_field(db, tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text((SETS_DIR / "fj-2021-09.toml").read_text(encoding="utf-8").replace('kind = "period"',
                                                                                       'kind = "lockdown"'))
    result = runner.invoke(cli.app, ["rules", "what-if", str(bad)])
    assert result.exit_code == 1
    assert "赋码规则文件 bad.toml：rules[4]（closed_community）.kind 未知的规则类型“lockdown”" in result.stderr


def test_what_if_writes_nothing(db, engine: Engine) -> None:
    world.build(db)
    statements: list[str] = []

    def record(*args: object) -> None:
        statements.append(str(args[2]).lstrip().upper())

    event.listen(engine, "before_cursor_execute", record)
    try:
        assert invoke("what-if", "fj-2021-09") == world.EXPECTED
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert statements and not [s for s in statements if s.startswith(("INSERT", "UPDATE", "DELETE", "CREATE"))]
    assert invoke("list")["in_force"] == "fj-2020-02"


def test_what_if_in_the_service_with_progress(db, settings) -> None:
    world.build(db)
    seen: list[int] = []
    result = what_if(db, settings, FJ_2021_09, date(2020, 2, 24), on_progress=seen.append)
    db.rollback()
    assert seen == [9] and result.as_json() == world.EXPECTED
    assert "orange → red" not in result.summary() and "橙码 → 红码：3 人" in result.summary()


def test_a_manual_flag_counts_under_both_sets_so_it_keeps_its_resident_from_changing(db) -> None:
    """A manual flag lies outside every rule set: the 13-day-old fever-clinic visitor turns green under fj-2021-09
    unless a flag holds; a flagged resident no feed names is read and stays as flagged."""
    from datetime import datetime

    from healthcode.rules.manual_models import ManualFlag
    from tests.manualflags.factories import authority
    from tests.rules import factories as f

    world.build(db)
    _, proposer, approver = (actor.account_id for actor in authority(db).actors)
    day = date.fromisoformat(world.DAY)
    for number in (world.P["old_clinic"], f.person_id(150)):
        db.add(ManualFlag(id_number=number, color="orange", reason="测试标记", ends_on=day, state="approved",
                          proposed_by=proposer, proposed_by_label="甲", proposed_at=datetime(2020, 2, 20),
                          decided_by=approver,
                          decided_at=datetime(2020, 2, 21), starts_on=date(2020, 2, 21)))
    db.commit()
    data = invoke("what-if", "fj-2021-09")
    assert data["residents"] == world.EXPECTED["residents"] + 1
    assert "orange->green" not in data["changes"]
    assert data["colors"]["in_force"]["orange"] == world.EXPECTED["colors"]["in_force"]["orange"] + 1


def test_a_corrected_record_counts_for_nobody_in_the_what_if(db) -> None:
    """An upheld appeal's correction keeps the fever-clinic visitor's record out under both sets, as his own status
    does: he is no longer a flagged resident at all."""
    from datetime import datetime

    from sqlalchemy import select

    from healthcode.feeds.models import ClinicVisitRecord
    from healthcode.rules.correction_models import Correction

    world.build(db)
    key = db.scalar(select(ClinicVisitRecord.row_key).where(ClinicVisitRecord.id_number == world.P["clinic"]))
    db.add(Correction(id_number=world.P["clinic"], feed="clinic_visits", record_key=key, rule="fever_clinic",
                      reason="误报", made_by="测试", made_at=datetime(2020, 2, 23)))
    db.commit()
    data = invoke("what-if", "fj-2021-09")
    assert data["residents"] == world.EXPECTED["residents"] - 1
    assert data["colors"]["rule_set"]["yellow"] == world.EXPECTED["colors"]["rule_set"]["yellow"] - 1
