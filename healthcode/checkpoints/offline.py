"""Scans made while the scanner page was offline (离线核验): the page verified the QR against its cached JWK Set and
queued the scan under an id of its own; uploading it later records the scan once, however often it is re-sent."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from healthcode import clock
from healthcode.checkpoints import repository, service
from healthcode.checkpoints.models import OfflineScan, Scanner
from healthcode.codes import tokens
from healthcode.config import Settings
from healthcode.errors import Invalid

MAX_AGE = timedelta(hours=24)  # a queue older than a shift is not trusted: the codes in it are long expired anyway
CLOCK_SKEW = timedelta(minutes=2)
_CLIENT_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


@dataclass(frozen=True)
class Uploaded:
    client_scan_id: str
    scan_id: int
    duplicate: bool
    result: service.ScanResult | None

    def as_json(self) -> dict[str, Any]:
        body = self.result.as_json() if self.result else {"scan_id": self.scan_id}
        return {**body, "client_scan_id": self.client_scan_id, "duplicate": self.duplicate}


@dataclass(frozen=True)
class Feedback:
    pass_reason: str
    temperature_result: str
    temperature: float | None
    pass_reasons: list[str]


class Refused(service.CodeRefused):
    """A queued code the server refuses (its row keeps the error, so a re-send is refused alike)."""


def upload(session: Session, scanner: Scanner, *, client_scan_id: str, point_id: int, code: str,
           scanned_at: datetime, now: datetime, settings: Settings,
           feedback: Feedback | None = None) -> Uploaded:
    """Records a queued scan at the moment it was made (the code must have been valid then), or returns the scan
    already recorded for the same client id."""
    if not _CLIENT_ID.match(client_scan_id or ""):
        raise Invalid("离线扫码编号无效（8–64位字母、数字、-、_）", code="invalid_request")
    if not (code or "").strip().startswith(tokens.PREFIX):
        raise Invalid("离线核验只接受八闽健康码二维码，数字码须联网查询", code="invalid_code")
    at = clock.to_local(scanned_at).replace(microsecond=0)
    if at > now + CLOCK_SKEW:
        raise Invalid("离线扫码时间晚于服务器时间，请校准手机时间", code="invalid_request")
    if at < now - MAX_AGE:
        raise Invalid("离线扫码记录已超过24小时，不能补传", code="too_old")
    found = repository.offline_scan(session, scanner.id, client_scan_id)
    if found is None:
        try:
            with session.begin_nested():  # two uploads of the same queue at once: the second finds the first's row
                found = OfflineScan(scanner_id=scanner.id, client_scan_id=client_scan_id, scanned_at=at,
                                    received_at=now)
                session.add(found)
                session.flush()
        except IntegrityError:
            found = repository.offline_scan(session, scanner.id, client_scan_id)
            assert found is not None
        else:
            try:
                result = service.scan(session, scanner, point_id=point_id, code=code, now=at, settings=settings)
            except service.CodeRefused as exc:
                found.error, found.message = exc.code, exc.message[:200]
                raise Refused(exc.cause) from exc
            found.scan_id = result.scan_id
            if feedback is not None:  # the feedback given offline; a bad one is refused before anything is kept
                service.feedback(session, scanner, result.scan_id, pass_reason=feedback.pass_reason,
                                 temperature_result=feedback.temperature_result, temperature=feedback.temperature,
                                 pass_reasons=feedback.pass_reasons, now=at)
            return Uploaded(client_scan_id, result.scan_id, False, result)
    if found.error is not None:
        raise Refused(Invalid(found.message or "健康码无效", code=found.error))
    return Uploaded(client_scan_id, found.scan_id or 0, True, None)
