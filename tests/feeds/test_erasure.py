"""A replaced snapshot's residents leave no trace in the SQLite file: deleted content is overwritten
(SPEC section 10)."""

from __future__ import annotations

from pathlib import Path

from healthcode.config import Settings
from healthcode.db import Base, make_engine
from healthcode.feeds.service import load_file
from tests.feeds.files import person_id, write_csv

HOUSEHOLDS = ["id_number", "name", "address", "region_code"]
ADDRESS = "福建省福州市鼓楼区软件园社区3号楼"


def test_given_a_snapshot_replaced_then_the_old_residents_are_not_left_in_the_database_file(
        tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "erase.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    Base.metadata.create_all(engine)
    # Given a households snapshot naming a resident, checkpointed into the database file
    gone = "欧阳离去"
    first = [[person_id(n), gone if n == 7 else f"居民{n}", ADDRESS, ""] for n in range(300)]
    assert load_file(engine, settings, "households", write_csv(tmp_path, "a.csv", HOUSEHOLDS, first)).status \
        == "applied"
    _checkpoint(engine)
    assert gone.encode() in path.read_bytes()
    # When the next snapshot no longer has that resident
    second = [[person_id(n), f"居民{n}", ADDRESS, ""] for n in range(300) if n != 7]
    assert load_file(engine, settings, "households", write_csv(tmp_path, "b.csv", HOUSEHOLDS, second)).status \
        == "applied"
    _checkpoint(engine)
    # Then neither the name nor the ID number is anywhere in the file
    content = path.read_bytes()
    assert gone.encode() not in content
    assert person_id(7).encode() not in content
    engine.dispose()


def _checkpoint(engine) -> None:
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
