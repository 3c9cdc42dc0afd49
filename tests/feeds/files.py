"""Test helpers for the feed loader: valid ID numbers, feed files in the three formats, and table contents."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select
from stdnum.cn.ric import calc_check_digit

from healthcode.feeds.definitions import FEEDS
from healthcode.feeds.models import Batch


def person_id(n: int, area: str = "350102", born: str = "19800101") -> str:
    body = f"{area}{born}{n % 1000:03d}"
    return body + calc_check_digit(body + "0")


def bad_check(id_number: str) -> str:
    wrong = "0" if id_number[-1] != "0" else "1"
    return id_number[:-1] + wrong


def write_csv(folder: Path, name: str, header: list[str], rows: list[list[Any]], bom: bool = True) -> Path:
    path = folder / name
    with open(path, "w", newline="", encoding="utf-8-sig" if bom else "utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(header)
        out.writerows(rows)
    return path


def write_jsonl(folder: Path, name: str, header: list[str], rows: list[list[Any]]) -> Path:
    path = folder / name
    with open(path, "w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps({k: v for k, v in zip(header, row, strict=True) if v != ""},
                                    ensure_ascii=False) + "\n")
    return path


def write_xlsx(folder: Path, name: str, header: list[str], rows: list[list[Any]]) -> Path:
    from openpyxl import Workbook

    path = folder / name
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append([None if v == "" else v for v in row])
    book.create_sheet("ignored").append(["not", "read"])
    book.save(path)
    return path


def write(folder: Path, name: str, header: list[str], rows: list[list[Any]]) -> Path:
    suffix = Path(name).suffix
    writer = {".csv": write_csv, ".jsonl": write_jsonl, ".xlsx": write_xlsx}[suffix]
    return writer(folder, name, header, rows)


def stored(engine: Engine, feed: str, *columns: str) -> list[tuple[Any, ...]]:
    """A feed's stored rows as sorted tuples of the given columns."""
    table = FEEDS[feed].model.__table__  # type: ignore[attr-defined]
    with engine.connect() as conn:
        rows = conn.execute(select(*(table.c[c] for c in columns))).all()
    return sorted(tuple(r) for r in rows)


def batches(engine: Engine) -> list[Any]:
    with engine.connect() as conn:
        return list(conn.execute(select(Batch).order_by(Batch.id)).all())
