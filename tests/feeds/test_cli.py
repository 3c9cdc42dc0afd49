"""`healthcode feed load` (SPEC section 5, CONTRACT): the exact --json shape and exit codes; `provider add`."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from healthcode import cli
from tests.feeds.files import bad_check, person_id, stored, write_csv

HEADER = ["id_number", "name", "address", "region_code"]
A = person_id(1)


@pytest.fixture
def run(cli_engine):
    runner = CliRunner()
    return lambda *args: runner.invoke(cli.app, list(args))


def test_given_a_valid_file_then_exit_0_and_the_exact_json_shape(run, engine, tmp_path) -> None:
    path = write_csv(tmp_path, "h.csv", HEADER, [[A, "李斌", "福建省福州市鼓楼区软件园", ""]])
    result = run("feed", "load", "households", str(path), "--json")
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert {k: body[k] for k in ("status", "rows", "bad_rows")} == {"status": "applied", "rows": 1, "bad_rows": []}
    again = run("feed", "load", "households", str(path), "--json")
    assert again.exit_code == 0 and json.loads(again.stdout)["status"] == "duplicate"


def test_given_bad_rows_then_exit_1_with_every_bad_row_and_max_bad_rows_accepts_them(run, engine, tmp_path) -> None:
    rows = [[A, "李斌", "x", ""], [bad_check(person_id(2)), "王芳", "x", ""], [person_id(3), "", "x", ""]]
    path = write_csv(tmp_path, "h.csv", HEADER, rows)
    result = run("feed", "load", "households", str(path), "--json")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["bad_rows"] == [
        {"line": 3, "column": "id_number", "reason": "身份证号校验码错误"},
        {"line": 4, "column": "name", "reason": "必填项为空"}]
    assert stored(engine, "households", "id") == []
    accepted = run("feed", "load", "households", str(path), "--max-bad-rows", "2", "--json")
    assert accepted.exit_code == 0 and json.loads(accepted.stdout)["status"] == "applied"
    assert stored(engine, "households", "id_number") == [(A,)]


def test_given_text_output_then_a_chinese_summary(run, tmp_path) -> None:
    path = write_csv(tmp_path, "h.csv", HEADER, [[A, "李斌", "x", ""]])
    result = run("feed", "load", "households", str(path))
    assert result.exit_code == 0 and "已应用" in result.stdout and "户籍人口库" in result.stdout


@pytest.mark.parametrize("args", [("nope", "h.csv"), ("households", "missing.csv"), ("households", "h.txt")])
def test_given_an_unknown_feed_or_file_then_exit_1_with_a_chinese_error(run, tmp_path, args) -> None:
    write_csv(tmp_path, "h.csv", HEADER, [[A, "李斌", "x", ""]])
    (tmp_path / "h.txt").write_text("x")
    result = run("feed", "load", args[0], str(tmp_path / args[1]), "--json")
    assert result.exit_code == 1 and "错误：" in result.stderr


def test_given_provider_add_then_the_key_is_printed_once_and_works(run, client) -> None:
    result = run("provider", "add", "国家卫健委", "--feeds", "cases,close_contacts", "--json")
    assert result.exit_code == 0, result.output
    created = json.loads(result.stdout)
    assert created["feeds"] == ["cases", "close_contacts"]
    response = client.post("/api/v1/feeds/close_contacts/records", headers={"X-API-Key": created["api_key"]},
                           json={"id_number": A, "name": "李斌", "contact_date": "2020-02-20"})
    assert response.status_code == 201
    assert run("provider", "add", "国家卫健委", "--feeds", "cases").exit_code == 1
    assert run("provider", "add", "省医保局", "--feeds", "bogus").exit_code == 1


def test_given_a_progress_bar_then_it_follows_the_bytes_read_and_is_silent_when_disabled(tmp_path, capsys) -> None:
    from healthcode.feeds.progress import progress_bar

    path = write_csv(tmp_path, "h.csv", HEADER, [[A, "李斌", "x", ""]])
    with progress_bar(path, enabled=False) as on_progress:
        on_progress(10)
    with progress_bar(path, enabled=True) as on_progress:
        on_progress(path.stat().st_size)
    assert capsys.readouterr().out == ""


def test_given_an_arrivals_file_without_health_abnormal_then_it_loads_as_false(run, engine, tmp_path) -> None:
    path = write_csv(tmp_path, "a.csv", ["id_number", "name", "origin", "arrived_on"],
                     [[A, "李斌", "湖北省武汉市", "2020-02-20"]])
    result = run("feed", "load", "arrivals", str(path), "--json")
    assert result.exit_code == 0, result.output
    assert stored(engine, "arrivals", "health_abnormal") == [(False,)]
