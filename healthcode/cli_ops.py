"""The operator commands of the daily run and of accountability: `reports build`, `sms dispatch`, `audit verify` and
`purge` (SPEC section 5 and 11). Mounted on `healthcode.cli.app`; each reads its settings and engine through that
module's helpers."""

from __future__ import annotations

import sys
from datetime import timedelta
from typing import Annotated

import typer

from healthcode import clock
from healthcode.db import transaction

ops_app = typer.Typer()
audit_app = typer.Typer(help="问责记录（赋码依据、人工标记、更正、申诉）", no_args_is_help=True)
ops_app.add_typer(audit_app, name="audit")
JsonFlag = Annotated[bool, typer.Option("--json", help="以 JSON 输出")]


reports_app = typer.Typer(help="数据报表", no_args_is_help=True)
ops_app.add_typer(reports_app, name="reports")


@reports_app.command("build")
def reports_build(day: Annotated[str | None, typer.Option("--day", help="日期 YYYY-MM-DD，默认昨天")] = None) -> None:
    """统计某日的扫码数据报表（各单位、各扫码点、分时段），覆盖该日已有的统计。"""
    from datetime import date, timedelta

    from healthcode import cli
    from healthcode.console.reports import build_daily_reports

    settings = cli._start()
    try:
        when = date.fromisoformat(day) if day else clock.today() - timedelta(days=1)
    except ValueError:
        cli._fail("日期格式应为 YYYY-MM-DD")
    with transaction(cli._engine(settings)) as session:
        rows = build_daily_reports(session, when)
    typer.echo(f"{when.isoformat()} 数据报表已生成：{rows} 条统计")


sms_app = typer.Typer(help="短信", no_args_is_help=True)
ops_app.add_typer(sms_app, name="sms")


@sms_app.command("dispatch")
def sms_dispatch(
    once: Annotated[bool, typer.Option("--once", help="投递当前到期的短信后退出（默认持续运行，Ctrl-C 结束）")] = False,
) -> None:
    """将短信发件箱中的短信投递到短信网关（HEALTHCODE_SMS_GATEWAY_URL）；服务进程内也会自动投递。"""
    import time
    from urllib.parse import urlsplit

    from healthcode import cli
    from healthcode.messages.dispatch import run_worker
    from healthcode.messages.outbox import Tally

    settings = cli._start()
    if not settings.sms_gateway_url:
        cli._fail("未设置短信网关 HEALTHCODE_SMS_GATEWAY_URL：短信保留在发件箱中，不投递")
    engine = cli._engine(settings)
    shown, done = sys.stderr.isatty(), Tally()

    def on_round(tally: Tally) -> None:
        done.add(tally)
        if once and shown:  # one progress line, rewritten in place
            typer.echo(f"\r已处理 {done.total} 条：送达 {done.delivered}，待重试 {done.retrying}，失败 {done.failed}",
                       err=True, nl=False)
        elif not once and tally.total:
            typer.echo(f"{time.strftime('%H:%M:%S')} {tally.summary()}", err=True)

    if not once:
        typer.echo(f"正在投递短信到网关 {urlsplit(settings.sms_gateway_url).hostname}（Ctrl-C 结束）", err=True)
    total = run_worker(engine, settings, once=once, on_round=on_round)
    if once and shown and done.total:
        typer.echo("", err=True)
    typer.echo(total.summary())


@audit_app.command("verify")
def audit_verify(as_json: JsonFlag = False) -> None:
    """逐条核对问责记录的哈希链（清理过的从最新的锚点起），报告第一处断裂（记录被改动、删除或插入）。"""
    from healthcode import cli
    from healthcode.ledger.service import verify

    settings = cli._start()
    with transaction(cli._engine(settings)) as session:
        verdict = verify(session)
    anchor = verdict.anchor
    if as_json:
        cli._print_json({"ok": verdict.ok, "checked": verdict.checked, "first_id": verdict.first_id,
                         "last_id": verdict.last_id, "head": verdict.head,
                         "broken": None if verdict.broken is None else
                         {"entry_id": verdict.broken.entry_id, "problem": verdict.broken.problem,
                          "anchor_id": verdict.broken.anchor_id,
                          "anchor_at": None if verdict.broken.anchor_at is None else
                          verdict.broken.anchor_at.isoformat()},
                         "anchor": None if anchor is None else
                         {"id": anchor.id, "at": anchor.at.isoformat(), "cutoff": anchor.cutoff.isoformat(),
                          "last_entry_id": anchor.last_entry_id, "last_hash": anchor.last_hash,
                          "removed": anchor.removed}})
        if verdict.broken is not None:
            raise typer.Exit(1)
        return
    since = "" if anchor is None else \
        (f"自 {anchor.at:%Y-%m-%d %H:%M} 的锚点起（第 {anchor.last_entry_id} 条及以前的记录已过保存期限删除，"
         f"锚点哈希 {anchor.last_hash}）")
    if verdict.broken is None:
        typer.echo(f"问责记录完整：{since}已核对 {verdict.checked} 条，最新哈希 {verdict.head or '（无记录）'}")
    elif verdict.broken.anchor_at is not None:
        first = "" if verdict.broken.entry_id is None else f"，锚点后第一条为第 {verdict.broken.entry_id} 条"
        typer.echo(f"问责记录在 {verdict.broken.anchor_at:%Y-%m-%d %H:%M} 的锚点（锚点编号 "
                   f"{verdict.broken.anchor_id}）处断裂：{verdict.broken.problem}{first}")
    else:
        typer.echo(f"问责记录在第 {verdict.broken.entry_id} 条处断裂：{verdict.broken.problem}"
                   f"（{since}此前 {verdict.checked} 条完整）")
    if verdict.broken is not None:
        raise typer.Exit(1)


