"""What the server writes to its logs never holds a full ID number or phone number (issue 12, PIPL art. 28): every
log handler formats through `MaskingFormatter`, which masks them in the finished line (path, query string, message,
traceback alike) and drops the values PostgreSQL quotes in an error's DETAIL and CONTEXT lines. The load balancer's
successful probes (`/healthz`, `/readyz`) are left out of the access log."""

from __future__ import annotations

import copy
import importlib
import logging
import re
from typing import Any

from healthcode.common.masking import mask_id_number, mask_phone

# Every value masked has 11 or more digits in a row, and the pattern finds only such runs (each whole, from its first
# digit): a line without one costs one scan of the regex engine and no Python call. Runs of 15 or more digits (an ID
# number, 18 characters with a trailing X or 15 legacy; longer runs may hold one, and bank card numbers are 16-19)
# keep their first 2 and last 3; an 11-digit mobile number keeps 3 and 4; 12-14 digits (number codes, millisecond
# timestamps) pass.
_RUN = re.compile(r"\d{11,}[Xx]?")
# PostgreSQL's error details quote the row or key ("Failing row contains (…)", "Key (id_number)=(…)", a COPY line):
# names and addresses too, which no pattern finds. The line is kept up to its first quoted part.
_DB_DETAIL = re.compile(r"((?:DETAIL|CONTEXT):[^(\"\n]*)[(\"][^\n]*")


def _replace(match: re.Match[str]) -> str:
    value = match.group()
    digits = len(value) if value[-1].isdigit() else len(value) - 1
    if digits >= 15:
        return mask_id_number(value)
    if digits == 11 and value[0] == "1" and value[1] in "3456789":
        return mask_phone(value[:11]) + value[11:]
    return value


def mask(text: str) -> str:
    """The text with ID numbers, phone numbers and database error details masked."""
    if "DETAIL:" in text or "CONTEXT:" in text:
        text = _DB_DETAIL.sub(r"\1（已隐藏）", text)
    return _RUN.sub(_replace, text)


class MaskingFormatter(logging.Formatter):
    """Wraps a handler's formatter: what it produces, masked."""

    def __init__(self, inner: logging.Formatter | None = None) -> None:
        super().__init__()
        self.inner = inner or logging.Formatter()

    def format(self, record: logging.LogRecord) -> str:
        return mask(self.inner.format(record))


def masking_formatter(inner: str, **kwargs: Any) -> MaskingFormatter:
    """For `logging.config.dictConfig` ("()"): the formatter class named `inner`, built with `kwargs`, masked."""
    module, _, name = inner.rpartition(".")
    return MaskingFormatter(getattr(importlib.import_module(module), name)(**kwargs))


class QuietProbes(logging.Filter):
    """Leaves the successful calls of `/healthz` and `/readyz` out of uvicorn's access log (a load balancer asks every
    few seconds); a failed readiness probe is still logged."""

    PROBES = ("/healthz", "/readyz")

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) == 5 and isinstance(args[4], int) and args[4] < 400:
            path = str(args[2]).split("?", 1)[0]
            return path not in self.PROBES
        return True


def log_config() -> dict[str, Any]:
    """uvicorn's logging configuration with every formatter masked, and a handler for the root logger so that the
    platform's and the libraries' warnings and errors are masked too (otherwise they go to Python's last-resort
    handler)."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["formatters"]["platform"] = {"()": "uvicorn.logging.DefaultFormatter",
                                        "fmt": "%(levelprefix)s %(name)s: %(message)s"}
    for formatter in config["formatters"].values():
        formatter["inner"] = formatter.pop("()")
        formatter["()"] = "healthcode.logmask.masking_formatter"
    config["handlers"]["platform"] = {"formatter": "platform", "class": "logging.StreamHandler",
                                      "stream": "ext://sys.stderr"}
    config["root"] = {"handlers": ["platform"], "level": "WARNING"}
    config.setdefault("filters", {})["quiet_probes"] = {"()": "healthcode.logmask.QuietProbes"}
    config["loggers"]["uvicorn.access"]["filters"] = ["quiet_probes"]
    return config


def install() -> None:
    """Masks the handlers already installed on the root and uvicorn's loggers, for a server started some other way
    than `healthcode serve` (`uvicorn --factory healthcode.app:create_app`, gunicorn): called by `create_app`."""
    handlers = [logging.lastResort] if logging.lastResort is not None else []
    for name in (None, "uvicorn", "uvicorn.error", "uvicorn.access"):
        handlers += logging.getLogger(name).handlers
    for handler in handlers:
        if not isinstance(handler.formatter, MaskingFormatter):
            handler.setFormatter(MaskingFormatter(handler.formatter))
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, QuietProbes) for f in access.filters):
        access.addFilter(QuietProbes())
