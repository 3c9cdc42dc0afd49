"""Retention (SPEC section 10): `healthcode purge` deletes scans older than the retention period and expired codes."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from typer.testing import CliRunner

from healthcode import cli
from healthcode.checkpoints.models import Scan
from healthcode.codes.models import IssuedCode
from tests.checkpoints import factories as f


def test_given_scans_of_29_and_27_days_ago_when_purging_then_only_the_older_scan_and_expired_codes_go(
    client, db, freeze, cli_engine
) -> None:
    # Given a scan 29 days ago and one 27 days ago (retention 28 days)
    headers, point, resident = f.scanning(client, db)
    for days_ago in (29, 27):
        moment = freeze(f.NOW - timedelta(days=days_ago))
        issued = f.issue(db, resident, moment)
        db.commit()
        assert f.scan(client, headers, point, issued.qr_text).status_code == 201
    # When the operator purges today
    freeze(f.NOW)
    result = CliRunner().invoke(cli.app, ["purge"])
    # Then the old scan and the long-expired codes are gone, the recent scan stays
    assert result.exit_code == 0, result.output
    assert "1 条超过 28 天的扫码记录" in result.output
    db.expire_all()
    assert [s.at.date() for s in db.scalars(select(Scan))] == [(f.NOW - timedelta(days=27)).date()]
    assert db.scalar(select(func.count()).select_from(IssuedCode)) == 0


def test_given_a_day_whose_reports_were_never_built_when_purging_then_they_are_built_before_its_scans_go(
    client, db, freeze, cli_engine
) -> None:
    from healthcode.console.models import DailyStat, ReportBuild

    # Given two scans 29 days ago and nobody who built that day's reports (no console view, no `reports build`)
    headers, point, resident = f.scanning(client, db)
    day = (f.NOW - timedelta(days=29)).date()
    for minutes in (0, 90):
        moment = freeze(f.NOW - timedelta(days=29, minutes=-minutes))
        issued = f.issue(db, resident, moment)
        db.commit()
        assert f.scan(client, headers, point, issued.qr_text).status_code == 201
    assert db.get(ReportBuild, day) is None
    db.commit()
    # When the operator purges today
    freeze(f.NOW)
    result = CliRunner().invoke(cli.app, ["purge"])
    # Then the day's aggregates were built from its scans before they went, and the scans are gone
    assert result.exit_code == 0, result.output
    assert "2 条超过 28 天的扫码记录" in result.output and "已补算 1 天的数据报表" in result.output
    db.expire_all()
    assert db.scalar(select(func.sum(DailyStat.scans)).where(DailyStat.day == day)) == 2
    assert db.scalar(select(func.count()).select_from(Scan)) == 0
