"""Test helpers for appeals: a signed-in resident with a fever-clinic visit, the health authority's console client on
the same app, and the forms they post."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from healthcode.appeals.models import Appeal
from healthcode.feeds.service import load_file
from tests.checkpoints.factories import org
from tests.identity.flow import ZHANG, make_account, sign_in
from tests.residents.citizen import LOADING

NOW = "2020-02-24 09:00"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
PDF = b"%PDF-1.4\n%test\n" + b"0" * 500
VISIT_HEADER = ["record_id", "id_number", "name", "visited_at", "department"]


@dataclass
class Sides:
    resident: TestClient
    authority: TestClient
    authority_uscc: str
    folder: Path


def load(engine: Engine, folder: Path, feed: str, header: list[str], rows: list[list[Any]]) -> str:
    """Loads a feed file through the real loader; returns its status (applied / duplicate)."""
    folder.mkdir(exist_ok=True)
    path = folder / f"{feed}-{len(list(folder.glob('*.csv')))}.csv"
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    report = load_file(engine, LOADING, feed, path, operator="test")
    assert report.status in ("applied", "duplicate"), report.as_json()
    return report.status


def visit(record_id: str, visited_at: str, id_number: str = ZHANG, name: str = "张小明") -> list[Any]:
    return [record_id, id_number, name, visited_at, "发热门诊"]


def sides(client: Any, db: Session, engine: Engine, folder: Path) -> Sides:
    """张小明 signed in with one fever-clinic visit (orange); the authority (卫健委) signed in on a second client."""
    make_account(db)
    assert sign_in(client).status_code == 200
    load(engine, folder, "clinic_visits", VISIT_HEADER, [visit("v-1", "2020-02-20 10:00")])
    hq = org(db, 9, name="省卫健委")
    client.app.state.settings = client.app.state.settings.model_copy(update={"authority_usccs": [hq.username]})
    gov = TestClient(client.app)
    gov.__enter__()
    assert gov.post("/gov/login", data={"username": hq.username, "password": hq.password}).status_code == 200
    return Sides(client, gov, hq.username, folder)


def file(client: TestClient, rule: str = "fever_clinic", statement: str = "我没有去过发热门诊",
         evidence: bytes | None = PNG, filename: str = "proof.png") -> Any:
    files = {"evidence": (filename, evidence, "application/octet-stream")} if evidence is not None else None
    return client.post("/citizen/appeals", data={"rule": rule, "statement": statement}, files=files)


def appeals(db: Session) -> list[Appeal]:
    db.rollback()
    return list(db.scalars(select(Appeal).order_by(Appeal.id)))


def color(client: TestClient) -> str:
    response = client.get("/api/v1/me/code")
    assert response.status_code == 200, response.text
    return str(response.json()["color"])
