"""Files that are not what they claim (issue 12): a text or a plain zip named .xlsx, a truncated workbook, a JSON line
nested 10,000 deep, a CSV that is not UTF-8, an empty file, a zip bomb. Each gets a clear Chinese per-file (or per-line)
error: exit 1 and a rejected report from `healthcode feed load --json`, a 4xx JSON error from the feed API, a 4xx
page from the employee import; never a traceback, a 500 or a hang."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from healthcode import cli
from healthcode.config import get_settings
from healthcode.enterprise import import_reading, importing
from healthcode.enterprise.import_store import Uploader
from healthcode.errors import DomainError
from tests.enterprise.factories import console_login, enterprise
from tests.feeds.files import batches, person_id, stored, write_xlsx
from tests.feeds.test_api import provider, upload

HOUSEHOLDS = ["id_number", "name", "address", "region_code"]
DEEP = ("[" * 10_000 + "]" * 10_000 + "\n").encode()


def workbook(tmp_path: Path) -> bytes:
    rows = [[person_id(n), f"居民{n}", "福建省福州市鼓楼区软件园", ""] for n in range(1, 200)]
    return write_xlsx(tmp_path, "source.xlsx", HOUSEHOLDS, rows).read_bytes()


def plain_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "不是工作簿")
    return buffer.getvalue()


def broken_sheet(tmp_path: Path) -> bytes:
    """A sound zip whose first sheet's XML stops half-way (rows 2 to ~100 read, then malformed XML)."""
    source = zipfile.ZipFile(io.BytesIO(workbook(tmp_path)))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for member in source.infolist():
            data = source.read(member)
            archive.writestr(member, data[:len(data) // 2] if member.filename == "xl/worksheets/sheet1.xml" else data)
    return buffer.getvalue()


def bomb(tmp_path: Path, megabytes: int = 64) -> bytes:
    """A real workbook whose first sheet is replaced by `megabytes` MB of zeros: a few hundred KB compressed."""
    source = zipfile.ZipFile(io.BytesIO(workbook(tmp_path)))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for member in source.infolist():
            if member.filename != "xl/worksheets/sheet1.xml":
                archive.writestr(member, source.read(member))
                continue
            with archive.open(member.filename, "w", force_zip64=True) as sheet:
                sheet.write(b"<worksheet><sheetData><row><c><v>")
                zeros = b"0" * (1 << 20)
                for _ in range(megabytes):
                    sheet.write(zeros)
                sheet.write(b"</v></c></row></sheetData></worksheet>")
    return buffer.getvalue()


# name, content (or a function of tmp_path), what the reason says
BAD_FILES = [
    ("fake.xlsx", b"id_number,name\n350102198001010011,\xe6\x9d\x8e\n", "不是有效的 Excel"),
    ("plain.xlsx", plain_zip(), "不是有效的 Excel"),
    ("truncated.xlsx", lambda tmp: workbook(tmp)[:3000], "不是有效的 Excel"),
    ("broken-sheet.xlsx", broken_sheet, "不是有效的 Excel"),
    ("latin1.csv", "id_number,name,address\n350102198001010011,José,x\n".encode("latin-1"), "不是 UTF-8 编码"),
    ("empty.csv", b"", "文件为空"),
    ("empty.jsonl", b"", "文件为空"),
]


def content_of(entry: Any, tmp_path: Path) -> bytes:
    return entry(tmp_path) if callable(entry) else entry


@pytest.fixture
def run(cli_engine):
    runner = CliRunner()
    return lambda *args: runner.invoke(cli.app, list(args))


@pytest.mark.parametrize(("name", "content", "reason"), BAD_FILES)
def test_given_a_bad_file_then_the_cli_exits_1_with_a_rejected_json_report(run, engine, tmp_path, name, content,
                                                                          reason) -> None:
    path = tmp_path / name
    path.write_bytes(content_of(content, tmp_path))
    result = run("feed", "load", "households", str(path), "--json")
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    report = json.loads(result.stdout)
    assert report["status"] == "rejected" and report["rows"] == 0 and report["error"] == "invalid_file"
    [bad] = report["bad_rows"]
    assert (bad["line"], bad["column"]) == (0, "") and reason in bad["reason"] and name in bad["reason"]
    assert reason in result.stderr and "Traceback" not in result.output
    assert stored(engine, "households", "id") == []


@pytest.mark.parametrize(("name", "content", "reason"), BAD_FILES)
def test_given_a_bad_file_then_the_feed_api_answers_422_in_the_error_shape(client, engine, tmp_path, name, content,
                                                                          reason) -> None:
    created = provider(engine, "省公安厅", ("households",))
    response = upload(client, created.api_key, "households", content_of(content, tmp_path), name)
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "invalid_file" and reason in body["message"]
    assert stored(engine, "households", "id") == []


def test_given_a_json_line_nested_10000_deep_then_that_line_is_refused_not_the_process(run, client, engine,
                                                                                      tmp_path) -> None:
    good = json.dumps({"id_number": person_id(1), "name": "李斌", "address": "福建省福州市鼓楼区"}, ensure_ascii=False)
    path = tmp_path / "deep.jsonl"
    path.write_bytes(good.encode() + b"\n" + DEEP)
    result = run("feed", "load", "households", str(path), "--json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["status"] == "rejected" and report["rows"] == 2
    assert [(b["line"], b["column"]) for b in report["bad_rows"]] == [(2, "")]
    assert "嵌套层数过多" in report["bad_rows"][0]["reason"]
    created = provider(engine, "省公安厅", ("households",))
    response = upload(client, created.api_key, "households", path.read_bytes(), "deep.jsonl")
    assert response.status_code == 422 and response.json()["bad_rows"] == report["bad_rows"]
    assert stored(engine, "households", "id") == []


@pytest.fixture
def never_opened(monkeypatch):
    """Fails the test if a workbook reader is asked to expand the file: a bomb must be refused before."""
    import openpyxl

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the workbook was opened")

    monkeypatch.setattr(openpyxl, "load_workbook", refuse)
    monkeypatch.setattr(import_reading.CalamineWorkbook, "from_path", refuse)


def test_given_an_xlsx_bomb_then_it_is_refused_by_its_declared_sizes_before_it_is_opened(
        run, client, engine, db, tmp_path, never_opened, settings) -> None:
    content = bomb(tmp_path)
    assert len(content) < 1 << 20  # 64 MB of sheet in well under 1 MB
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(content)
    result = run("feed", "load", "households", str(path), "--json")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["error"] == "file_too_large" and "压缩炸弹" in result.stderr
    created = provider(engine, "省公安厅", ("households",))
    response = upload(client, created.api_key, "households", content, "bomb.xlsx")
    assert response.status_code == 422 and response.json()["error"] == "file_too_large"
    with pytest.raises(DomainError) as refused:
        importing.import_upload(db, settings, Uploader(enterprise(db).org_id, 1), "员工.xlsx", content,
                                datetime(2020, 2, 24, 9))
    assert refused.value.code == "file_too_large"
    assert batches(engine) == []


def test_given_a_workbook_over_the_configured_size_then_it_is_refused(run, tmp_path, monkeypatch,
                                                                      never_opened) -> None:
    monkeypatch.setenv("HEALTHCODE_XLSX_MAX_UNCOMPRESSED_MB", "1")
    get_settings.cache_clear()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:  # not compressed at all: only the size counts
        archive.writestr("xl/worksheets/sheet1.xml", b"<x/>" * (300 * 1024))
    path = tmp_path / "big.xlsx"
    path.write_bytes(buffer.getvalue())
    result = run("feed", "load", "households", str(path))
    assert result.exit_code == 1 and "解压后超过 1 MB" in result.stderr


def test_given_a_damaged_or_bomb_workbook_then_the_employee_import_page_answers_4xx(client, db, tmp_path) -> None:
    org = enterprise(db)
    console_login(client, org)
    for content, status, text in ((b"not a workbook", 422, import_reading.NOT_EXCEL),
                                  (plain_zip(), 422, import_reading.BROKEN_EXCEL),
                                  (bomb(tmp_path, 8), 422, "压缩炸弹")):
        page = client.post("/ent/employees-import", files={"file": ("员工.xlsx", content)})
        assert (page.status_code, text in page.text) == (status, True), page.text[:300]
