"""Region epidemic levels (SPEC section 7): setting a county's level, level names and policies, and the most severe
region a resident has been in (SPEC section 8)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from healthcode import clock
from healthcode.regions import divisions, repository
from healthcode.regions.errors import InvalidLevel, InvalidPolicy, InvalidRegion
from healthcode.regions.models import RegionLevel, RegionPolicy

LEVEL_NAMES = {0: "无疫情区", 1: "零星散发疫情区", 2: "一般疫情区", 3: "较多病例疫情区"}
_SYMPTOMS = "发热、乏力、咳嗽、腹泻、结膜充血等不适症状"
DEFAULT_POLICIES: dict[int, tuple[str, str]] = {
    0: ("严防输入、统筹兼顾",
        f"无疫情区-全面恢复正常生产生活秩序，严防疫情输入。来自本区的人员凭绿码有序通行、正常上岗；对来自疫情较重地区的人员"
        f"落实健康监测，无{_SYMPTOMS}的可上岗。"),
    1: ("阻断传播、追踪管理",
        f"零星散发疫情区-从该区无确诊病例的乡镇（街道）“点对点”前往其他区域务工的人员，实行监督性医学观察，无{_SYMPTOMS}的"
        f"可上岗。"),
    2: ("严防扩散、阻断输出",
        f"一般疫情区-从该区前往其他区域的人员，须持绿码并经体温检测；来自有确诊病例的乡镇（街道）的人员，实行14天居家医学观察，"
        f"期满无{_SYMPTOMS}的方可上岗。"),
    3: ("严格防控、阻止扩散",
        f"较多病例疫情区-严格限制人员外出流动，确需离开的须经所在地疫情防控指挥部同意；抵达其他区域后实行14天集中或居家医学观察，"
        f"每日报告健康状况，期满无{_SYMPTOMS}的方可上岗。"),
}


@dataclass(frozen=True)
class Policy:
    level: int
    level_name: str
    headline: str
    text: str


@dataclass(frozen=True)
class LevelSet:
    code: str
    region_name: str
    level: int
    level_name: str
    set_at: datetime


@dataclass(frozen=True)
class MostSevere:
    code: str
    name: str
    level: int
    level_name: str
    policy: str
    policy_headline: str
    higher_than_here: bool

    def as_json(self) -> dict[str, object]:
        return {"code": self.code, "name": self.name, "level": self.level, "level_name": self.level_name,
                "policy": self.policy, "policy_headline": self.policy_headline,
                "higher_than_here": self.higher_than_here}


def level_name(level: int) -> str:
    return LEVEL_NAMES[level]


def county(code: str | None) -> divisions.Division:
    """The current county-level division with this 6-digit code, else Invalid with the reason in Chinese."""
    text = (code or "").strip()
    if len(text) != 6 or not text.isdigit():
        raise InvalidRegion(f"行政区划代码“{text}”无效：应为6位数字")
    division = divisions.get(text)
    if division is None:
        raise InvalidRegion(f"行政区划代码 {text} 不存在")
    if division.rank != 2 or division.name == "市辖区":
        raise InvalidRegion(f"{divisions.full_name(text) or text}（{text}）不是县级行政区，请填写县（市、区）的代码")
    if not division.current:
        raise InvalidRegion(f"行政区划代码 {text}（{division.name}）已撤销")
    return division


def set_level(session: Session, code: str, level: int, operator: str, now: datetime | None = None) -> LevelSet:
    """Sets a county's level (0–3); the previous levels stay in the history."""
    division = county(code)
    if not isinstance(level, int) or level not in LEVEL_NAMES:
        names = "，".join(f"{k} {v}" for k, v in LEVEL_NAMES.items())
        raise InvalidLevel(f"疫情区等级必须是0–3之间的整数（{names}）")
    at = now or clock.now()
    session.add(RegionLevel(code=division.code, level=level, set_by=operator, set_at=at))
    session.flush()
    return LevelSet(division.code, divisions.short_name(division.code), level, LEVEL_NAMES[level], at)


