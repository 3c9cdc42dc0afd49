"""One temperature rule: 34.0–43.0 ℃ may be recorded, 37.3 ℃ and above is abnormal (seed: 体温≥37.3℃ 为发热). The
scanner's feedback and the residents' health reports refuse the same temperatures with the same message."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from sqlalchemy import select

from healthcode.checkpoints.models import Scan
from healthcode.common.temperature import (
    ABNORMAL_FROM,
    MESSAGE,
    RANGE,
    InvalidTemperature,
    checked_temperature,
    is_abnormal,
)
from healthcode.enterprise import reports
from healthcode.enterprise.models import HealthReport
from healthcode.errors import Invalid
from tests.checkpoints.factories import NOW, PASSWORD, add_point, issue, org, scan, scanner, token
from tests.checkpoints.factories import person as resident


def test_the_range_and_its_message() -> None:
    assert RANGE == (34.0, 43.0) and MESSAGE == "体温应在 34.0–43.0℃ 之间"


@pytest.mark.parametrize("given, kept", [(34.0, 34.0), (36.54, 36.5), (37.25, 37.2), (43.0, 43.0)])
def test_a_temperature_in_the_range_is_kept_to_a_tenth(given: float, kept: float) -> None:
    assert checked_temperature(given) == kept


@pytest.mark.parametrize("given", [33.9, 43.01, 50.0, -1.0, float("nan"), float("inf")])
def test_a_temperature_outside_the_range_is_refused(given: float) -> None:
    with pytest.raises(InvalidTemperature, match=MESSAGE):
        checked_temperature(given)


@pytest.mark.parametrize("celsius, abnormal", [(36.5, False), (37.2, False), (37.3, True), (38.5, True)])
def test_from_37_3_a_temperature_is_abnormal(celsius: float, abnormal: bool) -> None:
    assert ABNORMAL_FROM == 37.3 and is_abnormal(celsius) is abnormal


@pytest.mark.parametrize("celsius, abnormal", [(37.2, False), (37.3, True)])
def test_a_health_report_is_abnormal_from_the_same_threshold(celsius: float, abnormal: bool) -> None:
    report = HealthReport(temperature=celsius, symptoms="无", contact_risk=False)
    assert reports.is_abnormal(report) is abnormal


def _report(temperature: str) -> reports.ReportInput:
    return reports.ReportInput(temperature, ["无"], "350102", False, "日常上报")


def test_the_scanner_and_the_health_report_refuse_the_same_temperature_alike(db: Any, client: Any,
                                                                             freeze: Any) -> None:
    freeze(NOW)
    headers = token(client, scanner(db, org(db).username))
    point_id = add_point(client, headers)
    scan_id = scan(client, headers, point_id, issue(db, resident(db), NOW).qr_text).json()["scan_id"]
    url = f"/api/v1/checkpoint/scans/{scan_id}/feedback"
    for degrees in (33.9, 43.5):
        refused = client.post(url, headers=headers, json={"pass_reason": "工作", "temperature_result": "normal",
                                                          "temperature": degrees})
        with pytest.raises(Invalid) as report:
            reports.validate(_report(str(degrees)))
        assert refused.status_code == 422 and report.value.status_code == 422
        assert refused.json()["error"] == report.value.code == "invalid_temperature"
        assert refused.json()["message"] == report.value.message == MESSAGE
    for degrees, result in ((34.0, "normal"), (43.0, "abnormal")):
        taken = client.post(url, headers=headers, json={"pass_reason": "工作", "temperature_result": result,
                                                        "temperature": degrees})
        assert taken.status_code == 200 and reports.validate(_report(str(degrees)))[0] == degrees
    assert db.scalars(select(Scan.temperature)).one() == 43.0


def test_the_scanner_page_is_given_the_same_range_for_its_own_check(db: Any, client: Any, freeze: Any) -> None:
    freeze(NOW)
    phone = scanner(db, org(db).username)
    client.post("/scanner/login", data={"phone": phone, "password": PASSWORD})
    page = client.get("/scanner/service")
    config = re.search(r'<script type="application/json" id="scanner-config">(.*?)</script>', page.text, re.S)
    assert config is not None and json.loads(config.group(1))["temperature_range"] == list(RANGE)
