"""Database plumbing, below every domain: it imports none of them (only `datadir` and `errors`).

- `engine`: the engines for SQLite and PostgreSQL, with SQLite's pragmas and BEGIN and the refusal of NUL text, and
  `ping` (the database answers: `/readyz`);
- `schema`: the declarative `Base`, `bytewise`, the row ids a request may name (`DbId`, `PageNumber`), `migrate`,
  tables partitioned on PostgreSQL (`partitioned_by_range`, `not_a_partition`);
- `transactions`: sessions, the CLI's `transaction`, the request's turn (`db_turn`) and session (`DbSession`), the
  insert that answers a concurrent request's row instead of failing on the unique key (`add_or_existing`);
- `kept`: the hot routes' transactions on connections kept open (`in_transaction`);
- `survive`: the writes a refusal leaves behind that the request's rollback must not undo (`survive.keep`), made again
  after a rollback on SQLite (`replayed` around every request's transaction);
- `wal`: SQLite's write-ahead log checkpointed outside the requests;
- `hotsql`: the hot statements run on the DBAPI cursor, through `sqla_private`, the one module that touches
  SQLAlchemy's private members (with its version guard).

The names below are the ones the rest of the platform imports from `healthcode.db`."""

from healthcode.db.engine import make_engine, ping
from healthcode.db.kept import close_hot_connections, in_transaction
from healthcode.db.schema import (
    DB_ID_MAX,
    MIGRATIONS,
    Base,
    DbId,
    PageNumber,
    bytewise,
    migrate,
    not_a_partition,
    partitioned_by_range,
)
from healthcode.db.transactions import (
    REQUEST_DB_KEY,
    DbSession,
    add_or_existing,
    db_turn,
    session_factory,
    transaction,
)
from healthcode.db.wal import wal_checkpoints

__all__ = [
    "DB_ID_MAX",
    "MIGRATIONS",
    "REQUEST_DB_KEY",
    "Base",
    "DbId",
    "DbSession",
    "PageNumber",
    "add_or_existing",
    "bytewise",
    "close_hot_connections",
    "db_turn",
    "in_transaction",
    "make_engine",
    "migrate",
    "not_a_partition",
    "partitioned_by_range",
    "ping",
    "session_factory",
    "transaction",
    "wal_checkpoints",
]
