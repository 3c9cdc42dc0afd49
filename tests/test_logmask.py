"""The server's log formatters mask ID numbers and phone numbers wherever they are in a line, and drop the row values
PostgreSQL quotes in error details (healthcode/logmask.py)."""

from __future__ import annotations

import logging
import sys

import pytest
from sqlalchemy import Engine

import healthcode.logmask as logmask
from healthcode.app import create_app
from healthcode.config import Settings
from healthcode.logmask import MaskingFormatter, log_config, mask, masking_formatter
from tests.checkpoints.factories import id_number
from tests.logscan import LogScan, full_id_numbers

ID = id_number(7)  # 18 characters, valid check character
ID_X = "11010519491231002X"


def test_id_numbers_and_phones_are_masked_anywhere_in_a_line() -> None:
    line = f'1.2.3.4:5 - "GET /gov/records?id_number={ID}&q={ID_X.lower()}&phone=13912345678 HTTP/1.1" 200'

    masked = mask(line)

    assert ID not in masked and ID_X.lower() not in masked and "13912345678" not in masked
    assert f"id_number={ID[:2]}*****{ID[-3:]}&q=11*****02x&phone=139****5678 " in masked
    assert mask(f"/citizen/family/{ID}/code") == f"/citizen/family/{ID[:2]}*****{ID[-3:]}/code"
    assert mask("legacy 350102900101001 end") == "legacy 35*****001 end"
    assert mask(f"ref=9{ID}0&tel=13912345678x") == f"ref=93*****{ID[-2:]}0&tel=139****5678x"


def test_shorter_numbers_and_other_digits_pass_unchanged() -> None:
    for line in ('127.0.0.1:53412 - "POST /api/v1/checkpoint/scans HTTP/1.1" 201',
                 "number code 123456789012, at 1733380000123 ms, landline 05918765432 / 2820000000 rows"):
        assert mask(line) == line


def test_postgresql_error_details_lose_their_values() -> None:
    text = ('new row for relation "feed_cases" violates check constraint "ck_x"\n'
            "DETAIL:  Failing row contains (1, 欧阳娜娜, confirmed).\n"
            'CONTEXT:  COPY feed_cases, line 3: "欧阳娜娜,confirmed"\n[SQL: INSERT INTO feed_cases ...]')

    masked = mask(text)

    assert "欧阳娜娜" not in masked
    assert "DETAIL:  Failing row contains （已隐藏）" in masked and "[SQL: INSERT INTO feed_cases ...]" in masked


def test_a_traceback_is_masked_with_the_message() -> None:
    formatter = MaskingFormatter(logging.Formatter("%(levelname)s %(message)s"))
    try:
        raise ValueError(f"no such resident {ID}")
    except ValueError:
        record = logging.LogRecord("uvicorn.error", logging.ERROR, __file__, 1, "for %s", (ID,), sys.exc_info())

    text = formatter.format(record)

    assert ID not in text and "Traceback" in text and text.count(f"{ID[:2]}*****{ID[-3:]}") == 2


def test_the_server_log_config_masks_uvicorns_access_line() -> None:
    spec = log_config()["formatters"]["access"]
    formatter = masking_formatter(spec["inner"], **{k: v for k, v in spec.items() if k not in ("()", "inner")})
    record = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
                               ("127.0.0.1:5", "GET", f"/x?id={ID}", "1.1", 200), None)

    assert f"/x?id={ID[:2]}*****{ID[-3:]}" in formatter.format(record)
    assert log_config()["root"]["handlers"] == ["platform"]


def test_an_app_built_outside_healthcode_serve_masks_the_handlers_already_there(engine: Engine,
                                                                               settings: Settings) -> None:
    handler = logging.StreamHandler()
    access = logging.getLogger("uvicorn.access")
    access.addHandler(handler)
    try:
        create_app(settings, engine)
        create_app(settings, engine)  # once is enough: not wrapped twice

        assert isinstance(handler.formatter, MaskingFormatter)
        assert not isinstance(handler.formatter.inner, MaskingFormatter)
    finally:
        access.removeHandler(handler)


def test_the_suite_log_scan_finds_an_unmasked_id_number(monkeypatch: pytest.MonkeyPatch) -> None:
    assert full_id_numbers(f"a {ID} b {ID[:-1]}{'0' if ID[-1] != '0' else '1'} c") == [ID]
    scan = LogScan()
    record = logging.LogRecord("healthcode.x", logging.DEBUG, __file__, 1, "looked up %s", (ID,), None)
    scan.check(record)
    assert scan.found == []

    monkeypatch.setattr(logmask, "mask", lambda text: text)  # as if the server's formatters did not mask
    scan.check(record)
    assert len(scan.found) == 1 and ID in scan.found[0]

