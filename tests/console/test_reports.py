"""授权管理 and 数据报表: approve/revoke with who and when (revocation effective at the scanner's next call), daily
aggregates by hour and point, roll-up totals equal to the sum of subordinates, the CLI job, and the report export."""

from __future__ import annotations

import io
from datetime import date, timedelta

import openpyxl
from sqlalchemy import select

from healthcode.checkpoints.models import Scanner
from healthcode.console import reports
from healthcode.console.models import DailyStat
from tests.checkpoints.factories import PASSWORD, add_point, token
from tests.orgs.console_factories import NOW, add_scans, login, unit

DAY = NOW.date()


def test_admin_authorises_then_revokes_and_revocation_applies_at_once(client, db, freeze):
    freeze(NOW)
    a = unit(db, 1, "甲单位")
    pending = a.scanner_ids[1]
    login(client, a.created.username, a.created.password)
    scanner_headers = token(client, "13800000012", PASSWORD)

    before = client.post("/api/v1/checkpoint/points", headers=scanner_headers, json={})
    listing = client.get("/gov/scanners", params={"status": "pending"})
    approved = client.post(f"/gov/scanners/{pending}/authorise", headers={"HX-Request": "true"})
    point = add_point(client, scanner_headers)
    revoked = client.post(f"/gov/scanners/{pending}/revoke", follow_redirects=False)
    after = client.post("/api/v1/checkpoint/points", headers=scanner_headers, json={})

    assert before.status_code == 403 and before.json()["error"] == "not_authorised"
    assert "赵六" in listing.text and "待授权" in listing.text
    assert approved.status_code == 200 and "已授权" in approved.text and "甲单位（管理员）" in approved.text
    assert a.created.username not in approved.text  # 操作人 reads as the unit, not its USCC
    assert point > 0 and revoked.status_code == 303
    assert after.status_code == 403 and "撤销" in after.json()["message"]
    db.expire_all()
    row = db.get(Scanner, pending)
    assert (row.status, row.status_by, row.status_at) == ("revoked", a.created.username, NOW)


def test_unknown_action_is_refused(client, db, freeze):
    freeze(NOW)
    a = unit(db, 1, "甲单位")
    login(client, a.created.username, a.created.password)

    response = client.post(f"/gov/scanners/{a.scanner_ids[1]}/delete")

    assert response.status_code == 422 and "操作无效" in response.text


def test_build_counts_scans_orange_and_abnormal_by_hour_and_point(db, freeze):
    freeze(NOW + timedelta(days=1))
    a = unit(db, 1, "甲单位")
    add_scans(db, a, 10, step=timedelta(minutes=15), orange_every=3, abnormal_every=5)  # 09:00 … 11:15
    add_scans(db, a, 2, start=NOW - timedelta(days=1))  # the day before: not counted

    rows = reports.build_daily_reports(db, DAY)
    day = reports.unit_day(db, a.org_id, DAY)

    assert rows == 6  # 2 points x 3 hours
    assert (day["total"].scans, day["total"].orange, day["total"].abnormal) == (10, 4, 2)
    assert day["hours"]["scans"][9:12] == [4, 4, 2] and sum(day["hours"]["scans"]) == 10
    assert sorted(p["scans"] for p in day["points"]) == [5, 5]


def test_rebuilding_a_day_replaces_it(db, freeze):
    freeze(NOW + timedelta(days=1))
    a = unit(db, 1, "甲单位")
    add_scans(db, a, 3)
    reports.build_daily_reports(db, DAY)
    add_scans(db, a, 2, start=NOW + timedelta(hours=1))

    reports.build_daily_reports(db, DAY)

    assert sum(db.scalars(select(DailyStat.scans).where(DailyStat.day == DAY))) == 5