@ops_app.command()
def purge() -> None:
    """删除超过保存期限的扫码记录、已过期的健康码记录、已超时的登录会话、过期的员工导入文件、已处理的申诉、短信、短信验证码、
    作废或过期的纸质健康码记录、离线扫码上传记录和超过保存期限的问责记录（留下锚点，每天运行一次）。"""
    from healthcode import cli
    from healthcode.appeals import service as appeals
    from healthcode.checkpoints.partitions import days_before, drop_past
    from healthcode.checkpoints.service import purge as purge_scans
    from healthcode.checkpoints.service import purge_offline, retention_cutoff
    from healthcode.codes import cards
    from healthcode.codes.service import purge_expired
    from healthcode.console.reports import complete_before_purge
    from healthcode.enterprise import import_store
    from healthcode.ledger import service as ledger
    from healthcode.messages import outbox, sms_codes
    from healthcode.sessions import repository as web_sessions

    settings, now = cli._start(), clock.now()
    engine, cutoff = cli._engine(settings), retention_cutoff(now, settings.scan_retention_days)
    with transaction(engine) as session:  # the reports of the days about to go, if never built since they ended
        reported = complete_before_purge(session, days_before(engine, cutoff))
    if reported:
        typer.echo(f"已补算 {reported} 天的数据报表（其扫码记录即将删除）")
    # PostgreSQL: the days past retention dropped whole, each partition in a short transaction of its own.
    dropped = drop_past(engine, cutoff)
    with transaction(engine) as session:
        scans = dropped + purge_scans(session, now, settings.scan_retention_days)
        # Codes live at most 300 s; an hour's margin keeps every record a scan in flight can still resolve.
        codes = purge_expired(session, now - timedelta(hours=1))
        # Sessions no request came back to after their idle limit (one that does is deleted then).
        sessions = web_sessions.purge_expired(session, now)
        # Error reports and uploads awaiting confirmation of 批量导入 (30 minutes; each upload purges its enterprise's).
        imports = import_store.purge_expired(session, now)
        appeal_count, evidence_files = appeals.purge(session, settings, now)  # files removed after the commit
        # Phones, texts, cards and uploads: docs/decisions.md «Retention of texts, printed cards and offline uploads».
        texts = outbox.purge(session, now, settings.sms_retention_days)
        verification_codes = sms_codes.purge(session, now)
        printed = cards.purge(session, now, settings.card_retention_days)
        offline = purge_offline(session, now, settings.scan_retention_days)
    # A short transaction of its own: it holds the ledger's append turn, which feed batches and pushes wait for.
    with transaction(engine) as session:
        entries = ledger.purge(session, now, settings.ledger_retention_days)
    typer.echo(f"已删除 {scans} 条超过 {settings.scan_retention_days} 天的扫码记录、{codes} 条已过期的健康码记录、"
               f"{sessions} 个已超时的登录会话、{imports} 个过期的员工导入文件、{appeal_count} 件处理满 "
               f"{settings.appeal_retention_days} 天的申诉（{evidence_files} 个证明材料文件）、{texts} 条超过 "
               f"{settings.sms_retention_days} 天的短信、{verification_codes} 条超过一天的短信验证码、"
               f"{printed} 张作废或过期满 {settings.card_retention_days} 天的纸质健康码、{offline} 条超过 "
               f"{settings.scan_retention_days} 天的离线扫码上传记录、{entries} 条超过 "
               f"{settings.ledger_retention_days} 天的问责记录")
