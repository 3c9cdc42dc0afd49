"""Retention (SPEC section 10): `healthcode purge` deletes scans older than the retention period and expired codes, and
the offline uploads, texts, verification codes and printed cards past theirs."""

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


def test_given_old_and_recent_uploads_texts_codes_and_cards_when_purging_then_the_old_ones_go_and_are_counted(
    client, db, freeze, cli_engine
) -> None:
    from healthcode.checkpoints.models import OfflineScan
    from healthcode.codes.models import PrintedCard
    from healthcode.messages.models import DELIVERED, PENDING, SmsCode, SmsOutbox

    # Given scans uploaded from offline pages 29 and 27 days ago (retention 28 days) ...
    headers, point, resident = f.scanning(client, db)
    for n, days_ago in enumerate((29, 27)):
        moment = freeze(f.NOW - timedelta(days=days_ago))
        issued = f.issue(db, resident, moment)
        uploaded = client.post("/api/v1/checkpoint/offline-scans", headers=headers, json={
            "client_scan_id": f"offline-000{n}", "point_id": point, "code": issued.qr_text,
            "scanned_at": moment.isoformat()})
        assert uploaded.status_code == 201, uploaded.text
    # ... a text delivered 31 days ago, one still waiting since this morning, a code of yesterday's morning, and
    # the resident's card revoked 31 days ago
    freeze(f.NOW)
    long_ago = f.NOW - timedelta(days=31)
    db.add_all([
        SmsOutbox(phone="13912345678", body="送达已久", created_at=long_ago, status=DELIVERED, attempts=1,
                  delivered_at=long_ago),
        SmsOutbox(phone="13912345678", body="待发", created_at=f.NOW - timedelta(hours=1), status=PENDING,
                  attempts=0, next_attempt_at=f.NOW),
        SmsCode(phone="13912345678", purpose="scanner_registration", code_hash="0" * 64,
                created_at=f.NOW - timedelta(hours=26), expires_at=f.NOW - timedelta(hours=26) + timedelta(minutes=5),
                attempts=0),
        PrintedCard(card_id=b"\x01" * 16, serial="ABCD-EFGH", person_id=resident.id, kid=b"k" * 8,
                    issued_at=long_ago - timedelta(days=1), issued_by="cli", expires_at=f.NOW + timedelta(days=300),
                    revoked_at=long_ago, revoked_by="cli")])
    db.commit()
    # When the operator purges today
    result = CliRunner().invoke(cli.app, ["purge"])
    # Then the old upload, the delivered text, the code and the card are gone and counted; the rest stays
    assert result.exit_code == 0, result.output
    assert ("1 条超过 30 天的短信、1 条超过一天的短信验证码、1 张作废或过期满 30 天的纸质健康码、"
            "1 条超过 28 天的离线扫码上传记录") in result.output
    db.expire_all()
    assert [u.client_scan_id for u in db.scalars(select(OfflineScan))] == ["offline-0001"]
    assert [t.body for t in db.scalars(select(SmsOutbox))] == ["待发"]
    assert db.scalar(select(func.count()).select_from(SmsCode)) == 0
    assert db.scalar(select(func.count()).select_from(PrintedCard)) == 0