def test_rollup_totals_equal_the_sum_of_subordinates(client, db, freeze):
    freeze(NOW + timedelta(days=1))
    city = unit(db, 1, "市指挥部")
    district = unit(db, 2, "区指挥部", parent=city)
    street = unit(db, 3, "街道办", parent=district)
    other = unit(db, 4, "另一区", parent=city)
    outsider = unit(db, 5, "外市单位", person_name="外市居民")
    for u, n in ((city, 2), (district, 3), (street, 4), (other, 5), (outsider, 7)):
        add_scans(db, u, n, orange_every=2)
    reports.build_daily_reports(db, DAY)
    db.commit()

    up = reports.rollup(db, city.org_id, DAY)
    login(client, city.created.username, city.created.password)
    page = client.get("/gov/reports", params={"day": DAY.isoformat()})
    child = client.get("/gov/reports", params={"day": DAY.isoformat(), "org": street.org_id})
    foreign = client.get("/gov/reports", params={"day": DAY.isoformat(), "org": outsider.org_id})

    by_name = {c["name"]: c["total"].scans for c in up["children"]}
    assert by_name == {"区指挥部": 7, "另一区": 5} and up["own"].scans == 2 and up["grand"].scans == 14
    assert up["grand"].scans == up["own"].scans + sum(c["total"].scans for c in up["children"])
    assert up["grand"].orange == 8  # every other scan orange: 1 + 2 + 2 + 3
    assert 'id="grand-scans">14<' in page.text and "王*五" not in page.text and "王小五" not in page.text
    assert child.status_code == 200 and 'id="total-scans">4<' in child.text
    assert foreign.status_code == 404


def test_report_export_has_points_and_subordinate_totals(client, db, freeze):
    freeze(NOW + timedelta(days=1))
    city = unit(db, 1, "市指挥部")
    district = unit(db, 2, "区指挥部", parent=city)
    add_scans(db, city, 2)
    add_scans(db, district, 3)
    login(client, city.created.username, city.created.password)

    response = client.get("/gov/reports/export", params={"day": DAY.isoformat()})

    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0] == reports.EXPORT_HEADER
    assert ("2020-02-24", "区指挥部", "下级单位合计（1个单位）", 3, 0, 0) in rows
    assert rows[-1][2:4] == ("含下级单位总计", 5)


def test_first_console_view_builds_yesterday_and_today(client, db, freeze):
    freeze(NOW + timedelta(days=1))
    a = unit(db, 1, "甲单位")
    add_scans(db, a, 3)
    login(client, a.created.username, a.created.password)

    client.get("/gov/")

    assert {d for d in db.scalars(select(DailyStat.day))} == {date(2020, 2, 24)}


def test_cli_builds_a_day(db, cli_engine, freeze):
    from typer.testing import CliRunner

    from healthcode.cli import app

    freeze(NOW + timedelta(days=1))
    a = unit(db, 1, "甲单位")
    add_scans(db, a, 4)

    result = CliRunner().invoke(app, ["reports", "build", "--day", "2020-02-24"])

    assert result.exit_code == 0, result.output
    assert "2020-02-24" in result.output
    db.expire_all()
    assert sum(db.scalars(select(DailyStat.scans))) == 4


def test_given_two_first_views_of_the_day_at_once_then_the_reports_are_built_once_without_error(
        engine, db, freeze, monkeypatch):
    import threading

    from sqlalchemy import text
    from sqlalchemy.orm import Session

    freeze(NOW)
    a = unit(db, 1, "甲单位")
    add_scans(db, a, 4)
    db.commit()
    builds: list[date] = []
    real_build = reports.build_daily_reports
    monkeypatch.setattr(reports, "build_daily_reports", lambda session, day: builds.append(day) or real_build(
        session, day))
    # Given a first view of the day that has built the reports and not yet committed
    first = Session(engine)
    first.connection(execution_options={"sqlite_immediate": True})  # as a request's transaction (db.get_session)
    reports.ensure_built(first, DAY)
    # When a second view comes meanwhile
    failed: list[BaseException] = []

    def second_view() -> None:
        with Session(engine) as second, second.begin():
            second.connection(execution_options={"sqlite_immediate": True})
            try:
                reports.ensure_built(second, DAY)
            except BaseException as exc:  # noqa: BLE001 (reported below)
                failed.append(exc)
                raise

    other = threading.Thread(target=second_view)
    other.start()
    if engine.dialect.name == "postgresql":  # the second waits for the first (SQLite: for its write lock at BEGIN)
        waiting = text("SELECT count(*) FROM pg_locks WHERE NOT granted")
        with engine.connect() as watch:
            while other.is_alive() and not watch.execute(waiting).scalar():
                watch.rollback()
    first.commit()
    first.close()
    other.join(timeout=30)
    # Then the second found them built: no error, no second build, one set of aggregates
    assert failed == [] and not other.is_alive()
    assert builds == [DAY - timedelta(days=1), DAY]
    assert db.scalar(select(DailyStat.scans).where(DailyStat.day == DAY).limit(1)) is not None
