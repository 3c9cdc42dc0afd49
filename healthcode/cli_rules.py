"""`healthcode rules list` and `healthcode rules what-if` (SPEC section 11, CONTRACT): the shipped rule sets and the
one in force; what another set (shipped, or a TOML file being drafted) would change, computed without writing.
`healthcode rules use` switches the set in force as the 赋码规则 page does (rules/in_force.py `switch`)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer

rules_app = typer.Typer(help="赋码规则", no_args_is_help=True)
JsonFlag = Annotated[bool, typer.Option("--json", help="以 JSON 输出")]


def rule_set_json(ruleset: Any, current: str) -> dict[str, Any]:
    return {"id": ruleset.id, "name": ruleset.name, "in_force": ruleset.id == current, "colors": list(ruleset.colors),
            "color_labels": dict(ruleset.color_labels),
            "rules": [{"id": r.id, "kind": r.kind, "title": r.title, "color": r.color, "window_days": r.window_days,
                       "sources": list(r.sources), "statuses": list(r.statuses)} for r in ruleset.rules]}


@rules_app.command("list")
def rules_list(as_json: JsonFlag = False) -> None:
    """列出随平台提供的赋码规则集及现行规则集。"""
    from healthcode import cli
    from healthcode.db import transaction
    from healthcode.rules.in_force import in_force_id
    from healthcode.rules.ruleset import RULE_SETS

    settings = cli._start()
    with transaction(cli._engine(settings)) as session:
        current = in_force_id(session, settings)
    if as_json:
        cli._print_json({"in_force": current, "default": settings.rule_set,
                         "rule_sets": [rule_set_json(r, current) for r in RULE_SETS.values()]})
        return
    for ruleset in RULE_SETS.values():
        mark = "（现行）" if ruleset.id == current else ""
        colors = "、".join(ruleset.color_labels[c] for c in ruleset.colors)
        typer.echo(f"{ruleset.id}{mark}  {ruleset.name}  {colors}")
        for rule in ruleset.rules:
            window = f"{rule.window_days}天" if rule.window_days else "-"
            typer.echo(f"    {rule.id:<18} {ruleset.color_labels[rule.color]}  {window:<4} {rule.title}")


@rules_app.command("what-if")
def rules_what_if(
    rule_set_or_file: Annotated[str, typer.Argument(metavar="RULE_SET_OR_FILE",
                                                    help="规则集编号（如 fj-2021-09）或 TOML 规则文件路径")],
    day: Annotated[str | None, typer.Option("--day", help="评估日期 YYYY-MM-DD（默认今天）")] = None,
    as_json: JsonFlag = False,
) -> None:
    """预览：若改用另一规则集，被数据源点名的居民中有多少人颜色会改变（不写入任何数据）。"""
    from healthcode import cli, clock
    from healthcode.db import session_factory
    from healthcode.errors import DomainError
    from healthcode.rules.what_if import what_if

    settings = cli._start()
    try:
        on_day = date.fromisoformat(day) if day is not None else clock.today()
    except ValueError:
        cli._fail(f"日期格式应为 YYYY-MM-DD：{day}")
    try:
        candidate = candidate_rule_set(rule_set_or_file)
        engine = cli._engine(settings)
        with session_factory(engine)() as session, _progress(candidate.id, not as_json and sys.stderr.isatty()) as on:
            try:
                result = what_if(session, settings, candidate, on_day, on_progress=on)
            finally:
                session.rollback()  # a what-if changes nothing, whatever happened
    except DomainError as exc:
        cli._fail(exc.message)
    if as_json:
        cli._print_json(result.as_json())
    else:
        typer.echo(result.summary())


@rules_app.command("use")
def rules_use(
    rule_set_id: Annotated[str, typer.Argument(metavar="RULE_SET_ID", help="规则集编号（如 fj-2021-09）")],
    operator: Annotated[str, typer.Option(
        "--operator", help="操作人：疫情防控指挥部的单位管理员账号（统一社会信用代码）或具名用户的用户名")],
    yes: Annotated[bool, typer.Option("--yes", help="不显示影响预览、不再确认，直接切换")] = False,
) -> None:
    """切换现行赋码规则集（同“赋码规则”页面）：先显示影响预览并确认；记入切换历史和问责记录，其他进程10秒内生效。"""
    from healthcode import cli, clock
    from healthcode.db import session_factory, transaction
    from healthcode.errors import DomainError
    from healthcode.orgs.users import authority_account
    from healthcode.rules import in_force
    from healthcode.rules.errors import AlreadyInForce
    from healthcode.rules.ruleset import get_rule_set
    from healthcode.rules.what_if import what_if

    settings = cli._start()
    engine = cli._engine(settings)
    try:
        # Checked and previewed in a transaction that writes nothing and is not held while the operator reads.
        with session_factory(engine)() as session:
            try:
                authority_account(session, operator, settings.authority_usccs)
                candidate = get_rule_set(rule_set_id.strip())
                current = in_force.in_force_id(session, settings)
                if candidate.id == current:
                    raise AlreadyInForce(f"赋码规则集 {candidate.id} 已在执行中，无需切换")
                figures = what_if(session, settings, candidate, clock.today())  # stored with the switch
            finally:
                session.rollback()
        if not yes:
            typer.echo(figures.summary())
            if not typer.confirm(f"确认将现行赋码规则由 {current} 切换为 {candidate.id}（{candidate.name}）？"):
                typer.echo("已取消，现行赋码规则未改变", err=True)
                raise typer.Exit(1)
        in_force.forget()  # read the set in force afresh: another switch meanwhile is not overwritten unseen
        with transaction(engine) as session:
            account, org = authority_account(session, operator, settings.authority_usccs)
            if in_force.in_force_id(session, settings) != current:
                raise AlreadyInForce("现行赋码规则集刚被他人切换，未执行本次切换，请重新查看后再试")
            done = in_force.switch(session, settings, candidate.id, operator=account.username, org_id=org.id,
                                   now=clock.now(), preview=figures.as_json())
    except DomainError as exc:
        cli._fail(exc.message)
    typer.echo(f"已将现行赋码规则由 {done.previous} 切换为 {done.rule_set}（{candidate.name}），"
               f"其他服务进程 {int(in_force.IN_FORCE_TTL_SECONDS)} 秒内生效")


def candidate_rule_set(name: str) -> Any:
    """A shipped set by id, else a TOML file (checked like the shipped ones)."""
    from healthcode.rules.loader import load_file
    from healthcode.rules.ruleset import RULE_SETS, get_rule_set

    if name in RULE_SETS:
        return get_rule_set(name)
    if name.endswith(".toml") or Path(name).exists():
        return load_file(Path(name))
    return get_rule_set(name)  # UnknownRuleSet: 未知的赋码规则集


@contextmanager
def _progress(name: str, enabled: bool) -> Iterator[Callable[[int], None] | None]:
    """The residents evaluated so far, drawn by rich on stderr (their number is not known beforehand)."""
    if not enabled:
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn("评估 {task.description}"), BarColumn(), TextColumn("{task.completed:,} 人"),
               TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task(name, total=None)
        yield lambda done: progress.update(task, completed=done)
