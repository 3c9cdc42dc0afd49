"""The operator command `healthcode` (SPEC section 5, CONTRACT): each command is a thin call into a domain service.

Each command reads the settings from the environment as it starts (`_start`) and passes them down.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from sqlalchemy import Engine

from healthcode import clock
from healthcode.config import Settings, get_settings
from healthcode.datadir import secure
from healthcode.db import make_engine, migrate, transaction
from healthcode.errors import DomainError
from healthcode.history.command import person_history_command

app = typer.Typer(help="八闽健康码平台运维命令", no_args_is_help=True, add_completion=False)
feed_app = typer.Typer(help="数据源批次", no_args_is_help=True)
person_app = typer.Typer(help="居民", no_args_is_help=True)
code_app = typer.Typer(help="健康码", no_args_is_help=True)
keys_app = typer.Typer(help="签名密钥", no_args_is_help=True)
org_app = typer.Typer(help="单位", no_args_is_help=True)
region_app = typer.Typer(help="疫情区等级", no_args_is_help=True)
scanner_app = typer.Typer(help="扫码员", no_args_is_help=True)
for sub, name in ((feed_app, "feed"), (person_app, "person"), (code_app, "code"), (keys_app, "keys"),
                  (org_app, "org"), (region_app, "region"), (scanner_app, "scanner")):
    app.add_typer(sub, name=name)

JsonFlag = Annotated[bool, typer.Option("--json", help="以 JSON 输出")]
WorkersOption = Annotated[int | None, typer.Option("--workers", min=1,
                                                   help="服务进程数（默认为 CPU 核数；SQLite 为 1）")]


def _start() -> Settings:
    """The command's settings, read from the environment as it starts (every command calls this first): its clock
    follows them, and it passes them down."""
    settings = get_settings()
    clock.configure(settings)
    return settings


def _engine(settings: Settings) -> Engine:
    from healthcode.checkpoints import partitions

    secure(settings.data_dir)
    engine = make_engine(settings.sqlalchemy_url)
    migrate(engine)
    partitions.prepare_for(engine, settings)  # PostgreSQL: the scans' partitions of the coming days
    return engine


def _print_json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, default=str))


def _fail(message: str) -> NoReturn:
    typer.echo(f"错误：{message}", err=True)
    raise typer.Exit(1)


@app.command()
def serve(host: str = "127.0.0.1", port: int = 8000, workers: WorkersOption = None) -> None:
    """运行网站和接口。"""
    from healthcode import serving

    settings = _start()
    chosen = serving.workers_for(settings, workers)
    if chosen.note:
        typer.echo(chosen.note, err=True)
    serving.run(settings, host, port, chosen.count)


@feed_app.command("load")
def feed_load(
    feed: str,
    file: Path,
    max_bad_rows: Annotated[int, typer.Option("--max-bad-rows", min=0, help="最多可跳过的错误行数")] = 0,
    as_json: JsonFlag = False,
) -> None:
    """加载数据源文件（.csv / .xlsx / .jsonl）。"""
    from healthcode.feeds.progress import progress_bar
    from healthcode.feeds.service import load_file
    from healthcode.feeds.views import batch_summary

    settings = _start()
    engine = _engine(settings)
    try:
        with progress_bar(file, enabled=not as_json and sys.stderr.isatty()) as on_progress:
            report = load_file(engine, settings, feed, file, max_bad_rows=max_bad_rows, operator="cli",
                               on_progress=on_progress)
    except DomainError as exc:
        if as_json:  # a per-file error (unknown feed, unreadable file) in the report's shape: line 0 is the file
            bad = [{"line": 0, "column": "", "reason": exc.message}]
            _print_json({"status": "rejected", "rows": 0, "bad_rows": bad, "error": exc.code})
        _fail(exc.message)
    if as_json:
        _print_json(report.as_json())
    else:
        typer.echo(batch_summary(report))
    raise typer.Exit(0 if report.status in ("applied", "duplicate") else 1)


provider_app = typer.Typer(help="数据提供方", no_args_is_help=True)
app.add_typer(provider_app, name="provider")


@provider_app.command("add")
def provider_add(
    name: str,
    feeds: Annotated[str, typer.Option("--feeds", help="允许报送的数据源，逗号分隔，如 cases,close_contacts")],
    as_json: JsonFlag = False,
) -> None:
    """新增数据提供方并生成其 API 密钥（仅显示一次）。"""
    from healthcode.feeds.service import add_provider

    settings = _start()
    try:
        with transaction(_engine(settings)) as session:
            created = add_provider(session, name, feeds.split(","))
    except DomainError as exc:
        _fail(exc.message)
    if as_json:
        _print_json({"id": created.id, "name": created.name, "feeds": list(created.feeds), "api_key": created.api_key})
    else:
        typer.echo(f"已新增数据提供方 {created.name}（可报送：{'、'.join(created.feeds)}）")
        typer.echo(f"API 密钥（仅显示一次，请妥善保存）：{created.api_key}")


@person_app.command("status")
def person_status(id_number: str, as_json: JsonFlag = False) -> None:
    """查询居民当前的健康码颜色及原因。"""
    from healthcode.common.ids import InvalidIdNumber, normalize_id_number
    from healthcode.rules.service import status_for

    settings = _start()
    try:
        number = normalize_id_number(id_number, clock.today())
    except InvalidIdNumber as exc:
        _fail(str(exc))
    with transaction(_engine(settings)) as session:
        status = status_for(session, settings, number, clock.now())
    if as_json:
        _print_json(status.as_json())
    else:
        typer.echo(status.summary())


# `healthcode person history` (issue 16) is written beside its use case: this file is at its size limit.
person_app.command("history")(person_history_command(lambda: _start(), lambda settings: _engine(settings), _fail))


@code_app.command("issue")
def code_issue(
    id_number: str,
    as_json: JsonFlag = False,
    png: Annotated[Path | None, typer.Option("--png", help="保存二维码图片")] = None,
) -> None:
    """为已登记居民签发健康码（代领、打印）。"""
    from healthcode.codes.qr import save_png
    from healthcode.codes.service import issue_for_id_number
    from healthcode.codes.views import color_label

    settings = _start()
    try:
        with transaction(_engine(settings)) as session:
            issued = issue_for_id_number(session, settings, id_number, clock.now())
    except DomainError as exc:
        _fail(exc.message)
    if png is not None:
        save_png(issued.qr_text, png)
    if as_json:
        _print_json(issued.as_json())
    else:
        typer.echo(f"{color_label(issued.color)}  数字码 {issued.number_code}  有效至 {issued.expires_at:%H:%M:%S}")


@code_app.command("print")
def code_print(
    id_number: str,
    pdf: Annotated[Path, typer.Option("--pdf", help="保存纸质健康码（A6 PDF）的文件")],
    as_json: JsonFlag = False,
) -> None:
    """为已登记居民打印纸质健康码（A6 卡片 PDF，有效期一年，不显示颜色，由扫码点联网查验）；该居民的旧卡随即作废。"""
    from healthcode.codes.card_pdf import render
    from healthcode.codes.cards import print_for_id_number
    from healthcode.codes.errors import CardFontMissing

    settings = _start()
    try:
        with transaction(_engine(settings)) as session:
            card = print_for_id_number(session, settings, id_number, clock.now(), "cli")
            # Written before the commit: a card whose PDF could not be made is not kept (nor the older revoked).
            pdf.write_bytes(render(card, settings.card_font_path))
    except DomainError as exc:
        _fail(exc.message)
    except CardFontMissing as exc:
        _fail(str(exc))
    except OSError as exc:
        _fail(f"无法写入 {pdf}：{exc.strerror or exc}")
    if as_json:
        _print_json({**card.as_json(), "pdf": str(pdf)})
    else:
        typer.echo(f"已打印纸质健康码 {card.masked_name}  卡号 {card.serial}  有效期至 {card.expires_at:%Y-%m-%d}"
                   f"  → {pdf}（该居民此前的纸质卡已作废）")


@keys_app.command("export")
def keys_export() -> None:
    """输出验证健康码的公钥集合（JWK Set）。"""
    from healthcode.codes.keys import public_jwks

    settings = _start()
    with transaction(_engine(settings)) as session:
        _print_json(public_jwks(session, clock.now(), settings.secret_key))


@keys_app.command("rotate")
def keys_rotate(
    alg: Annotated[str, typer.Option("--alg", help="EdDSA（默认）或 ES256")] = "EdDSA",
) -> None:
    """生成新签名密钥：立即公布，一天后开始签名；旧密钥届时停用并继续公布 300 秒。"""
    from healthcode.codes.keys import b64url, rotate

    settings = _start()
    if alg not in ("EdDSA", "ES256"):
        _fail("签名算法只能是 EdDSA 或 ES256")
    with transaction(_engine(settings)) as session:
        key = rotate(session, clock.now(), settings.secret_key, alg=alg)
    typer.echo(f"新密钥 {b64url(key.kid)}（{key.alg}）已公布，{key.activates_at:%Y-%m-%d %H:%M:%S} 起签名")


@org_app.command("add")
def org_add(
    name: Annotated[str, typer.Option("--name", help="单位名称")],
    uscc: Annotated[str, typer.Option("--uscc", help="统一社会信用代码")],
    kind: Annotated[str, typer.Option("--kind", help="government 或 enterprise")],
    region: Annotated[str | None, typer.Option("--region", help="行政区划代码")] = None,
    parent: Annotated[str | None, typer.Option("--parent", help="上级单位统一社会信用代码")] = None,
    retrieve_on_page: Annotated[bool, typer.Option(
        "--retrieve-on-page", help="不发放密码：机关事业单位在政务信息网“账号获取”页面自行获取一次")] = False,
    as_json: JsonFlag = False,
) -> None:
    """新增单位及其管理员账号。"""
    from healthcode.orgs.service import add_org

    settings = _start()
    if retrieve_on_page and kind != "government":
        _fail("只有机关事业单位（government）可以在政务信息网获取账号")
    try:
        with transaction(_engine(settings)) as session:
            created = add_org(session, name=name, uscc=uscc, kind=kind, region_code=region, parent_uscc=parent,
                              delivered=not retrieve_on_page)
    except DomainError as exc:
        _fail(exc.message)
    if retrieve_on_page:  # the password was shown to nobody: the unit fetches its account on the page
        if as_json:
            _print_json({**created.as_json(), "password": None})
        else:
            typer.echo(f"已创建单位 {name}，管理员账号 {created.username}，"
                       "密码未发放：请该单位在政务信息网“账号获取”页面获取")
    elif as_json:
        _print_json(created.as_json())
    else:
        typer.echo(f"已创建单位 {name}，管理员账号 {created.username}，初始密码 {created.password}（仅显示一次）")


@region_app.command("set-level")
def region_set_level(region_code: str, level: int) -> None:
    """设置县级行政区的疫情区等级（0–3）。"""
    from healthcode.regions.service import set_level

    settings = _start()
    try:
        with transaction(_engine(settings)) as session:
            result = set_level(session, region_code, level, operator="cli")
    except DomainError as exc:
        _fail(exc.message)
    typer.echo(f"{result.region_name}（{result.code}）已设为 {result.level_name}")


@scanner_app.command("add")
def scanner_add(
    org: Annotated[str, typer.Option("--org", help="单位统一社会信用代码")],
    phone: Annotated[str, typer.Option("--phone", help="手机号")],
    name: Annotated[str, typer.Option("--name", help="姓名")],
    id_number: Annotated[str, typer.Option("--id-number", help="身份证号")],
    password: Annotated[str, typer.Option("--password", help="登录密码")],
    authorise: Annotated[bool, typer.Option("--authorise", help="立即授权")] = False,
) -> None:
    """开通扫码员账号。"""
    from healthcode.checkpoints.service import add_scanner

    settings = _start()
    try:
        with transaction(_engine(settings)) as session:
            scanner = add_scanner(session, org_uscc=org, phone=phone, name=name, id_number=id_number,
                                  password=password, authorise=authorise)
    except DomainError as exc:
        _fail(exc.message)
    state = "已授权" if scanner.authorised else "待单位管理员授权"
    typer.echo(f"扫码员 {scanner.phone} 已开通（{state}）")


@app.command()
def demo(host: str = "127.0.0.1", port: int = 8000) -> None:
    """在新的数据库中建立演示省份并运行网站，打印各端演示账号。"""
    import uvicorn

    from healthcode.app import create_app
    from healthcode.demo import build_demo, demo_settings
    from healthcode.logmask import log_config

    settings = demo_settings(_start())
    engine = make_engine(settings.sqlalchemy_url)
    typer.echo("正在建立演示省份：近30天的扫码、健康上报、提醒和数据报表……")
    accounts = build_demo(engine, settings, base_url=f"http://{host}:{port}/")
    typer.echo(accounts)
    uvicorn.run(create_app(settings, engine), host=host, port=port, log_level="info", log_config=log_config())


def _mount() -> None:
    """The command groups written in modules of their own; their commands use this module's helpers (`_start`,
    `_engine`, ...) through `healthcode.cli`, so that a test patching one of them patches it for every command."""
    from healthcode.cli_ops import ops_app  # noqa: PLC0415
    from healthcode.cli_rules import rules_app  # noqa: PLC0415
    from healthcode.cli_users import users_app  # noqa: PLC0415

    app.add_typer(rules_app, name="rules")
    app.add_typer(users_app, name="users")
    for command in ops_app.registered_commands:
        app.registered_commands.append(command)
    for group in ops_app.registered_groups:
        app.registered_groups.append(group)


_mount()


if __name__ == "__main__":  # pragma: no cover
    app()
