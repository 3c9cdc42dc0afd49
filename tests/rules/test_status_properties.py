"""Properties of the pure status function, checked over generated flags (hypothesis)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from healthcode.rules.flags import ArrivalFact, CaseFact, ClosureFact, DatedFact, Flags
from healthcode.rules.ruleset import FJ_2020_02
from healthcode.rules.status import evaluate

ID = "350102199001010010"
FIRST, LAST = date(2020, 1, 1), date(2020, 4, 30)
days = st.dates(min_value=FIRST, max_value=LAST)
dated = st.builds(DatedFact, days)
arrivals = st.builds(ArrivalFact, days, st.sampled_from(["湖北省武汉市", "浙江省温州市"]), st.booleans())
cases = st.builds(CaseFact, st.sampled_from(["confirmed", "suspected", "cleared"]),
                  st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2020, 4, 30)))


@st.composite
def closures(draw: st.DrawFn) -> ClosureFact:
    starts = draw(days)
    ends = draw(st.none() | st.dates(min_value=starts, max_value=LAST))
    return ClosureFact(draw(st.sampled_from(["软件园社区", "金山小区"])), starts, ends)


def small(strategy: st.SearchStrategy) -> st.SearchStrategy:
    return st.lists(strategy, max_size=4).map(tuple)


flags_strategy = st.builds(Flags, st.just(ID), cases=small(cases), close_contacts=small(dated),
                           computed_contacts=small(dated), arrivals=small(arrivals), closures=small(closures()),
                           fever_clinic_visits=small(dated), fever_drug_purchases=small(dated))
DATED_FIELDS = ["close_contacts", "computed_contacts", "fever_clinic_visits", "fever_drug_purchases"]


@given(flags_strategy, days)
def test_colour_is_orange_exactly_when_there_are_reasons(flags, today):
    result = evaluate(flags, today, FJ_2020_02)
    assert (result.color == "orange") == bool(result.reasons)
    assert result.color in ("green", "orange")


@given(flags_strategy, days)
def test_every_reason_holds_today_within_since_and_until_and_rules_are_unique(flags, today):
    result = evaluate(flags, today, FJ_2020_02)
    for reason in result.reasons:
        assert reason.since <= today
        assert reason.until is None or reason.since <= today <= reason.until
    assert len({r.rule for r in result.reasons}) == len(result.reasons)


@given(st.sampled_from(DATED_FIELDS), days, days)
def test_a_windowed_event_holds_exactly_on_its_day_and_the_13_days_after(field, event_day, today):
    flags = replace(Flags(ID), **{field: (DatedFact(event_day),)})
    result = evaluate(flags, today, FJ_2020_02)
    assert (result.color == "orange") == (0 <= (today - event_day).days <= 13)
    if result.reasons:
        assert (result.reasons[0].since, result.reasons[0].until) == (event_day, event_day + timedelta(days=13))


@given(flags_strategy, days, st.sampled_from(DATED_FIELDS + ["arrivals", "closures"]), st.data())
def test_adding_a_fact_never_removes_a_reason(flags, today, field, data):
    extra = data.draw({"arrivals": arrivals, "closures": closures()}.get(field, dated))
    before = evaluate(flags, today, FJ_2020_02)
    after = evaluate(replace(flags, **{field: getattr(flags, field) + (extra,)}), today, FJ_2020_02)
    assert {r.rule for r in before.reasons} <= {r.rule for r in after.reasons}
    assert not (before.color == "orange" and after.color == "green")


@settings(max_examples=200)
@given(flags_strategy, days)
def test_until_is_the_last_day_a_reason_holds_when_nothing_new_arrives(flags, today):
    # Only facts known today (nothing dated later), so the future brings nothing new.
    def known(facts):
        return tuple(f for f in facts if f.on <= today)
    flags = replace(flags, cases=tuple(c for c in flags.cases if c.reported_at < datetime.combine(today, time.max)),
                    arrivals=known(flags.arrivals), closures=tuple(c for c in flags.closures if c.starts_on <= today),
                    **{f: known(getattr(flags, f)) for f in DATED_FIELDS})
    for reason in evaluate(flags, today, FJ_2020_02).reasons:
        if reason.until is None:
            continue
        assert reason.rule in {r.rule for r in evaluate(flags, reason.until, FJ_2020_02).reasons}
        day_after = evaluate(flags, reason.until + timedelta(days=1), FJ_2020_02)
        assert reason.rule not in {r.rule for r in day_after.reasons}
