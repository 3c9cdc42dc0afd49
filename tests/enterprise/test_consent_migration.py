"""The consent migration: an employee row whose resident named that enterprise on his own report stays (confirmed);
every other row becomes a pending request and leaves the employees table; the per-day counts follow."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from healthcode.db import migrate
from tests.enterprise.factories import id_number, uscc_code
from tests.migrating import empty_database, upgrade_to


@pytest.fixture
def empty_engine(tmp_path: Path) -> Iterator[Engine]:
    with empty_database(tmp_path) as (engine, _):
        yield engine


def test_existing_employees_stay_only_where_the_resident_named_the_enterprise(empty_engine: Engine) -> None:
    # Given a database at the revision before, with two employees of one enterprise: one named it on his report
    named, typed = id_number(1), id_number(2)
    with empty_engine.begin() as connection:
        upgrade_to(connection, "9a4f6c2d8e13")
        connection.execute(text("INSERT INTO orgs (id, name, uscc, kind, created_at) VALUES "
                                "(1, '测试企业', :uscc, 'enterprise', '2020-02-01 08:00:00')"), {"uscc": uscc_code(1)})
        for i, (number, name) in enumerate(((named, '自报'), (typed, '被加')), start=1):
            connection.execute(text(
                "INSERT INTO employees (id, org_id, name, id_number, created_at, report_count) "
                "VALUES (:i, 1, :name, :n, '2020-02-01 08:00:00', 1)"), {"i": i, "name": name, "n": number})
            connection.execute(text(
                "INSERT INTO health_reports (id_number, name, report_date, reported_at, temperature, symptoms, "
                "location_code, contact_risk, report_type, employer_uscc, corrections) VALUES (:n, :name, "
                "'2020-02-23', '2020-02-23 09:00:00', 36.5, '无', '350102', false, '日常上报', :uscc, 0)"),
                {"n": number, "name": name, "uscc": uscc_code(1) if number == named else None})
        connection.execute(text("INSERT INTO enterprise_day_stats (org_id, day, reporters) "
                                "VALUES (1, '2020-02-23', 2)"))
    # When the schema is upgraded
    migrate(empty_engine)
    # Then the self-named employee stays (confirmed), the typed-in one is a pending request, and the day counts follow
    with empty_engine.connect() as conn:
        assert conn.execute(text("SELECT id_number FROM employees")).scalars().all() == [named]
        states = dict(conn.execute(text("SELECT id_number, state FROM employment_requests")).all())
        assert states == {named: "confirmed", typed: "pending"}
        assert conn.execute(text("SELECT reporters FROM enterprise_day_stats")).scalars().all() == [1]
