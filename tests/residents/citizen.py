"""Test helpers for the citizen portal: feed files through the real loader, the code a page was given."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from healthcode import clock
from healthcode.codes import service as codes
from healthcode.codes.tokens import CodeClaims
from healthcode.config import Settings
from healthcode.feeds.service import load_file

LOADING = Settings(env="test")  # the loader's own settings (chunk size, fast path): the defaults


def load_csv(engine: Engine, folder: Path, feed: str, header: list[str], rows: list[list[Any]]) -> None:
    path = folder / f"{feed}-{len(list(folder.glob('*.csv')))}.csv"
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    report = load_file(engine, LOADING, feed, path, operator="test")
    assert report.status == "applied", report.as_json()


def household(engine: Engine, folder: Path, id_number: str, name: str, address: str) -> None:
    load_csv(engine, folder, "households", ["id_number", "name", "address"], [[id_number, name, address]])


def households(engine: Engine, folder: Path, people: list[tuple[str, str, str]]) -> None:
    """One households snapshot of several (ID number, name, address) rows (a snapshot replaces the previous one)."""
    load_csv(engine, folder, "households", ["id_number", "name", "address"], [list(p) for p in people])


def fever_visit(engine: Engine, folder: Path, id_number: str, name: str, visited_at: str) -> None:
    load_csv(engine, folder, "clinic_visits", ["record_id", "id_number", "name", "visited_at", "department"],
             [[f"v-{id_number}-{visited_at}", id_number, name, visited_at, "发热门诊"]])


def claims_of(db: Session, qr_text: str, number_code: str) -> CodeClaims:
    """The verified claims of a code's QR text, which must be the token issued with that number code."""
    db.rollback()  # a fresh snapshot: the app committed the issued code in its own transaction
    resolved = codes.resolve(db, qr_text, clock.now())
    assert resolved.kind == "qr" and resolved.claims is not None
    assert resolved.issued_code.number_code == number_code
    return resolved.claims


def luhn_ok(number: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(number)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0
