"""`healthcode org add`, `region set-level` and `scanner add` (SPEC section 5, CONTRACT), on the test database."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

import healthcode.cli as cli
from healthcode.checkpoints.models import Scanner
from healthcode.orgs.models import Org
from healthcode.regions.models import RegionLevel
from tests.checkpoints.factories import id_number, uscc

runner = CliRunner()


@pytest.fixture(autouse=True)
def _cli_on_test_database(cli_engine, freeze):
    freeze("2020-02-24 09:00")


def org_add(*extra: str) -> object:
    return runner.invoke(cli.app, ["org", "add", "--name", "福建省经济信息中心", "--uscc", uscc(1),
                                   "--kind", "government", *extra])


def test_org_add_json_is_exactly_the_contract_shape_and_the_password_works_at_once(db, client):
    result = org_add("--region", "350102", "--json")

    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) == {"org_id", "username", "password"}
    assert 6 <= len(data["password"]) <= 16
    token = client.post("/api/v1/auth/token", data={"username": data["username"], "password": data["password"]})
    assert token.status_code == 200, token.text
    assert set(token.json()) >= {"access_token", "token_type", "expires_in"} and token.json()["token_type"] == "bearer"
    me = client.get("/api/v1/org/me", headers={"Authorization": f"Bearer {token.json()['access_token']}"})
    assert (me.status_code, me.json()["org_id"]) == (200, data["org_id"])
    assert db.scalars(select(Org.region_code)).one() == "350102"


def test_org_add_without_json_prints_the_password_once_in_chinese():
    result = org_add()

    assert result.exit_code == 0, result.output
    assert "管理员账号" in result.stdout and "仅显示一次" in result.stdout


@pytest.mark.parametrize("client_host", ["10.1.2.3"])  # 政务信息网
def test_org_add_retrieve_on_page_delivers_no_password_and_the_unit_retrieves_it_once(db, client):
    # Given a government unit added without a delivered password
    result = org_add("--retrieve-on-page", "--json")
    data = json.loads(result.stdout)

    # When the unit fetches its account on the retrieval page, twice
    first = client.post("/gov/retrieval", data={"name": "福建省经济信息中心", "uscc": data["username"]})
    second = client.post("/gov/retrieval", data={"name": "福建省经济信息中心", "uscc": data["username"]})

    # Then only the first gets a password
    assert result.exit_code == 0 and data["password"] is None and set(data) == {"org_id", "username", "password"}
    assert first.status_code == 200 and 'id="retrieved-password"' in first.text
    assert second.status_code == 409 and 'id="retrieved-password"' not in second.text


def test_org_add_retrieve_on_page_is_for_government_units_only(db):
    result = runner.invoke(cli.app, ["org", "add", "--name", "某企业", "--uscc", uscc(2), "--kind", "enterprise",
                                     "--retrieve-on-page"])

    assert result.exit_code == 1 and "机关事业单位" in result.output
    assert db.scalars(select(Org)).all() == []


@pytest.mark.parametrize(("args", "message"), [
    (["--uscc", "12350100MB000000X"], "统一社会信用代码"),  # wrong check character
    (["--uscc", "123"], "18位"),
    (["--kind", "school"], "单位类型"),
    (["--region", "999999"], "行政区划代码"),
    (["--parent", uscc(9)], "上级单位"),
])
def test_org_add_refuses_bad_input_with_a_chinese_error_and_creates_nothing(db, args, message):
    base = {"--name": "某单位", "--uscc": uscc(2), "--kind": "enterprise"}
    base.update(dict(zip(args[::2], args[1::2], strict=True)))

    result = runner.invoke(cli.app, ["org", "add", *[x for pair in base.items() for x in pair]])

    assert result.exit_code == 1
    assert message in result.output
    assert db.scalars(select(Org)).all() == []


def test_org_add_refuses_a_duplicate_uscc(db):
    assert org_add().exit_code == 0

    again = org_add()

    assert again.exit_code == 1 and "已登记" in again.output
    assert len(db.scalars(select(Org)).all()) == 1


def test_org_add_with_parent_links_to_the_superior_unit(db):
    assert org_add().exit_code == 0

    child = runner.invoke(cli.app, ["org", "add", "--name", "下级单位", "--uscc", uscc(2), "--kind", "government",
                                    "--parent", uscc(1)])

    assert child.exit_code == 0, child.output
    parent_id, child_parent = db.execute(select(Org.id, Org.parent_id).order_by(Org.id)).all()
    assert child_parent[1] == parent_id[0]


def test_region_set_level_records_the_level_with_its_operator(db):
    result = runner.invoke(cli.app, ["region", "set-level", "350102", "1"])

    assert result.exit_code == 0, result.output
    assert "福州市鼓楼区" in result.stdout and "零星散发疫情区" in result.stdout
    row = db.scalars(select(RegionLevel)).one()
    assert (row.code, row.level, row.set_by) == ("350102", 1, "cli")


@pytest.mark.parametrize(("code", "level", "message"), [
    ("350100", "1", "不是县级行政区"),  # 福州市: a city
    ("350000", "1", "不是县级行政区"),  # 福建省
    ("359999", "1", "不存在"),
    ("35010", "1", "6位数字"),
    ("350102", "4", "0–3"),
    ("350102", "-1", "0–3"),
])
def test_region_set_level_refuses_bad_input_in_chinese(db, code, level, message):
    result = runner.invoke(cli.app, ["region", "set-level", code, "--", level] if level.startswith("-")
                           else ["region", "set-level", code, level])

    assert result.exit_code != 0
    assert message in result.output
    assert db.scalars(select(RegionLevel)).all() == []


@pytest.mark.parametrize(("flag", "state", "status"), [([], "待单位管理员授权", "pending"),
                                                       (["--authorise"], "已授权", "authorised")])
def test_scanner_add_with_and_without_authorise(db, client, flag, state, status):
    assert org_add().exit_code == 0

    result = runner.invoke(cli.app, ["scanner", "add", "--org", uscc(1), "--phone", "13800000001", "--name", "李强",
                                     "--id-number", id_number(501), "--password", "Scan2020ok", *flag])

    assert result.exit_code == 0, result.output
    assert state in result.stdout
    assert db.scalars(select(Scanner.status)).one() == status
    token = client.post("/api/v1/auth/token", data={"username": "13800000001", "password": "Scan2020ok"})
    points = client.get("/api/v1/checkpoint/points",
                        headers={"Authorization": f"Bearer {token.json()['access_token']}"})
    assert points.status_code == (200 if status == "authorised" else 403)


@pytest.mark.parametrize(("change", "message"), [
    ({"--org": uscc(7)}, "未找到"),
    ({"--phone": "1380000"}, "手机号"),
    ({"--id-number": "350102199001010010"}, "校验码"),
    ({"--password": "abc"}, "6–16"),
    ({"--password": "a" * 17}, "6–16"),
])
def test_scanner_add_refuses_bad_input_in_chinese(db, change, message):
    assert org_add().exit_code == 0
    args = {"--org": uscc(1), "--phone": "13800000001", "--name": "李强", "--id-number": id_number(501),
            "--password": "Scan2020ok", **change}

    result = runner.invoke(cli.app, ["scanner", "add", *[x for pair in args.items() for x in pair]])

    assert result.exit_code == 1
    assert message in result.output
    assert db.scalars(select(Scanner)).all() == []


def test_scanner_add_refuses_a_phone_already_registered(db):
    assert org_add().exit_code == 0
    args = ["scanner", "add", "--org", uscc(1), "--phone", "13800000001", "--name", "李强", "--id-number",
            id_number(501), "--password", "Scan2020ok"]
    assert runner.invoke(cli.app, args).exit_code == 0

    again = runner.invoke(cli.app, args)

    assert again.exit_code == 1 and "已注册" in again.output
