"""`healthcode person history ID_NUMBER [--json]` (SPEC section 11), made here and registered by `cli.py`, which
hands it the command line's start-up, engine and failure (its tests replace the engine)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Annotated, Any, NoReturn

import typer


def person_history_command(start: Callable[[], Any], engine: Callable[[Any], Any],
                           fail: Callable[[str], NoReturn]) -> Callable[..., None]:
    def person_history(id_number: str,
                       as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出")] = False) -> None:
        """查询居民在保存期限内每一段健康码颜色、成立的规则及其数据来源，以及申诉、更正记录。"""
        from healthcode import clock
        from healthcode.common.ids import InvalidIdNumber, normalize_id_number
        from healthcode.db import transaction
        from healthcode.history.service import person_history as history_of
        from healthcode.history.views import summary

        settings = start()
        try:
            number = normalize_id_number(id_number, clock.today())
        except InvalidIdNumber as exc:
            fail(str(exc))
        with transaction(engine(settings)) as session:
            history = history_of(session, settings, number, clock.today())
        typer.echo(json.dumps(history.as_json(), ensure_ascii=False) if as_json else summary(history))

    return person_history
