"""The operator commands of the code domain (SPEC 5): `code issue`, `keys export`, `keys rotate`."""

from __future__ import annotations

import io
import json
import re

import pytest
from PIL import Image
from sqlalchemy import func, select
from typer.testing import CliRunner

from healthcode import cli
from healthcode.codes import service
from healthcode.codes.models import PrintedCard
from healthcode.config import get_settings
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


def test_code_print_writes_the_card_pdf_and_revokes_the_older_card(cli_engine, db, tmp_path):
    from healthcode.codes.errors import CardRevoked

    household(db, id_number(6), "陈静", "350102")
    db.commit()
    first, second = tmp_path / "first.pdf", tmp_path / "second.pdf"

    printed = runner.invoke(cli.app, ["code", "print", id_number(6), "--pdf", str(first), "--json"])
    again = runner.invoke(cli.app, ["code", "print", id_number(6), "--pdf", str(second)])

    assert printed.exit_code == 0, printed.output
    data = json.loads(printed.stdout)
    assert set(data) == {"serial", "name_masked", "issued_at", "expires_at", "pdf"} and data["name_masked"] == "*静"
    assert data["expires_at"] == "2021-02-23T09:00:00+08:00" and first.read_bytes()[:5] == b"%PDF-"
    assert again.exit_code == 0 and "已打印纸质健康码 *静" in again.stdout and "有效期至 2021-02-23" in again.stdout
    assert id_number(6) not in printed.output + again.output
    texts = [_card_text(path, tmp_path) for path in (first, second)]
    with transaction(cli_engine) as session:
        with pytest.raises(CardRevoked):
            service.resolve(session, texts[0], NOW)
        assert service.resolve(session, texts[1], NOW).kind == "card"


def _card_text(pdf, tmp_path) -> str:
    import subprocess

    subprocess.run(["pdftoppm", "-r", "150", "-png", "-singlefile", str(pdf), str(tmp_path / pdf.stem)], check=True)
    return read_qr_codes(Image.open(tmp_path / f"{pdf.stem}.png"))[0].text


def test_code_print_refuses_an_unknown_resident_and_keeps_the_card_when_the_pdf_cannot_be_made(
        cli_engine, db, tmp_path, monkeypatch):
    from healthcode.codes import card_repository

    unknown = runner.invoke(cli.app, ["code", "print", id_number(9), "--pdf", str(tmp_path / "x.pdf")])
    assert unknown.exit_code == 1 and "未登记的居民" in unknown.output and not (tmp_path / "x.pdf").exists()
    household(db, id_number(10), "陈静", "350102")
    db.commit()
    assert runner.invoke(cli.app, ["code", "print", id_number(10), "--pdf", str(tmp_path / "a.pdf")]).exit_code == 0
    monkeypatch.setenv("HEALTHCODE_CARD_FONT_PATH", str(tmp_path / "none.ttc"))
    get_settings.cache_clear()  # the command reads the environment as it starts

    no_font = runner.invoke(cli.app, ["code", "print", id_number(10), "--pdf", str(tmp_path / "b.pdf")])

    assert no_font.exit_code == 1 and "fonts-wqy-zenhei" in no_font.output
    with transaction(cli_engine) as session:  # the first card is still the live one: nothing was half applied
        person_id = service.issue_for_id_number(session, get_settings(), id_number(10), NOW).person_id
        assert card_repository.live_card(session, person_id).issued_by == "cli"
        assert session.scalar(select(func.count()).select_from(PrintedCard)) == 1