def current_level(session: Session, code: str) -> int:
    return repository.current_levels(session, [code]).get(code, 0)


def levels_in_force(session: Session) -> dict[str, int]:
    """The regions whose current level is above 0 (the rest are 无疫情区)."""
    return {code: level for code, level in repository.all_current_levels(session).items() if level > 0}


def history(session: Session, code: str) -> list[RegionLevel]:
    return repository.history(session, county(code).code)


def current_levels(session: Session, codes: Iterable[str]) -> dict[str, int]:
    """Every code's current level, 0 for a code never set."""
    wanted = set(codes)
    found = repository.current_levels(session, wanted)
    return {code: found.get(code, 0) for code in wanted}


def policies(session: Session) -> dict[int, Policy]:
    edited = repository.edited_policies(session)
    return {level: _policy(level, edited.get(level)) for level in LEVEL_NAMES}


def set_policy(session: Session, level: int, headline: str, text: str, operator: str,
               now: datetime | None = None) -> Policy:
    if level not in LEVEL_NAMES:
        raise InvalidLevel()
    headline, text = headline.strip(), text.strip()
    if not headline or len(headline) > 100:
        raise InvalidPolicy("防控策略标题不能为空，且不超过100个字")
    if not text or len(text) > 2000:
        raise InvalidPolicy("防控策略内容不能为空，且不超过2000个字")
    row = repository.policy_row(session, level)
    at = now or clock.now()
    if row is None:
        session.add(RegionPolicy(level=level, headline=headline, text=text, updated_by=operator, updated_at=at))
    else:
        row.headline, row.text, row.updated_by, row.updated_at = headline, text, operator, at
    session.flush()
    return Policy(level, LEVEL_NAMES[level], headline, text)


def most_severe_region(session: Session, visits: Iterable[tuple[str, datetime | None]],
                       here_code: str | None) -> MostSevere | None:
    """The visited region whose current level is highest (ties: the most recently visited; an unknown time, such as
    the initial region's, counts as the oldest), compared with the level of `here_code`. None when no region."""
    last_visit = _last_visits(visits)
    if not last_visit:
        return None
    found, edited = repository.levels_and_edited_policies(session, [*last_visit, *([here_code] if here_code else [])])
    return _most_severe(last_visit, here_code, found, edited)


def most_severe_of(visits: Iterable[tuple[str, datetime | None]], here_code: str | None, levels: dict[str, int],
                   edited: dict[int, tuple[str, str]]) -> MostSevere | None:
    """`most_severe_region` on levels read already: the current level of (at least) every visited code and of
    `here_code` that has one, and every edited policy as {level: (headline, text)} (the one-statement scan)."""
    last_visit = _last_visits(visits)
    return _most_severe(last_visit, here_code, levels, edited) if last_visit else None


def _last_visits(visits: Iterable[tuple[str, datetime | None]]) -> dict[str, datetime]:
    last_visit: dict[str, datetime] = {}
    for code, at in visits:
        if not code:
            continue
        moment = at or datetime.min
        if code not in last_visit or moment > last_visit[code]:
            last_visit[code] = moment
    return last_visit


def _most_severe(last_visit: dict[str, datetime], here_code: str | None, found: dict[str, int],
                 edited: dict[int, tuple[str, str]]) -> MostSevere:
    code = max(last_visit, key=lambda c: (found.get(c, 0), last_visit[c]))
    level = found.get(code, 0)
    headline, text = edited.get(level) or DEFAULT_POLICIES[level]
    here_level = found.get(here_code, 0) if here_code else 0
    return MostSevere(code, divisions.short_name(code), level, LEVEL_NAMES[level], text, headline, level > here_level)


def _policy(level: int, edited: RegionPolicy | None) -> Policy:
    if edited is not None:
        return Policy(level, LEVEL_NAMES[level], edited.headline, edited.text)
    headline, text = DEFAULT_POLICIES[level]
    return Policy(level, LEVEL_NAMES[level], headline, text)
