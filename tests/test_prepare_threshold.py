"""`?prepare_threshold=` in a PostgreSQL DATABASE_URL reaches psycopg (which libpq's connection string would refuse),
for PgBouncer's transaction pooling (docs/deploy.md, «PgBouncer»); the platform's own engines for kept writes get it
too."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from healthcode.db import make_engine, survive
from healthcode.db.engine import _prepare_threshold
from tests.conftest import PG_URL


def test_the_url_parameter_becomes_psycopgs_option() -> None:
    url = "postgresql+psycopg://app@db.example/healthcode?prepare_threshold=none"
    assert _prepare_threshold(url, {})["connect_args"] == {"prepare_threshold": None}
    assert _prepare_threshold(url.replace("none", "NONE"), {})["connect_args"] == {"prepare_threshold": None}
    assert _prepare_threshold(url.replace("none", "3"), {})["connect_args"] == {"prepare_threshold": 3}
    assert _prepare_threshold("postgresql+psycopg://app@db.example/healthcode", {"echo": True}) == {"echo": True}
    with pytest.raises(ValueError, match="prepare_threshold"):
        make_engine(url.replace("none", "off"))


@pytest.mark.skipif(not PG_URL, reason="PostgreSQL only")
def test_every_connection_of_the_platform_is_made_with_it() -> None:
    assert PG_URL
    sep = "&" if "?" in PG_URL else "?"
    engine = make_engine(f"{PG_URL}{sep}prepare_threshold=none")
    own = survive._own_engine(engine)  # the kept writes' engine (healthcode/db/survive.py)
    plain = make_engine(PG_URL)
    try:
        for each, threshold in ((engine, None), (own, None), (plain, 5)):  # 5: psycopg's default
            with each.connect() as conn:
                assert conn.connection.driver_connection.prepare_threshold == threshold  # type: ignore[union-attr]
                assert conn.execute(text("SELECT 1")).scalar() == 1
    finally:
        for each in (engine, own, plain):
            each.dispose()
