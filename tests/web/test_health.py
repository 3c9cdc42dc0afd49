"""`/healthz`, `/readyz` (SPEC section 11) and admission control's refusals through the whole app: the JSON error under
/api/, the portal's Chinese page elsewhere, the security headers, no session; the probes answer when every place is
taken. A full process is made by taking its places (the counter of web/admission.py), not by timing requests."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from healthcode.app import create_app
from healthcode.config import Settings
from healthcode.logmask import QuietProbes
from healthcode.sessions.models import WebSession
from healthcode.web import health
from healthcode.web.admission import Admission


def admission_of(app: Any) -> Admission:
    layer = app.middleware_stack
    while not isinstance(layer, Admission):
        layer = layer.app
    return layer


@pytest.fixture
def full(engine: Engine, settings: Settings) -> Iterator[tuple[TestClient, Admission]]:
    """A client of an app whose every place is taken and which lets nobody wait."""
    app = create_app(settings.model_copy(update={"admission_queue": 0, "admission_in_flight": 4}), engine)
    with TestClient(app) as client:
        admission = admission_of(app)
        admission.in_flight = 4
        yield client, admission
        admission.in_flight = 0


def test_healthz_answers_ok_without_a_session(client: Any, db: Session) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    assert response.headers["cache-control"] == "no-store" and "set-cookie" not in response.headers
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json() == {"status": "ok"} and "set-cookie" not in ready.headers
    assert db.scalar(select(func.count()).select_from(WebSession)) == 0


def test_readyz_is_503_in_the_error_shape_when_the_database_does_not_answer(client: Any, monkeypatch: Any) -> None:
    def broken(_engine: Any) -> None:
        raise OSError("connection refused")

    monkeypatch.setattr(health, "ping", broken)
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["error"] == "not_ready" and "数据库" in body["message"]
    assert client.get("/healthz").status_code == 200  # alive all the same


def test_readyz_does_not_wait_for_a_database_that_hangs(client: Any, monkeypatch: Any) -> None:
    hung = threading.Event()
    probes: list[int] = []

    def hangs(_engine: Any) -> None:
        probes.append(1)
        hung.wait(30)

    monkeypatch.setattr(health, "ping", hangs)
    monkeypatch.setattr(health, "READY_TIMEOUT_SECONDS", 0.05)
    try:
        assert client.get("/readyz").status_code == 503
        assert client.get("/readyz").status_code == 503  # shares the probe still running: one thread, not two
        assert len(probes) == 1
    finally:
        hung.set()


def test_a_full_process_answers_the_api_with_503_retry_after_and_the_json_error(
        full: tuple[TestClient, Admission]) -> None:
    client, admission = full
    for path in ("/api/v1/me/code", "/api/v1/checkpoint/scans", "/api/v1/org/scans"):
        response = client.get(path)
        assert response.status_code == 503 and response.headers["retry-after"] == "2"
        assert response.json() == {"error": "overloaded", "message": "当前访问人数较多，请稍后再试"}
        assert response.headers["x-frame-options"] == "DENY" and "set-cookie" not in response.headers
    assert admission.counts.shed == [1, 1, 1]


@pytest.mark.parametrize(("path", "mark"), [("/gov/records", "console"), ("/citizen/", "topbar"),
                                            ("/scanner/service", "topbar"), ("/", "当前访问人数较多")])
def test_a_full_process_answers_a_page_with_the_portals_chinese_page(full: tuple[TestClient, Admission],
                                                                    path: str, mark: str) -> None:
    client, _ = full
    for _ in range(2):  # rendered once, then sent as stored bytes
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 503 and response.headers["retry-after"] == "2"
        assert response.headers["content-type"] == "text/html; charset=utf-8"
        assert "当前访问人数较多，请稍后再试" in response.text and mark in response.text
        assert 'data-status="503"' in response.text and "detail" not in response.text


def test_the_probes_answer_when_every_place_is_taken(full: tuple[TestClient, Admission]) -> None:
    client, admission = full
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200
    assert admission.counts.shed == [0, 0, 0]


def test_admission_can_be_turned_off(engine: Engine, settings: Settings) -> None:
    app = create_app(settings.model_copy(update={"admission": False}), engine)
    with TestClient(app) as client:
        assert client.get("/healthz").status_code == 200
        layer: Any = app.middleware_stack
        while hasattr(layer, "app"):
            assert not isinstance(layer, Admission)
            layer = layer.app


def test_successful_probes_stay_out_of_the_access_log() -> None:
    def record(path: str, status: int) -> logging.LogRecord:
        return logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
                                 ("127.0.0.1:5000", "GET", path, "1.1", status), None)

    quiet = QuietProbes()
    assert not quiet.filter(record("/healthz", 200)) and not quiet.filter(record("/readyz?x=1", 200))
    assert quiet.filter(record("/readyz", 503)) and quiet.filter(record("/citizen/", 200))
