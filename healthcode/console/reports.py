"""数据报表: daily statistics per unit and scan point (scans, orange codes, abnormal temperatures, by hour), built by
`build_daily_reports` into aggregates, and their roll-up along the org hierarchy. A superior unit sees its
subordinates' totals, never their residents' rows: the reports read only the aggregates."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from healthcode import clock
from healthcode.console import reports_repository as repo
from healthcode.console.models import ReportBuild
from healthcode.console.repository import org_tree
from healthcode.orgs.errors import OrgNotFound

# Today's aggregates are rebuilt when older than this, on view; past days once (and by `healthcode reports build`).
TODAY_FRESHNESS = timedelta(minutes=5)
TREND_DAYS = 14


@dataclass(frozen=True)
class Totals:
    scans: int = 0
    orange: int = 0
    abnormal: int = 0

    def __add__(self, other: Totals) -> Totals:
        return Totals(self.scans + other.scans, self.orange + other.orange, self.abnormal + other.abnormal)


def build_daily_reports(session: Session, day: date) -> int:
    """Computes the day's aggregates from the scans (replacing earlier ones); returns the aggregate rows."""
    rows = repo.rebuild_day(session, day)
    repo.mark_built(session, day, clock.now(), rows)
    return rows


def complete_before_purge(session: Session, days: Sequence[date]) -> int:
    """Builds the aggregates of each day not built since it ended: `healthcode purge` runs this before the day's
    scans go (deleted, or their partition dropped), so that its reports outlive them even when no console view and
    no `healthcode reports build` came by. Returns the days built."""
    built = 0
    for day in days:
        build = repo.build_of(session, day)
        if build is None or build.built_at < datetime.combine(day + timedelta(days=1), datetime.min.time()):
            repo.lock_builds(session)
            build_daily_reports(session, day)
            built += 1
    return built


def ensure_built(session: Session, day: date) -> None:
    """Builds the day (and the day before, completed overnight) unless already built: run on console views. Two
    views at once build it once: the second waits for the first's turn and then finds the day built."""
    now = clock.now()
    for d in (day - timedelta(days=1), day):
        if _stale(repo.build_of(session, d), d, now):
            repo.lock_builds(session)
            if _stale(repo.build_of(session, d, fresh=True), d, now):
                build_daily_reports(session, d)


def _stale(build: ReportBuild | None, day: date, now: datetime) -> bool:
    complete_after = datetime.combine(day + timedelta(days=1), datetime.min.time())
    return build is None or (build.built_at < complete_after and now - build.built_at > TODAY_FRESHNESS)


def subtree(session: Session, org_id: int) -> dict[int, list[int]]:
    """Each direct subordinate of the unit mapped to the ids of its whole subtree (itself included)."""
    tree = org_tree(session)
    kids: dict[int | None, list[int]] = {}
    for oid, parent, _name, _uscc in tree:
        kids.setdefault(parent, []).append(oid)

    def walk(root: int) -> list[int]:
        found, stack = [], [root]
        while stack:
            node = stack.pop()
            if node in found:  # a cycle in bad data must not hang the page
                continue
            found.append(node)
            stack.extend(kids.get(node, []))
        return found

    return {child: walk(child) for child in kids.get(org_id, [])}


def names(session: Session) -> dict[int, str]:
    return {oid: name for oid, _parent, name, _uscc in org_tree(session)}


def visible_org(session: Session, viewer_org_id: int, org_id: int | None) -> int:
    """The unit whose report is asked for: the viewer's own, or one in its subtree; else 'not found'."""
    if org_id is None or org_id == viewer_org_id:
        return viewer_org_id
    if any(org_id in ids for ids in subtree(session, viewer_org_id).values()):
        return org_id
    raise OrgNotFound("该单位不是本单位或下级单位")


def unit_day(session: Session, org_id: int, day: date) -> dict[str, Any]:
    """The unit's own figures of the day: totals, by hour, by scan point."""
    hours = repo.by_hour(session, [org_id], day)
    points = [{"id": r.id, "label": f"{r.community} {r.name}", "scans": int(r.scans or 0),
               "orange": int(r.orange or 0), "abnormal": int(r.abnormal or 0)} for r in repo.by_point(session, org_id,
                                                                                                       day)]
    total = Totals()
    for s, o, a in hours.values():
        total += Totals(s, o, a)
    return {"total": total, "points": points,
            "hours": {"scans": [hours.get(h, (0, 0, 0))[0] for h in range(24)],
                      "orange": [hours.get(h, (0, 0, 0))[1] for h in range(24)],
                      "abnormal": [hours.get(h, (0, 0, 0))[2] for h in range(24)]}}


