"""A manual flag at the checkpoint: the scanner sees the colour as for any reason. On PostgreSQL the scan's one
statement computes it in SQL (rules/color_repository.py), held here to the rules' colour at each boundary of a flag's
days and states; on SQLite the scan in steps asks the rules."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select

from healthcode.checkpoints import repository
from healthcode.checkpoints.models import Scan
from healthcode.rules.manual_models import ManualFlag
from healthcode.rules.service import status_for
from tests.checkpoints.factories import NOW, add_point, issue, org, person, scan, scanner, token
from tests.manualflags.factories import authority

TODAY = NOW.date()
DAY = timedelta(days=1)


def _flag(db, n: int, proposer: int, approver: int) -> None:
    """Resident n's flag: state, first and last day, withdrawal, colour."""
    cases: dict[int, tuple[str, date | None, date, datetime | None, str]] = {
        1: ("approved", TODAY - 3 * DAY, TODAY + 3 * DAY, None, "orange"),
        2: ("approved", TODAY - 3 * DAY, TODAY, None, "orange"),  # its last day
        3: ("approved", TODAY - 3 * DAY, TODAY - DAY, None, "orange"),  # ended yesterday
        4: ("approved", TODAY, TODAY + DAY, None, "orange"),  # approved today
        5: ("withdrawn", TODAY - 3 * DAY, TODAY + 3 * DAY, NOW - timedelta(hours=1), "orange"),  # lifted today
        6: ("proposed", None, TODAY + 3 * DAY, None, "orange"),
        7: ("rejected", None, TODAY + 3 * DAY, None, "orange"),
        8: ("approved", TODAY - DAY, TODAY + DAY, None, "purple"),  # a colour the rule set lacks: its mildest
    }
    state, starts, ends, withdrawn, color = cases[n]
    db.add(ManualFlag(id_number=person_number(db, n), color=color, reason=f"测试标记{n}", ends_on=ends, state=state,
                      proposed_by=proposer, proposed_by_label="甲", proposed_at=NOW - 4 * DAY,
                      decided_by=approver if starts else None, decided_at=NOW - 3 * DAY if starts else None,
                      starts_on=starts, withdrawn_by=approver if withdrawn else None, withdrawn_at=withdrawn))
    db.commit()


COLOURS = {1: "orange", 2: "orange", 3: "green", 4: "orange", 5: "green", 6: "green", 7: "green", 8: "orange"}
RESIDENTS: dict[int, object] = {}


def person_number(db, n: int) -> str:
    return RESIDENTS[n].id_number  # type: ignore[attr-defined]


def test_the_scanner_sees_the_colour_of_a_manual_flag_as_the_rules_give_it(db, client, freeze, settings, monkeypatch):
    corrected: list[int] = []
    monkeypatch.setattr(repository, "set_scan_color", lambda session, scan_id, color: corrected.append(scan_id))
    freeze(NOW)
    _, first, second = authority(db).actors
    headers = token(client, scanner(db, org(db).username))
    point_id = add_point(client, headers)
    RESIDENTS.clear()
    for n in COLOURS:
        RESIDENTS[n] = person(db, n)
        _flag(db, n, first.account_id, second.account_id)

    answers = {n: scan(client, headers, point_id, issue(db, RESIDENTS[n], NOW).qr_text).json() for n in COLOURS}

    assert {n: a["color"] for n, a in answers.items()} == COLOURS
    assert {n: status_for(db, settings, person_number(db, n), NOW).color for n in COLOURS} == COLOURS
    stored = dict(db.execute(select(Scan.person_id, Scan.color)).all())
    assert {n: stored[RESIDENTS[n].id] for n in COLOURS} == COLOURS  # type: ignore[attr-defined]
    assert corrected == []  # on PostgreSQL the statement's colour was the rules' every time
    assert all("测试标记" not in str(a) for a in answers.values())  # the scanner sees the colour, not the reason
