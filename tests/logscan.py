"""The whole suite's log, as the server would write it, holds no full ID number (issue 12).

Every log record made during the test session (any logger; the platform's own at every level) is formatted by the
server's formatters (`healthcode.logmask.log_config`: uvicorn's access and default formats and the root handler's,
all masked) and searched for an 18-character ID number with a valid GB 11643 check character. Records are taken
where they are made (the log record factory), so loggers that do not propagate (uvicorn's, once a test served the
app with uvicorn) are searched too."""

from __future__ import annotations

import logging
import logging.config
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from stdnum.cn.ric import calc_check_digit

from healthcode.logmask import log_config, masking_formatter

ID_NUMBER = re.compile(r"(?<![0-9])[1-9][0-9]{16}[0-9Xx](?![0-9])")


def full_id_numbers(text: str) -> list[str]:
    return [m for m in ID_NUMBER.findall(text) if calc_check_digit(m.upper()) == m[-1].upper()]


class LogScan:
    def __init__(self) -> None:
        formatters = log_config()["formatters"]
        self.access = _build(formatters["access"])
        self.platform = _build(formatters["platform"])
        self.found: list[str] = []
        self.records = 0

    def check(self, record: logging.LogRecord) -> None:
        self.records += 1
        formatter = self.access if record.name == "uvicorn.access" else self.platform
        try:
            line = formatter.format(record)
        except Exception:  # a record the test itself made unformattable; the logging module reports it anyway
            return
        if full_id_numbers(line):
            self.found.append(f"{record.name}: {line}")


def _build(spec: dict[str, Any]) -> logging.Formatter:
    kwargs = {k: v for k, v in spec.items() if k not in ("()", "inner")}
    return masking_formatter(spec["inner"], **kwargs)


@pytest.fixture(scope="session", autouse=True)
def log_without_id_numbers() -> Iterator[LogScan]:
    scan = LogScan()
    previous: Callable[..., logging.LogRecord] = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        scan.check(record)
        return record

    platform = logging.getLogger("healthcode")
    level = platform.level
    platform.setLevel(logging.DEBUG)  # the platform's own records at every level
    logging.setLogRecordFactory(factory)
    try:
        yield scan
    finally:
        logging.setLogRecordFactory(previous)
        platform.setLevel(level)
    assert not scan.found, "full ID numbers in the server log:\n" + "\n".join(scan.found[:20])