def live_today(session: Session, org_id: int, now: datetime) -> Totals:
    """The unit's own figures of today up to `now`, counted from the scans (not the aggregates, which may be up to
    TODAY_FRESHNESS old): the home page's 今日扫码 agrees with the list of records under it."""
    since = datetime.combine(now.date(), datetime.min.time())
    return Totals(*repo.live_totals(session, org_id, since, now))


def as_of(session: Session, day: date) -> datetime | None:
    """When the day's aggregates were counted, while the day was not over yet (the report says "截至" that time);
    None for a day counted after it ended (complete) or not counted."""
    build = repo.build_of(session, day)
    if build is None or build.built_at >= datetime.combine(day + timedelta(days=1), datetime.min.time()):
        return None
    return build.built_at


def rollup(session: Session, org_id: int, day: date) -> dict[str, Any]:
    """The unit's own totals, each direct subordinate's subtree totals, and the sum of all (the roll-up)."""
    tree = subtree(session, org_id)
    all_ids = [org_id, *(i for ids in tree.values() for i in ids)]
    per_org: dict[int, Totals] = {}
    for oid, _day, s, o, a in repo.by_org(session, all_ids, day, day):
        per_org[oid] = per_org.get(oid, Totals()) + Totals(int(s or 0), int(o or 0), int(a or 0))
    label = names(session)
    own = per_org.get(org_id, Totals())
    children: list[dict[str, Any]] = []
    for child, ids in sorted(tree.items(), key=lambda kv: label.get(kv[0], "")):
        total = Totals()
        for i in ids:
            total += per_org.get(i, Totals())
        children.append({"id": child, "name": label.get(child, ""), "units": len(ids), "total": total})
    grand = own
    for c in children:
        grand += c["total"]
    return {"own": own, "children": children, "grand": grand}


def trend(session: Session, org_id: int, last: date, days: int = TREND_DAYS) -> dict[str, list[Any]]:
    """Daily totals of the unit and its whole subtree over the last `days` days (for the trend chart)."""
    ids = [org_id, *(i for v in subtree(session, org_id).values() for i in v)]
    first = last - timedelta(days=days - 1)
    per_day: dict[date, Totals] = {}
    for _oid, d, s, o, a in repo.by_org(session, ids, first, last):
        per_day[d] = per_day.get(d, Totals()) + Totals(int(s or 0), int(o or 0), int(a or 0))
    dates = [first + timedelta(days=i) for i in range(days)]
    return {"days": [d.isoformat() for d in dates], "scans": [per_day.get(d, Totals()).scans for d in dates],
            "orange": [per_day.get(d, Totals()).orange for d in dates],
            "abnormal": [per_day.get(d, Totals()).abnormal for d in dates]}


EXPORT_HEADER = ("日期", "单位", "扫码点", "扫码次数", "橙码次数", "体温异常次数")


def export_rows(session: Session, org_id: int, org_name: str, day: date) -> list[tuple[Any, ...]]:
    """The report of the day as rows: each scan point of the unit, the unit's total, each subordinate's total."""
    own = unit_day(session, org_id, day)
    up = rollup(session, org_id, day)
    rows: list[tuple[Any, ...]] = [(day.isoformat(), org_name, p["label"], p["scans"], p["orange"], p["abnormal"])
                                   for p in own["points"]]
    rows.append((day.isoformat(), org_name, "本单位合计", up["own"].scans, up["own"].orange, up["own"].abnormal))
    for c in up["children"]:
        t = c["total"]
        rows.append((day.isoformat(), c["name"], f"下级单位合计（{c['units']}个单位）", t.scans, t.orange, t.abnormal))
    g = up["grand"]
    rows.append((day.isoformat(), org_name, "含下级单位总计", g.scans, g.orange, g.abnormal))
    return rows
