"""Test helpers for the citizen portal: feed files through the real loader, the QR inside a data URI."""

from __future__ import annotations

import base64
import csv
import io
from pathlib import Path
from typing import Any

from PIL import Image
from sqlalchemy import Engine

from healthcode.config import Settings
from healthcode.feeds.service import load_file
from tests.qrcodes import read_qr_codes

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


def qr_text_of(data_uri: str) -> str:
    assert data_uri.startswith("data:image/png;base64,")
    image = Image.open(io.BytesIO(base64.b64decode(data_uri.split(",", 1)[1])))
    found = read_qr_codes(image)
    assert len(found) == 1
    return found[0].text


def luhn_ok(number: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(number)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0
