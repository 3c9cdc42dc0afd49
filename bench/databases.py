"""A fresh, empty database for a benchmark: a new SQLite file under bench/data, or a new PostgreSQL schema that the
returned cleanup drops."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import text

from healthcode.db import Base, make_engine

DATA = Path(__file__).parent / "data"


def fresh_database(backend: str, pg_url: str, name: str) -> tuple[str, Callable[[], None]]:
    """The URL of an empty database with every table of the platform, and how to remove it afterwards."""
    import healthcode.models  # noqa: F401  (registers the tables)

    if backend == "sqlite":
        DATA.mkdir(parents=True, exist_ok=True)
        path = DATA / f"{name}.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        url = f"sqlite:///{path}"

        def cleanup() -> None:
            return None
    else:
        schema = f"bench_{name}_{uuid.uuid4().hex[:8]}"
        admin = make_engine(pg_url)
        with admin.begin() as conn:
            conn.execute(text(f"CREATE SCHEMA {schema}"))
        url = f"{pg_url}{'&' if '?' in pg_url else '?'}options=-csearch_path%3D{schema}"

        def cleanup() -> None:
            with admin.begin() as conn:
                conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
            admin.dispose()

    engine = make_engine(url)
    Base.metadata.create_all(engine)
    engine.dispose()
    return url, cleanup
