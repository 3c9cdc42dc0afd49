"""The operator CLI of SPEC section 5, end to end: the real `healthcode` command in a subprocess on a database that
starts empty (the command migrates it), as an operator's script would run it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from stdnum.cn import ric, uscc

from healthcode.db import make_engine
from tests.conftest import PG_URL


def _id(body: str) -> str:
    return body + ric.calc_check_digit(body + "0")


@pytest.fixture
def run(tmp_path: Path) -> Iterator[object]:
    schema = None
    env = {k: v for k, v in os.environ.items() if not k.startswith("HEALTHCODE_")}
    env["HEALTHCODE_DATA_DIR"] = str(tmp_path / "var")
    if PG_URL:
        schema = f"c_{uuid.uuid4().hex[:12]}"
        with make_engine(PG_URL).begin() as conn:
            conn.execute(text(f"CREATE SCHEMA {schema}"))
        sep = "&" if "?" in PG_URL else "?"
        env["HEALTHCODE_DATABASE_URL"] = f"{PG_URL}{sep}options=-csearch_path%3D{schema}"

    def _run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "healthcode.cli", *args], env=env, cwd=tmp_path,
                              capture_output=True, text=True, timeout=120)

    yield _run
    if schema:
        with make_engine(PG_URL).begin() as conn:  # type: ignore[arg-type]
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))


def test_an_operator_script_from_an_empty_database(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # Given a household register and a fever-clinic visit yesterday for one resident
    green, orange = _id("35010219900101123"), _id("35050319850315231")
    households = tmp_path / "households.csv"
    households.write_text("\ufeffid_number,name,address,region_code\n"
                          f"{green},张三,福建省福州市鼓楼区五四路88号,\n{orange},李小明,福建省泉州市丰泽区东湖街道10号,\n",
                          encoding="utf-8")
    visits = tmp_path / "clinic_visits.jsonl"
    visits.write_text(json.dumps({"record_id": "V1", "id_number": orange, "name": "李小明",
                                  "visited_at": "2099-01-01T09:00:00", "department": "发热门诊"}) + "\n")
    # When the feeds are loaded
    loaded = run("feed", "load", "households", str(households), "--json")
    assert loaded.returncode == 0, loaded.stderr
    report = json.loads(loaded.stdout)
    assert (report["status"], report["rows"], report["bad_rows"]) == ("applied", 2, [])
    again = run("feed", "load", "households", str(households), "--json")
    assert again.returncode == 0 and json.loads(again.stdout)["status"] == "duplicate"
    future = run("feed", "load", "clinic_visits", str(visits), "--json")
    assert future.returncode == 0 and json.loads(future.stdout)["status"] == "applied"
    bad = tmp_path / "cases.csv"
    bad.write_text("id_number,name,status,reported_at\n350102199001011230,王五,确诊,2020-02-01T10:00:00\n")
    rejected = run("feed", "load", "cases", str(bad), "--json")
    assert rejected.returncode == 1
    report = json.loads(rejected.stdout)
    assert (report["status"], report["rows"]) == ("rejected", 1)
    assert [(e["line"], e["column"]) for e in report["bad_rows"]] == [(2, "id_number")]

    # Then the status reads the feeds (a visit dated in the future does not count yet)
    status = run("person", "status", orange, "--json")
    assert status.returncode == 0 and json.loads(status.stdout) == {"color": "green", "reasons": []}
    assert run("person", "status", "350102199001011230").returncode == 1

    # And a registered resident gets a code that the published keys verify
    issued = run("code", "issue", green, "--json", "--png", str(tmp_path / "code.png"))
    assert issued.returncode == 0, issued.stderr
    code = json.loads(issued.stdout)
    assert set(code) == {"color", "number_code", "qr_text", "issued_at", "expires_at"}
    assert code["qr_text"].startswith("BMJKM1:") and len(code["number_code"]) == 12
    assert (tmp_path / "code.png").read_bytes().startswith(b"\x89PNG")
    assert run("code", "issue", _id("35010219991212016"), "--json").returncode == 1
    keys = json.loads(run("keys", "export").stdout)
    assert keys["keys"] and all(k["kty"] in ("OKP", "EC") for k in keys["keys"])

    # And units, levels and scanners are provisioned
    unit_uscc = "12350000MB0123456" + uscc.calc_check_digit("12350000MB0123456")
    org = run("org", "add", "--name", "福建省经济信息中心", "--uscc", unit_uscc, "--kind", "government",
              "--region", "350102", "--json")
    assert org.returncode == 0, org.stderr
    assert set(json.loads(org.stdout)) == {"org_id", "username", "password"}
    assert run("region", "set-level", "350102", "1").returncode == 0
    assert run("region", "set-level", "350102", "7").returncode == 1
    scanner = run("scanner", "add", "--org", unit_uscc, "--phone", "13800000001", "--name", "李强",
                  "--id-number", _id("35010219870101111"), "--password", "Scan2020", "--authorise")
    assert scanner.returncode == 0, scanner.stderr
