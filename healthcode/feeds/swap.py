"""Table swap: a batch fills a fresh copy of the feed table without secondary indexes, builds them in bulk, then
takes the old table's place, all inside the batch's transaction. Used for every snapshot, and for an append to a table
that holds fewer rows than the file brings (writers.py copies the kept rows over).

Maintaining four indexes row by row costs several times more than building them once from sorted data (on this
project's machine, a million households: ~33 s of COPY with indexes and the per-row foreign-key check against ~11 s
bare COPY plus index builds). Only keys that arrive in order (PostgreSQL: the primary key and `batch_id`) are kept
up during the fill: they cost the server little, beside the validating Python, and shorten the serial tail.
Both databases have transactional DDL, so a rollback (rejected batch, crash, kill) leaves the old table untouched;
readers see the old table until the commit (SQLite: WAL snapshot; PostgreSQL: the old table is only locked for the
drop and renames at the very end). Every index, constraint and the id sequence ends up with exactly the name the
models (and so the migrations) give them.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Table, text
from sqlalchemy.schema import CreateIndex, CreateTable

SUFFIX = "__load"


class FreshTable:
    """A fresh, empty copy of `table` named `name`, to be filled and then swapped in with `swap()`."""

    def __init__(self, conn: Connection, table: Table) -> None:
        self.conn = conn
        self.table = table
        self.name = f"{table.name}{SUFFIX}"
        self.dialect = conn.dialect.name
        self.prepare = conn.dialect.identifier_preparer
        self.renames: list[str] = []  # PostgreSQL: from temporary to real names, after the swap
        self.built: set[str] = set()  # constraints and indexes already built

    def _name(self, item: Any) -> str:
        return str(self.prepare.format_constraint(item))

    def _run(self, sql: str) -> None:
        self.conn.exec_driver_sql(sql)

    def create(self) -> None:
        if self.dialect == "sqlite":
            # SQLite cannot add constraints later: the table is made from the model's own DDL (primary key and
            # foreign key inline, exactly named), only its name changed; the indexes come after the rows.
            ddl = str(CreateTable(self.table).compile(dialect=self.conn.dialect)).strip()
            head = f"CREATE TABLE {self.table.name} ("
            if not ddl.startswith(head):
                raise RuntimeError(f"unexpected DDL for {self.table.name}")
            self._run(f"CREATE TABLE {self.name} (" + ddl[len(head):])
        else:
            # Other writers of this feed (a second load) wait until the swap is committed, or they would write to a
            # table about to be dropped; readers go on reading the old table.
            self._run(f"LOCK TABLE {self.table.name} IN SHARE ROW EXCLUSIVE MODE")
            # Columns, NOT NULL and defaults (the id column keeps drawing from the old table's sequence).
            self._run(f"CREATE TABLE {self.name} (LIKE {self.table.name} INCLUDING DEFAULTS)")
            self._run("SET LOCAL maintenance_work_mem = '256MB'")  # index builds sort in memory (default: 64 MB)
            # Keys that arrive in order (the id from the sequence, this batch's batch_id) only ever go to the right
            # edge of their B-tree: maintained by the server while Python validates, they leave the serial tail.
            self.add_constraint(self.table.primary_key)
            for index in self.table.indexes:
                if [c.name for c in index.columns] == ["batch_id"]:
                    self.add_index(index)

    def swap(self) -> None:
        if self.dialect == "sqlite":
            self._run(f"DROP TABLE {self.table.name}")
            self._run(f"ALTER TABLE {self.name} RENAME TO {self.table.name}")
            for index in sorted(self.table.indexes, key=self._name):
                self.conn.execute(CreateIndex(index))
            return  # no ANALYZE: SQLite plans stay those of a database without sqlite_stat1, as before
        self._swap_postgresql()

    def unique_key(self) -> Any:
        """The model's unique constraint on row_key (append feeds)."""
        return next(c for c in self.table.constraints if type(c).__name__ == "UniqueConstraint")

    def add_constraint(self, constraint: Any) -> None:
        """PostgreSQL: builds one constraint on the filled table, under a temporary name until the swap."""
        real = self._name(constraint)
        temporary = _temporary(real)
        columns = ", ".join(c.name for c in constraint.columns)
        kind = type(constraint).__name__
        if kind == "PrimaryKeyConstraint":
            body = f"PRIMARY KEY ({columns})"
        elif kind == "UniqueConstraint":
            body = f"UNIQUE ({columns})"
        elif kind == "ForeignKeyConstraint":
            target = constraint.elements[0].column
            refs = ", ".join(e.column.name for e in constraint.elements)
            body = f"FOREIGN KEY ({columns}) REFERENCES {target.table.name} ({refs})"
        else:
            raise RuntimeError(f"table swap: unsupported constraint {kind} on {self.table.name}")
        self._run(f"ALTER TABLE {self.name} ADD CONSTRAINT {temporary} {body}")
        self.renames.append(f"ALTER TABLE {self.table.name} RENAME CONSTRAINT {temporary} TO {real}")
        self.built.add(real)

    def add_index(self, index: Any) -> None:
        """PostgreSQL: builds one index on the fresh table, under a temporary name until the swap."""
        real = self._name(index)
        temporary = _temporary(real)
        columns = ", ".join(c.name for c in index.columns)
        self._run(f"CREATE {'UNIQUE ' if index.unique else ''}INDEX {temporary} ON {self.name} ({columns})")
        self.renames.append(f"ALTER INDEX {temporary} RENAME TO {real}")
        self.built.add(real)

    def _swap_postgresql(self) -> None:
        """Builds the constraints and indexes on the filled table under temporary names, then drops the old table,
        renames the new one and gives everything its real name: the old table is locked only for that last step."""
        old, new = self.table.name, self.name
        for constraint in sorted(self.table.constraints, key=self._name):
            if self._name(constraint) not in self.built:
                self.add_constraint(constraint)
        for index in sorted(self.table.indexes, key=self._name):
            if self._name(index) not in self.built:
                self.add_index(index)
        self._run(f"ANALYZE {new}")  # a new table has no statistics until autovacuum gets to it
        sequence = self.conn.execute(text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": old}).scalar()
        self._run(f"LOCK TABLE {old} IN ACCESS EXCLUSIVE MODE")
        if sequence:
            self._run(f"ALTER SEQUENCE {sequence} OWNED BY {new}.id")
        self._run(f"DROP TABLE {old}")
        self._run(f"ALTER TABLE {new} RENAME TO {old}")
        for statement in self.renames:
            self._run(statement)


def _temporary(name: str) -> str:
    return f"{name[:63 - len(SUFFIX)]}{SUFFIX}"
