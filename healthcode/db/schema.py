"""The schema's side of the database: the declarative Base and its naming convention, the byte-compared string type,
the range of row ids a request may name, and the migration to the newest revision."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any

from annotated_types import Interval
from sqlalchemy import Engine, MetaData, PrimaryKeyConstraint, String, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import DeclarativeBase

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def bytewise(length: int) -> String:
    """A string compared byte by byte: COLLATE "C" on PostgreSQL (SQLite compares bytes anyway). For identity
    numbers and the derived address keys, which are never sorted for people: a locale's collation only makes their
    indexes slower to build and search (a million households: index builds 2.6 -> 1.8 s). Every column compared with
    such a column must be bytewise too, or PostgreSQL cannot tell which collation an equality uses."""
    return String(length).with_variant(String(length, collation="C"), "postgresql")  # type: ignore[return-value]


# Every row id a request names (path, query, form or JSON body) is a positive integer of the id columns' type (INTEGER:
# 32 bits on PostgreSQL): a larger one, zero or a negative one is refused with 422 before it reaches the database
# (PostgreSQL: "integer out of range", SQLite beyond 64 bits: OverflowError; both a 500 otherwise). Page numbers too.
DB_ID_MAX = 2**31 - 1
DbId = Annotated[int, Interval(ge=1, le=DB_ID_MAX)]
PageNumber = Annotated[int, Interval(ge=1, le=DB_ID_MAX)]

def partitioned_by_range(column: str) -> dict[str, Any]:
    """The table arguments of a table partitioned by ranges of `column` on PostgreSQL (a plain table on SQLite).
    Its primary key there holds `column` too (PostgreSQL requires it of a partitioned table's unique keys); the
    model's key, the ORM's identity, stays the id alone."""
    return {"postgresql_partition_by": f"RANGE ({column})", "info": {"partition_key": column}}


@compiles(PrimaryKeyConstraint, "postgresql")
def _primary_key_with_partition_key(constraint: PrimaryKeyConstraint, compiler: Any, **kw: Any) -> str:
    table = constraint.table
    key = table.info.get("partition_key") if table is not None else None
    if not key or key in constraint.columns:
        return str(compiler.visit_primary_key_constraint(constraint, **kw))
    quote = compiler.preparer.quote
    columns = ", ".join([quote(c.name) for c in constraint.columns] + [quote(key)])
    name = f"CONSTRAINT {compiler.preparer.format_constraint(constraint)} " if constraint.name is not None else ""
    return f"{name}PRIMARY KEY ({columns})"


# A partition of table T is named T_pYYYYMMDD (a day) or T_default; Alembic's comparison of the models with the
# database leaves them out (the models describe the partitioned table, not its partitions).
_PARTITION = re.compile(r"^[a-z_]+_(p\d{8}|default)$")


def not_a_partition(name: str | None, type_: str, parent_names: Any) -> bool:
    """Alembic's `include_name`: False for a partition table (and its indexes), True for everything else."""
    if type_ == "table" and name is not None:
        return _PARTITION.match(name) is None
    return True


MIGRATIONS = Path(__file__).parent.parent / "migrations"  # healthcode/migrations (Alembic's script location)


MIGRATE_LOCK = 0x68635F6D67  # PostgreSQL advisory lock key of the migrations ("hc_mg")


def migrate(engine: Engine) -> None:
    """Creates or upgrades the schema to the newest Alembic revision. Alembic's environment (migrations/env.py)
    imports every domain's tables itself: the database plumbing imports no domain.

    On PostgreSQL the whole upgrade is one transaction that first takes an advisory lock for the transaction's length
    (a transaction-level lock, which PgBouncer's transaction pooling keeps): servers and commands started at once on
    several machines migrate one after another, and those after the first find the schema at its newest revision."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(select(func.pg_advisory_xact_lock(MIGRATE_LOCK)))
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "head")
