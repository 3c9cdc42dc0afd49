"""The health authority with its admin and two named users, and their actors for the manual flags' service."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from healthcode.manualflags.service import Actor
from healthcode.orgs.service import Created
from healthcode.orgs.users import add_user
from tests.checkpoints.factories import NOW, org

AUTHORITY_NAME = "省卫健委"


@dataclass(frozen=True)
class Authority:
    admin: Created  # the unit's own account (username: its USCC)
    first: Created  # 张审核 (named user)
    second: Created  # 李复核 (named user)
    actors: tuple[Actor, Actor, Actor]  # admin, first, second


def authority(db: Session, n: int = 9, *, now: datetime = NOW) -> Authority:
    admin = org(db, n, name=AUTHORITY_NAME)
    first = add_user(db, admin.org_id, username="zhangsh", name="张审核", now=now)
    second = add_user(db, admin.org_id, username="lifuhe", name="李复核", now=now)
    db.commit()
    ids = {c.username: _account_id(db, c.username) for c in (admin, first, second)}
    actors = (Actor(ids[admin.username], f"{AUTHORITY_NAME}（管理员）"),
              Actor(ids["zhangsh"], f"{AUTHORITY_NAME}（张审核）"), Actor(ids["lifuhe"], f"{AUTHORITY_NAME}（李复核）"))
    return Authority(admin, first, second, actors)


def _account_id(db: Session, username: str) -> int:
    from healthcode.accounts.repository import by_username

    account = by_username(db, username)
    assert account is not None
    return account.id
