"""Hot statements return exactly what SQLAlchemy returns for the same statement, on both databases: on the fast path
(the private members, `sqla_private`) and on the public one taken on a SQLAlchemy version it was not tested with."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime

import pytest
from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Engine,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    bindparam,
    event,
    insert,
    literal_column,
    or_,
    select,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from healthcode.db import sqla_private
from healthcode.db.hotsql import Hot

metadata = MetaData()
things = Table(
    "hotsql_things", metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(20)),
    Column("at", DateTime),
    Column("day", Date),
    Column("flag", Boolean),
    Column("blob", LargeBinary),
)
ROWS = [
    {"id": 1, "name": "李小明", "at": datetime(2020, 2, 24, 9, 30, 0, 123456), "day": date(2020, 2, 24), "flag": True,
     "blob": b"\x00\x01"},
    {"id": 2, "name": "100%", "at": datetime(2020, 2, 25, 0, 0), "day": None, "flag": False, "blob": None},
    {"id": 3, "name": None, "at": None, "day": date(2020, 3, 1), "flag": None, "blob": b"\xff"},
]
t = things.c


@pytest.fixture(params=["fast", "public"])
def path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """The installed SQLAlchemy takes the fast path, another version the public one: every statement test runs on
    both."""
    assert sqla_private.FAST  # the installed version is one the fast path was tested with (pyproject.toml's bound)
    if request.param == "public":
        monkeypatch.setattr(sqla_private, "FAST", False)
    return str(request.param)


@pytest.fixture
def session(engine: Engine, path: str) -> Iterator[Session]:
    metadata.create_all(engine)
    try:
        with Session(engine) as session, session.begin():
            session.execute(insert(things), ROWS)
            yield session
    finally:
        metadata.drop_all(engine)


STATEMENTS = {
    "every type": (select(things).where(t.id >= bindparam("low")).order_by(t.id), {"low": 1}),
    "a date-time parameter used twice": (
        select(t.id).where(or_(t.at >= bindparam("when"), t.at.is_(None)), t.id != 0,
                           bindparam("when") <= datetime(2030, 1, 1)).order_by(t.id),
        {"when": datetime(2020, 2, 24, 12, 0)}),
    "a fixed IN list and a LIMIT": (select(t.name).where(t.name.in_(["李小明", "100%"])).order_by(t.id.desc()).limit(1),
                                    {}),
    "a percent sign in a parameter": (select(t.id).where(t.name.like("%\\%%", escape="\\")), {}),
    "a percent sign in the SQL": (select(t.id).where(t.name == literal_column("'100%'")), {}),
    "a date parameter": (select(t.id, t.day).where(t.day >= bindparam("since", type_=Date)),
                         {"since": date(2020, 3, 1)}),
    "nothing found": (select(t.id).where(t.id == bindparam("id")), {"id": 99}),
}


@pytest.mark.parametrize("name", STATEMENTS)
def test_hot_rows_equal_sqlalchemy_rows(session: Session, name: str) -> None:
    statement, params = STATEMENTS[name]
    expected = [tuple(row) for row in session.execute(statement, params)]

    found = Hot(statement).rows(session, params)

    assert [tuple(row) for row in found] == expected
    assert [row._fields for row in found[:1]] == [tuple(statement.selected_columns.keys())][:len(found[:1])]


def test_hot_insert_returning_sees_and_is_seen_by_the_session(session: Session) -> None:
    row = {"id": 4, "name": "王芳", "at": datetime(2020, 2, 26, 8, 0), "day": date(2020, 2, 26), "flag": True,
           "blob": b"x"}
    statement = insert(things).values({c: bindparam(c) for c in row}).returning(t.id)

    assert Hot(statement).scalar(session, row) == 4
    assert tuple(session.execute(select(things).where(t.id == 4)).one()) == tuple(row.values())


def test_a_failing_hot_statement_raises_what_sqlalchemy_raises(session: Session) -> None:
    statement = insert(things).values(id=bindparam("id"), name=bindparam("name")).returning(t.id)

    with pytest.raises(IntegrityError) as failed:
        Hot(statement).scalar(session, {"id": 1, "name": "重复"})  # id 1 exists

    assert "hotsql_things" in str(failed.value.statement) and not failed.value.connection_invalidated


def test_alone_is_a_transaction_of_its_own_only_when_nothing_was_sent_before(engine: Engine, path: str) -> None:
    """`Hot.alone` (the scan's one statement): first in its transaction on PostgreSQL it commits by itself, and
    what the session sends afterwards is a transaction of its own; after anything else it runs in the open
    transaction and rolls back with it (SQLite: always in the transaction)."""
    metadata.create_all(engine)
    add = insert(things).values(id=bindparam("id"), name=bindparam("name")).returning(t.id)
    try:
        with Session(engine) as session:
            session.begin()
            assert Hot(add).alone(session, {"id": 10, "name": "先"}) == (10,)
            session.execute(insert(things).values(id=11, name="后"))
            session.rollback()
            session.begin()
            session.execute(insert(things).values(id=12, name="先"))
            assert Hot(add).alone(session, {"id": 13, "name": "后"}) == (13,)
            session.rollback()
            kept = session.scalars(select(t.id).order_by(t.id)).all()
        assert kept == ([10] if engine.dialect.name == "postgresql" else [])
    finally:
        metadata.drop_all(engine)


def test_hot_statements_are_seen_by_cursor_event_listeners(session: Session, engine: Engine) -> None:
    seen: list[str] = []

    def record(*args: object) -> None:
        seen.append(str(args[2]))

    event.listen(engine, "before_cursor_execute", record)
    try:
        Hot(select(t.id).where(t.id == bindparam("id"))).first(session, {"id": 1})
    finally:
        event.remove(engine, "before_cursor_execute", record)

    assert len(seen) == 1 and "hotsql_things" in seen[0]


@pytest.mark.parametrize("name", STATEMENTS)
def test_both_paths_return_the_same_rows(session: Session, name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    statement, params = STATEMENTS[name]
    on_this_path = Hot(statement).rows(session, params)
    monkeypatch.setattr(sqla_private, "FAST", not sqla_private.FAST)

    on_the_other = Hot(statement).rows(session, params)

    assert on_this_path == on_the_other
    assert all(isinstance(row, tuple) for row in on_this_path + on_the_other)  # named tuples on either path
    assert [row._fields for row in on_this_path] == [row._fields for row in on_the_other]
    assert [type(v) for row in on_this_path for v in row] == [type(v) for row in on_the_other for v in row]


@pytest.mark.parametrize(("version", "fast"), [
    ("2.1.9", True), ("2.1.0", True), ("2.1.0b1", True), ("2.1.20", True),
    ("2.2.0", False), ("2.2.0b1", False), ("2.0.44", False), ("3.0.0", False), ("1.4.54", False), ("", False),
    ("dev", False),
])
def test_the_private_members_are_used_only_on_the_versions_they_were_tested_with(version: str, fast: bool) -> None:
    assert sqla_private.supported(version) is fast


def test_on_another_version_the_hot_statements_take_the_public_path_with_a_warning(
        caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level("WARNING", logger=sqla_private.__name__):
        assert sqla_private.choose("2.1.9") is True
        assert caplog.records == []
        assert sqla_private.choose("2.2.0") is False
    assert [(r.levelname, "2.2.0" in r.getMessage()) for r in caplog.records] == [("WARNING", True)]
