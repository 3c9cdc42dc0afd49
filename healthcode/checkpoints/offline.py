"""Scans made while the scanner page was offline (离线核验): the page verified the QR against its cached JWK Set and
queued the scan under an id of its own; uploading it later records the scan once, however often it is re-sent.

A queued feedback whose 体温结果 contradicts its temperature (queued by a page from before the temperature decided the
result) is not refused, which would lose the scan: the result is recorded as the temperature decides, and the answer
and the queue's row say it was corrected. The online feedback still refuses the pair (422)."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from healthcode import clock
from healthcode.checkpoints import repository, service
from healthcode.checkpoints.errors import TooOld
from healthcode.checkpoints.models import OfflineScan, Scanner
from healthcode.codes import tokens
from healthcode.codes.errors import CodeRefused, InvalidCode
from healthcode.common import temperature as temperatures
from healthcode.config import Settings
from healthcode.db import survive
from healthcode.errors import InvalidRequest

MAX_AGE = timedelta(hours=24)  # a queue older than a shift is not trusted: the codes in it are long expired anyway
CLOCK_SKEW = timedelta(minutes=2)
_CLIENT_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


@dataclass(frozen=True)
class Correction:
    """The queued 体温结果 replaced by the one its temperature decides."""

    given: str
    recorded: str
    message: str

    def as_json(self) -> dict[str, str]:
        return {"field": "temperature_result", "given": self.given, "recorded": self.recorded,
                "message": self.message}


@dataclass(frozen=True)
class Uploaded:
    client_scan_id: str
    scan_id: int
    duplicate: bool
    result: service.ScanResult | None
    correction: Correction | None = None

    def as_json(self) -> dict[str, Any]:
        body = self.result.as_json() if self.result else {"scan_id": self.scan_id}
        extra = {"correction": self.correction.as_json()} if self.correction else {}
        return {**body, "client_scan_id": self.client_scan_id, "duplicate": self.duplicate, **extra}


@dataclass(frozen=True)
class Feedback:
    pass_reason: str
    temperature_result: str
    temperature: float | None
    pass_reasons: list[str]


def upload(session: Session, scanner: Scanner, *, client_scan_id: str, point_id: int, code: str,
           scanned_at: datetime, now: datetime, settings: Settings,
           feedback: Feedback | None = None) -> Uploaded:
    """Records a queued scan at the moment it was made (the code must have been valid then), or returns the scan
    already recorded for the same client id."""
    if not _CLIENT_ID.match(client_scan_id or ""):
        raise InvalidRequest("离线扫码编号无效（8–64位字母、数字、-、_）")
    if not (code or "").strip().startswith(tokens.PREFIX):
        raise InvalidCode("离线核验只接受八闽健康码二维码，数字码须联网查询")
    at = clock.to_local(scanned_at).replace(microsecond=0)
    if at > now + CLOCK_SKEW:
        raise InvalidRequest("离线扫码时间晚于服务器时间，请校准手机时间")
    if at < now - MAX_AGE:
        raise TooOld()
    feedback, correction = settled(feedback)
    found = repository.offline_scan(session, scanner.id, client_scan_id)
    if found is None:
        row = {"scanner_id": scanner.id, "client_scan_id": client_scan_id, "scanned_at": at, "received_at": now}
        queued = OfflineScan(**row, message=correction.message if correction else None)
        try:
            with survive.savepoint(session):  # a refused code undoes the claim and the scan, not the refusal's count
                if _claim(session, queued):
                    result = service.scan(session, scanner, point_id=point_id, code=code, now=at, settings=settings)
                    queued.scan_id = result.scan_id
                    if feedback is not None:  # the feedback given offline; a bad one is refused before anything
                        service.feedback(session, scanner, result.scan_id, pass_reason=feedback.pass_reason,
                                         temperature_result=feedback.temperature_result,
                                         temperature=feedback.temperature, pass_reasons=feedback.pass_reasons,
                                         now=at)
                    return Uploaded(client_scan_id, result.scan_id, False, result, correction)
        except CodeRefused as exc:
            _keep_refusal(session, row, exc)
            raise
        found = repository.offline_scan(session, scanner.id, client_scan_id)  # a concurrent upload's
        assert found is not None
    if found.error is not None:
        raise CodeRefused.stored(found.error, found.message or CodeRefused.message)
    # A re-send carries the same feedback: it is told of the correction the first upload recorded.
    return Uploaded(client_scan_id, found.scan_id or 0, True, None, correction if found.message else None)


def settled(feedback: Feedback | None) -> tuple[Feedback | None, Correction | None]:
    """The queued feedback as it will be recorded: a 体温结果 its (valid) temperature contradicts becomes the one the
    temperature decides, with the correction. Anything else is left for service.feedback to check."""
    if feedback is None or feedback.temperature is None:
        return feedback, None
    given = service.TEMPERATURE_RESULTS.get((feedback.temperature_result or "").strip())
    try:
        degrees = temperatures.checked_temperature(feedback.temperature)
    except temperatures.InvalidTemperature:
        return feedback, None
    decided = service.decided_result(degrees)
    if given is None or given == decided:
        return feedback, None
    text = service.TEMPERATURE_RESULT_TEXT
    sign = "≥" if decided == "abnormal" else "<"
    message = (f"体温 {degrees:.1f}℃ {sign} {temperatures.ABNORMAL_FROM}℃，体温结果已更正为{text[decided]}"
               f"（离线时填为{text[given]}）")
    return replace(feedback, temperature_result=decided), Correction(given, decided, message)


def _claim(session: Session, queued: OfflineScan) -> bool:
    """Stores the queued scan's row; False when a concurrent upload of the same queue has stored it first (that
    upload's row then tells this one's answer)."""
    try:
        with session.begin_nested():
            repository.add_offline_scan(session, queued)
    except IntegrityError:
        return False
    return True


def _keep_refusal(session: Session, row: dict[str, Any], refusal: CodeRefused) -> None:
    """The row of a refused queued scan, with the refusal, kept although the upload fails: a re-send is refused
    alike. Written once the claim is undone (a kept write must not wait for the request's own row); a concurrent
    upload of the same queue may have kept it first."""
    fields = {**row, "error": refusal.code, "message": refusal.message[:200]}
    survive.keep(session, lambda own: _claim(own, OfflineScan(**fields)))
