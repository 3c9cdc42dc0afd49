"""Alembic environment: runs on the connection handed over by healthcode.db.migrate, or on HEALTHCODE_DATABASE_URL."""

from alembic import context

import healthcode.models  # noqa: F401
from healthcode.config import get_settings
from healthcode.db import Base, make_engine, not_a_partition

config = context.config
target_metadata = Base.metadata


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        engine = make_engine(get_settings().sqlalchemy_url)
        with engine.begin() as conn:
            _run_on(conn)
    else:
        _run_on(connection)


def _run_on(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_name=not_a_partition,  # the scans' day partitions are the upkeep's, not the models'
    )
    with context.begin_transaction():
        context.run_migrations()


run()
