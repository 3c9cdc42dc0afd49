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
    admin = f.org(db, 1)
    phone = f.scanner(db, admin.username, 1)
    db.commit()
    headers = f.token(client, phone)
    point = f.add_point(client, headers)
    resident = f.person(db, 1)
    db.commit()
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
