"""Hot / major criteria as pure functions (SPEC M3, P-12, P-29, T-08, T-11, Appendix B #7 #8 #17 #20)."""
from __future__ import annotations

import datetime as dt

from apps.escalation import rules as r
from linli.clock import SHANGHAI

T = r.Thresholds()
RECEIVED = dt.datetime(2026, 10, 31, 9, 30, tzinfo=SHANGHAI)


def ids(facts: r.Facts, now: dt.datetime) -> set[str]:
    return {f.rule_id for f in r.findings(facts, T, now=now)}


def test_r_m3_03a_b_litigation_and_media_exposure_are_major() -> None:
    now = RECEIVED + dt.timedelta(hours=1)
    assert ids(r.Facts(RECEIVED, litigation=True), now) == {"R-M3-03a"}
    found = r.findings(r.Facts(RECEIVED, media_exposed=True), T, now=now)
    assert r.level_of(found) == r.MAJOR and found[0].met_at == now


def test_r_m3_02c_03c_collective_three_is_hot_ten_is_major_t_11_inclusive() -> None:
    now = RECEIVED
    assert ids(r.Facts(RECEIVED, collective=True, people_count=2), now) == set()
    assert ids(r.Facts(RECEIVED, collective=True, people_count=3), now) == {"R-M3-02c"}
    assert ids(r.Facts(RECEIVED, collective=True, people_count=9), now) == {"R-M3-02c"}
    ten = r.findings(r.Facts(RECEIVED, collective=True, people_count=10), T, now=now)
    assert {f.rule_id for f in ten} == {"R-M3-03c", "R-M3-02c"} and r.level_of(ten) == r.MAJOR
    # people_count without the collective flag is not a collective complaint
    assert ids(r.Facts(RECEIVED, collective=False, people_count=12), now) == set()


def test_r_m3_02a_risk_flag_is_hot() -> None:
    assert ids(r.Facts(RECEIVED, media_or_litigation_risk=True), RECEIVED) == {"R-M3-02a"}


def test_r_m3_02b_three_distinct_complainants_is_hot() -> None:
    assert ids(r.Facts(RECEIVED, distinct_complainants=2), RECEIVED) == set()
    assert ids(r.Facts(RECEIVED, distinct_complainants=3), RECEIVED) == {"R-M3-02b"}


def test_r_m3_02d_unresolved_one_week_t_08_seven_times_24_hours() -> None:
    week = RECEIVED + dt.timedelta(days=7)
    assert ids(r.Facts(RECEIVED), week - dt.timedelta(seconds=1)) == set()
    found = r.findings(r.Facts(RECEIVED), T, now=week)
    assert [f.rule_id for f in found] == ["R-M3-02d"] and found[0].met_at == week
    # resolved before the mark → never hot; resolved after the mark → it was hot
    assert ids(r.Facts(RECEIVED, resolved_at=week - dt.timedelta(hours=1)), week + dt.timedelta(days=3)) == set()
    assert ids(r.Facts(RECEIVED, resolved_at=week + dt.timedelta(hours=1)), week + dt.timedelta(days=3)) == {"R-M3-02d"}


def test_r_m3_05_time_criteria_count_only_for_our_side_appendix_b_8() -> None:
    later = RECEIVED + dt.timedelta(days=60)
    assert ids(r.Facts(RECEIVED, our_side=False), later) == set()
    assert ids(r.Facts(RECEIVED, our_side=True), later) == {"R-M3-02d", "R-M3-03d"}


def test_r_m3_03d_unresolved_one_month_clamped_t_08() -> None:
    """2026-10-31 + 1 month = 2026-11-30 at the same time of day (clamped)."""
    mark = dt.datetime(2026, 11, 30, 9, 30, tzinfo=SHANGHAI)
    assert "R-M3-03d" not in ids(r.Facts(RECEIVED), mark - dt.timedelta(minutes=1))
    found = {f.rule_id: f for f in r.findings(r.Facts(RECEIVED), T, now=mark)}
    assert found["R-M3-03d"].met_at == mark
    assert r.add_months(dt.datetime(2026, 1, 31, 8, tzinfo=SHANGHAI), 1) == dt.datetime(2026, 2, 28, 8, tzinfo=SHANGHAI)


def test_r_m3_01_levels_only_go_up_appendix_b_20() -> None:
    assert r.raises(r.NONE, r.HOT) and r.raises(r.HOT, r.MAJOR)
    assert not r.raises(r.MAJOR, r.HOT) and not r.raises(r.HOT, r.HOT) and not r.raises(r.HOT, r.NONE)
    assert r.level_of([]) == r.NONE


def test_r_m3_06_08_09_report_duties_and_appendix_b_17() -> None:
    met = dt.datetime(2026, 11, 27, 16, 0, tzinfo=SHANGHAI)  # a Friday
    hot = r.report_duties(r.HOT, met, T, add_working_days=r.weekday_add_working_days)
    assert [(d.kind, d.due_at) for d in hot] == [("hot_report", met + dt.timedelta(hours=4))]
    major = {d.kind: d.due_at for d in r.report_duties(r.MAJOR, met, T, add_working_days=r.weekday_add_working_days)}
    assert major["hot_report"] == major["major_group_report"] == met + dt.timedelta(hours=4)  # B #17
    assert major["major_quality_report"] == dt.datetime(2026, 11, 30, 23, 59, 59, tzinfo=SHANGHAI)  # next WD, T-04


def test_r_m3_04_window_p_29_rolling_calendar_and_30_days() -> None:
    newest = dt.datetime(2026, 3, 31, 20, 0, tzinfo=SHANGHAI)
    assert r.window_start(newest) == dt.datetime(2026, 2, 28, 20, 0, tzinfo=SHANGHAI)
    assert r.window_start(newest, mode=r.CALENDAR_MONTH) == dt.datetime(2026, 3, 1, 0, 0, tzinfo=SHANGHAI)
    assert r.window_start(newest, mode=r.ROLLING_30_DAYS) == dt.datetime(2026, 3, 1, 20, 0, tzinfo=SHANGHAI)


def test_r_m3_04_distinct_complainants_per_household_or_person_not_per_ticket() -> None:
    members = [
        r.Complainant(1, household_id=10, person_id=100),
        r.Complainant(2, household_id=10, person_id=101),  # spouse, same household
        r.Complainant(3, household_id=10, person_id=100),  # same person again
        r.Complainant(4, person_id=200),
        r.Complainant(5, phone="138 0000 1111"),
        r.Complainant(6, phone="13800001111"),  # same phone
        r.Complainant(7, anonymous=True),  # anonymous: not counted …
        r.Complainant(8, anonymous=True, marked_distinct=True),  # … unless staff mark it distinct
    ]
    assert r.distinct_complainants(members) == 4


def test_warn_at_is_75_percent_of_the_way() -> None:
    start = dt.datetime(2026, 11, 23, 8, 0, tzinfo=SHANGHAI)
    assert r.warn_at(start, start + dt.timedelta(hours=4), 0.75) == start + dt.timedelta(hours=3)
