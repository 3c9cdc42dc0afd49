"""`healthcode users add` and `healthcode users list`: the health authority's named users (审核人员) as its 具名用户
page (/gov/users, orgs/users_pages.py) adds and lists them — a random password shown once and changed at first
sign-in, so no password is ever typed on the command line. Mounted on `healthcode.cli.app`; each command reads its
settings and engine through that module's helpers."""

from __future__ import annotations

import logging
from typing import Annotated

import typer

users_app = typer.Typer(help="疫情防控指挥部的具名用户（审核人员）", no_args_is_help=True)
JsonFlag = Annotated[bool, typer.Option("--json", help="以 JSON 输出")]
OrgOption = Annotated[str, typer.Option("--org", help="疫情防控指挥部的统一社会信用代码（即其管理员账号）")]
log = logging.getLogger(__name__)


@users_app.command("add")
def users_add(
    org: OrgOption,
    username: Annotated[str, typer.Option(
        "--username", help="用户名：英文字母开头，4至32位英文字母、数字、点、下划线或连字符")],
    name: Annotated[str, typer.Option("--name", help="姓名")],
    as_json: JsonFlag = False,
) -> None:
    """新增具名用户（同“具名用户”页面）：初始密码随机生成，仅显示一次，首次登录须修改。"""
    from healthcode import cli, clock
    from healthcode.db import transaction
    from healthcode.errors import DomainError
    from healthcode.orgs import users

    settings = cli._start()
    try:
        with transaction(cli._engine(settings)) as session:
            unit = users.authority_unit(session, org, settings.authority_usccs)
            created = users.add_user(session, unit.id, username=username, name=name, now=clock.now())
    except DomainError as exc:
        cli._fail(exc.message)
    log.info("named user %s added to org %s by cli", created.username, created.org_id)
    if as_json:
        cli._print_json(created.as_json())
    else:
        typer.echo(f"已创建用户 {created.username}，初始密码 {created.password}"
                   "（仅显示一次，请当面交给本人；首次登录须修改密码）")


@users_app.command("list")
def users_list(org: OrgOption, as_json: JsonFlag = False) -> None:
    """列出具名用户（同“具名用户”页面：用户名、姓名、创建时间、状态；不含密码）。"""
    from healthcode import cli
    from healthcode.db import transaction
    from healthcode.errors import DomainError
    from healthcode.orgs import users

    settings = cli._start()
    try:
        with transaction(cli._engine(settings)) as session:
            unit = users.authority_unit(session, org, settings.authority_usccs)
            rows = [{"username": account.username, "name": user.name, "created_at": user.created_at,
                     "active": account.active} for user, account in users.users_of(session, unit.id)]
    except DomainError as exc:
        cli._fail(exc.message)
    if as_json:
        cli._print_json({"org_id": unit.id, "users": rows})
        return
    if not rows:
        typer.echo("没有具名用户")
    for row in rows:
        state = "正常" if row["active"] else "已停用"
        typer.echo(f"{row['username']}  {row['name']}  {row['created_at']:%Y-%m-%d %H:%M}  {state}")
