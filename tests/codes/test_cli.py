"""The operator commands of the code domain (SPEC 5): `code issue`, `keys export`, `keys rotate`."""

from __future__ import annotations

import io
import json
import re

import pytest
from PIL import Image
from typer.testing import CliRunner

from healthcode import cli
from healthcode.codes import service
from healthcode.db import transaction
from tests.codes.factories import NOW, household, id_number
from tests.qrcodes import read_qr_codes

runner = CliRunner()
ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$")


@pytest.fixture(autouse=True)
def _frozen(freeze):
    freeze(NOW)


def test_code_issue_json_for_household_resident(cli_engine, db, tmp_path):
    household(db, id_number(3), "陈静", "350102")
    db.commit()
    png = tmp_path / "code.png"

    result = runner.invoke(cli.app, ["code", "issue", id_number(3), "--json", "--png", str(png)])

    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) == {"color", "number_code", "qr_text", "issued_at", "expires_at"}
    assert data["color"] == "green" and re.fullmatch(r"\d{12}", data["number_code"])
    assert data["qr_text"].startswith("BMJKM1:")
    assert data["issued_at"] == "2020-02-24T09:00:00+08:00" and ISO.match(data["expires_at"])
    assert [b.text for b in read_qr_codes(Image.open(io.BytesIO(png.read_bytes())))] == [data["qr_text"]]
    with transaction(cli_engine) as session:  # the CLI committed it: the checkpoint can resolve it
        assert service.resolve(session, data["number_code"], NOW).kind == "number"


def test_code_issue_text_output(cli_engine, db):
    household(db, id_number(4), "陈静", "350102")
    db.commit()

    result = runner.invoke(cli.app, ["code", "issue", id_number(4)])

    assert result.exit_code == 0, result.output
    assert "绿码" in result.stdout and "有效至 09:01:00" in result.stdout


def test_code_issue_for_unknown_resident_exits_1(cli_engine):
    result = runner.invoke(cli.app, ["code", "issue", id_number(5), "--json"])

    assert result.exit_code == 1
    assert "未登记" in result.output


def test_code_issue_for_invalid_id_number_exits_1(cli_engine):
    result = runner.invoke(cli.app, ["code", "issue", "350102199001010000"])

    assert result.exit_code == 1
    assert "身份证号" in result.output


def test_keys_export_prints_the_jwk_set(cli_engine):
    result = runner.invoke(cli.app, ["keys", "export"])

    assert result.exit_code == 0, result.output
    jwks = json.loads(result.stdout)
    assert [(k["kty"], k["crv"], k["alg"], k["use"]) for k in jwks["keys"]] == [("OKP", "Ed25519", "EdDSA", "sig")]


def test_keys_rotate_publishes_a_second_key(cli_engine):
    rotated = runner.invoke(cli.app, ["keys", "rotate"])
    exported = runner.invoke(cli.app, ["keys", "export"])

    assert rotated.exit_code == 0, rotated.output
    assert "2020-02-25 09:00:00 起签名" in rotated.stdout
    assert len(json.loads(exported.stdout)["keys"]) == 2


def test_keys_rotate_refuses_unknown_algorithm(cli_engine):
    result = runner.invoke(cli.app, ["keys", "rotate", "--alg", "RS256"])
    assert result.exit_code == 1
