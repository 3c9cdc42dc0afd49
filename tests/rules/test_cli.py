"""`healthcode person status ID_NUMBER [--json]` (SPEC section 5, CONTRACT)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

import healthcode.cli as cli
from tests.rules import factories as f

A = f.person_id(1)
runner = CliRunner()


@pytest.fixture(autouse=True)
def _cli_on_test_database(cli_engine, freeze):
    freeze("2020-02-24 09:00")


def test_given_fever_clinic_visit_when_status_json_then_exact_contract_shape(db):
    f.clinic_visit(db, A, "2020-02-10 10:00")
    db.commit()
    result = runner.invoke(cli.app, ["person", "status", A, "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"color": "green", "reasons": []}  # day 14: green again
    f.clinic_visit(db, A, "2020-02-11 10:00")
    db.commit()
    result = runner.invoke(cli.app, ["person", "status", A, "--json"])
    assert json.loads(result.stdout) == {"color": "orange", "reasons": [{
        "rule": "fever_clinic", "since": "2020-02-11", "until": "2020-02-24",
        "detail": "14天内有发热门诊就诊记录（2020-02-11），2020-02-25 起恢复绿码"}]}


def test_given_open_ended_case_when_status_json_then_until_is_null(db):
    f.case(db, A, "confirmed", "2020-02-01 10:00")
    db.commit()
    data = json.loads(runner.invoke(cli.app, ["person", "status", A, "--json"]).stdout)
    assert data["color"] == "orange"
    assert list(data["reasons"][0]) == ["rule", "since", "until", "detail"]
    assert data["reasons"][0]["until"] is None


def test_given_unknown_valid_id_then_green_with_no_reasons():
    result = runner.invoke(cli.app, ["person", "status", f.person_id(77), "--json"])
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {"color": "green", "reasons": []}


def test_given_legacy_15_digit_or_lower_case_x_id_then_it_is_normalised(db):
    f.clinic_visit(db, f.person_id(1), "2020-02-20 10:00")
    f.clinic_visit(db, f.person_id(18), "2020-02-20 10:00")
    db.commit()
    for typed in ("350102900101001", f.person_id(18).lower()):  # 350102 (19)900101 001: person_id(1)
        result = runner.invoke(cli.app, ["person", "status", typed, "--json"])
        assert result.exit_code == 0
        assert json.loads(result.stdout)["color"] == "orange"


def test_given_invalid_id_then_exit_1_with_chinese_message():
    result = runner.invoke(cli.app, ["person", "status", "350102199001010011", "--json"])
    assert result.exit_code == 1
    assert "身份证号校验码错误" in result.output
    assert result.stdout == ""


def test_given_orange_person_without_json_then_chinese_summary(db):
    f.arrival(db, A, "2020-02-20")
    db.commit()
    result = runner.invoke(cli.app, ["person", "status", A])
    assert result.exit_code == 0
    assert result.stdout.startswith("健康码：橙码")
    assert "14天内自疫情高发地区（湖北省武汉市）入闽（2020-02-20），2020-03-05 起恢复绿码" in result.stdout
