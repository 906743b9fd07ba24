"""The pure deadline arithmetic (apps.workdays.calendar) against a naive day-by-day reference and the
official 2025/2026 schedule (SPEC T-03…T-12, P-02, P-26, P-27, P-28, Appendix C). No database."""
from __future__ import annotations

import datetime as dt

import pytest
from chinese_calendar import constants
from hypothesis import given, settings
from hypothesis import strategies as st

from apps.workdays import calendar as wc

SH = wc.SHANGHAI
HOURS = wc.WorkingHours()
PKG_YEARS = frozenset(d.year for d in constants.holidays)
CAL = wc.WorkCalendar(holidays=constants.holidays, workdays=constants.workdays, covered_years=PKG_YEARS)


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=SH)


def eod(y: int, m: int, d: int) -> dt.datetime:
    return at(y, m, d, 23, 59, 59)


# ---------------------------------------------------------------- the naive reference
def ref_is_working(d: dt.date) -> bool:
    if d in constants.workdays:
        return True
    if d in constants.holidays:
        return False
    return d.weekday() < 5


def ref_add_working_days(start: dt.datetime, n: int) -> dt.date:
    d, left = start.astimezone(SH).date(), n
    while left:
        d += dt.timedelta(days=1)
        if ref_is_working(d):
            left -= 1
    return d


def ref_working_minute(t: dt.datetime) -> bool:
    """Is the minute [t, t+1min) working time? (working day, 09:00–12:00 or 13:30–18:00)"""
    if not ref_is_working(t.date()):
        return False
    m = t.hour * 60 + t.minute
    return 9 * 60 <= m < 12 * 60 or 13 * 60 + 30 <= m < 18 * 60


def ref_add_working_minutes(start: dt.datetime, minutes: int) -> dt.datetime:
    t, left = start.astimezone(SH), minutes
    while left:
        if ref_working_minute(t):
            left -= 1
        t += dt.timedelta(minutes=1)
    return t


# moments between 2024 and 2026 (package-covered), at whole minutes
# (hypothesis takes naive bounds; the values get the zone in the map)
moments = st.datetimes(min_value=dt.datetime(2024, 1, 1), max_value=dt.datetime(2026, 11, 30)).map(  # noqa: DTZ001
    lambda x: x.replace(second=0, microsecond=0, tzinfo=SH))


# ---------------------------------------------------------------- properties (hypothesis)
@settings(max_examples=300, deadline=None)
@given(moments, st.integers(min_value=0, max_value=25))
def test_t_04_add_working_days_matches_naive_reference(start: dt.datetime, n: int) -> None:
    due = wc.add_working_days(start, n, calendar=CAL)
    assert due == dt.datetime.combine(ref_add_working_days(start, n), wc.END_OF_DAY, tzinfo=SH)


@settings(max_examples=200, deadline=None)
@given(moments, st.integers(min_value=1, max_value=25))
def test_t_04_adding_then_counting_back_agrees_and_lands_on_a_working_day(start: dt.datetime, n: int) -> None:
    due, provisional = wc.add_working_days_p(start, n, CAL)
    assert wc.count_working_days(start, due, CAL) == n
    assert CAL.is_working_day(due.date())
    assert provisional == (due.year > 2026)  # T-03/P-25: only a date past the package's years is provisional


@settings(max_examples=200, deadline=None)
@given(moments, moments, st.integers(min_value=0, max_value=10), st.integers(min_value=0, max_value=10))
def test_t_04_monotonic_in_start_and_n(a: dt.datetime, b: dt.datetime, n: int, m: int) -> None:
    a, b = min(a, b), max(a, b)
    n, m = min(n, m), max(n, m)
    assert wc.add_working_days(a, n, calendar=CAL) <= wc.add_working_days(b, n, calendar=CAL)
    assert wc.add_working_days(a, n, calendar=CAL) <= wc.add_working_days(a, m, calendar=CAL)


@settings(max_examples=150, deadline=None)
@given(moments, st.integers(min_value=1, max_value=3 * 450))
def test_working_hours_match_minute_by_minute_reference(start: dt.datetime, minutes: int) -> None:
    due, _ = wc.add_working_hours(start, dt.timedelta(minutes=minutes), CAL)
    assert due == ref_add_working_minutes(start, minutes) or (
        # the reference steps past a closing instant; the engine stays at the period's end
        due < ref_add_working_minutes(start, minutes) and not ref_working_minute(due)
        and ref_add_working_minutes(start, minutes) == _next_working_start(due))
    assert wc.is_working_moment(due, CAL)


def _next_working_start(t: dt.datetime) -> dt.datetime:
    while not ref_working_minute(t):
        t += dt.timedelta(minutes=1)
    return t


@settings(max_examples=150, deadline=None)
@given(moments, st.integers(min_value=1, max_value=2000), st.integers(min_value=1, max_value=2000))
def test_working_hours_monotonic_and_never_on_rest_time(start: dt.datetime, x: int, y: int) -> None:
    x, y = min(x, y), max(x, y)
    dx, _ = wc.add_working_hours(start, dt.timedelta(minutes=x), CAL)
    dy, _ = wc.add_working_hours(start, dt.timedelta(minutes=y), CAL)
    assert start < dx <= dy
    assert wc.is_working_moment(dx, CAL) and wc.is_working_moment(dy, CAL)


@settings(max_examples=200, deadline=None)
@given(moments)
def test_p_02_rollover_is_a_working_day_not_before_the_literal_day(start: dt.datetime) -> None:
    literal, _ = wc.end_of_same_day(start, CAL, mode=wc.LITERAL)
    rolled, _ = wc.end_of_same_day(start, CAL, mode=wc.ROLLOVER)
    assert literal.date() == start.date() and literal <= rolled
    assert CAL.is_working_day(rolled.date())
    assert (rolled == literal) == (ref_is_working(start.date()) and start.time() < dt.time(18, 0))


@settings(max_examples=150, deadline=None)
@given(moments, st.integers(min_value=0, max_value=40))
def test_t_07_calendar_days_and_p_28_roll(start: dt.datetime, n: int) -> None:
    plain, _ = wc.add_calendar_days(start, n, CAL)
    assert plain == eod(*(start.date() + dt.timedelta(days=n)).timetuple()[:3])
    rolled, _ = wc.add_calendar_days(start, n, CAL, roll=True)
    assert rolled >= plain and CAL.is_working_day(rolled.date())
    assert all(not ref_is_working(plain.date() + dt.timedelta(days=k)) for k in range((rolled - plain).days))


# ---------------------------------------------------------------- Appendix C tables
@pytest.mark.parametrize(("start", "n", "due"), [
    # 2025 国庆+中秋: 10-01…10-08 off, 09-28 (Sun) and 10-11 (Sat) work (AS-01, AS-02)
    (at(2025, 9, 30, 10, 0), 1, eod(2025, 10, 9)),
    (at(2025, 9, 30, 10, 0), 2, eod(2025, 10, 10)),
    (at(2025, 9, 27, 15, 0), 1, eod(2025, 9, 28)),
    (at(2025, 9, 27, 15, 0), 2, eod(2025, 9, 29)),
    (at(2025, 10, 3, 23, 0), 1, eod(2025, 10, 9)),
    (at(2025, 10, 10, 9, 0), 1, eod(2025, 10, 11)),
    (at(2025, 10, 10, 9, 0), 2, eod(2025, 10, 13)),
    # 2026 春节: 02-15…02-23 off, 02-14 (Sat) and 02-28 (Sat) work (AS-03)
    (at(2026, 2, 12, 11, 0), 3, eod(2026, 2, 24)),
    (at(2026, 2, 13, 11, 0), 1, eod(2026, 2, 14)),
    (at(2026, 2, 14, 11, 0), 1, eod(2026, 2, 24)),
    (at(2026, 2, 27, 17, 0), 1, eod(2026, 2, 28)),
    (at(2026, 2, 28, 17, 0), 1, eod(2026, 3, 2)),
    # 2026 中秋 09-25…09-27 and 国庆 10-01…10-07; 09-20 (Sun) and 10-10 (Sat) work
    (at(2026, 9, 18, 10, 0), 1, eod(2026, 9, 20)),
    (at(2026, 9, 24, 10, 0), 1, eod(2026, 9, 28)),
    (at(2026, 9, 30, 10, 0), 1, eod(2026, 10, 8)),
    (at(2026, 10, 9, 10, 0), 1, eod(2026, 10, 10)),
    (at(2026, 10, 9, 10, 0), 2, eod(2026, 10, 12)),
    # 2026 元旦 01-01…01-03 off, 01-04 (Sun) works
    (at(2025, 12, 31, 10, 0), 1, eod(2026, 1, 4)),
])
def test_t_03_t_04_appendix_c_working_days(start: dt.datetime, n: int, due: dt.datetime) -> None:
    assert wc.add_working_days_p(start, n, CAL) == (due, False)


def test_t_03_appendix_c_package_checks() -> None:
    for day, working in [((2025, 9, 28), True), ((2025, 10, 8), False), ((2025, 10, 11), True),
                         ((2026, 2, 14), True), ((2026, 10, 10), True), ((2026, 5, 9), True),
                         ((2026, 6, 19), False), ((2026, 10, 3), False)]:
        assert CAL.is_working_day(dt.date(*day)) is working, day


def test_t_04_utc_start_uses_the_local_day() -> None:
    """T-01: 2025-09-29 17:00 UTC is 2025-09-30 01:00 in Shanghai → the start day is 09-30."""
    start = dt.datetime(2025, 9, 29, 17, 0, tzinfo=dt.UTC)
    assert wc.add_working_days(start, 1, calendar=CAL) == eod(2025, 10, 9)


def test_p_26_start_day_counts_when_it_is_a_working_day() -> None:
    """AS-01 with P-26: reply 2025-10-09; a holiday start day never counts."""
    assert wc.add_working_days_p(at(2025, 9, 30, 10), 2, CAL, start_day_counts=True)[0] == eod(2025, 10, 9)
    assert wc.add_working_days_p(at(2025, 10, 3, 10), 1, CAL, start_day_counts=True)[0] == eod(2025, 10, 9)


def test_p_27_deadline_at_end_of_working_hours() -> None:
    assert wc.add_working_days_p(at(2025, 9, 30, 10), 2, CAL, end_of=wc.WORK_END)[0] == at(2025, 10, 10, 18, 0)


def test_t_05_p_02_same_day_literal_and_rollover() -> None:
    """AS-07 literal: 23:00 on a holiday → 23:59:59 that day; roll-over → first working day."""
    assert wc.end_of_same_day(at(2025, 10, 3, 23), CAL) == (eod(2025, 10, 3), False)
    assert wc.end_of_same_day(at(2025, 10, 3, 23), CAL, mode=wc.ROLLOVER) == (eod(2025, 10, 9), False)
    # R-M2-11(b): a post in working time (incl. before work and at lunch) → that day; after 18:00 → next day
    for t, due in [((2026, 3, 10, 10), (2026, 3, 10)), ((2026, 3, 10, 7), (2026, 3, 10)),
                   ((2026, 3, 10, 12, 30), (2026, 3, 10)), ((2026, 3, 10, 18), (2026, 3, 11)),
                   ((2025, 10, 2, 20, 15), (2025, 10, 9)), ((2025, 9, 27, 20), (2025, 9, 28))]:
        assert wc.end_of_same_day(at(*t), CAL, mode=wc.ROLLOVER)[0] == eod(*due), t


def test_t_06_clock_hours_run_through_nights_and_holidays() -> None:
    """AS-08: online post 2025-10-02 20:15 → courtesy reply by 10-03 00:15."""
    assert wc.add_clock_hours(at(2025, 10, 2, 20, 15), 4, CAL) == (at(2025, 10, 3, 0, 15), False)
    assert wc.add_clock_hours(at(2025, 10, 2, 20, 15), dt.timedelta(minutes=15), CAL)[0] == at(2025, 10, 2, 20, 30)


def test_t_07_calendar_days_and_p_28() -> None:
    assert wc.add_calendar_days(at(2025, 9, 29, 10), 2, CAL) == (eod(2025, 10, 1), False)
    assert wc.add_calendar_days(at(2025, 9, 29, 10), 2, CAL, roll=True) == (eod(2025, 10, 9), False)
    assert wc.add_calendar_days(at(2026, 2, 26, 10), 3, CAL, roll=True)[0] == eod(2026, 3, 2)  # Sun → Mon


def test_t_08_months_clamp_to_month_end() -> None:
    assert wc.add_months(at(2026, 1, 31, 10, 30), 1, CAL)[0] == at(2026, 2, 28, 10, 30)
    assert wc.add_months(at(2026, 11, 30, 9), 3, CAL)[0] == at(2027, 2, 28, 9)
    assert wc.add_months(at(2026, 5, 15, 9), 1, CAL)[0] == at(2026, 6, 15, 9)


def test_t_10_day_of_month_and_first_month_of_quarter() -> None:
    assert wc.day_of_month_deadline(2026, 2, 30, CAL) == (eod(2026, 2, 28), False)
    assert wc.next_day_of_month(at(2026, 3, 3, 10), 28, CAL)[0] == eod(2026, 3, 28)
    assert wc.next_day_of_month(at(2026, 3, 29, 10), 28, CAL)[0] == eod(2026, 4, 28)
    assert wc.next_day_of_month(at(2026, 12, 29, 10), 3, CAL)[0] == eod(2027, 1, 3)
    assert wc.first_month_of_quarter_deadline(at(2026, 2, 10), 15, CAL)[0] == eod(2026, 4, 15)
    assert wc.first_month_of_quarter_deadline(at(2026, 4, 3), 15, CAL)[0] == eod(2026, 4, 15)
    assert wc.first_month_of_quarter_deadline(at(2026, 11, 3), 15, CAL)[0] == eod(2027, 1, 15)
    # T-10 does not move for holidays; P-28 does
    assert wc.day_of_month_deadline(2026, 10, 3, CAL)[0] == eod(2026, 10, 3)
    assert wc.day_of_month_deadline(2026, 10, 3, CAL, roll=True)[0] == eod(2026, 10, 8)
    assert wc.end_of_month(at(2026, 2, 3, 10), CAL)[0] == eod(2026, 2, 28)


def test_t_12_half_working_day() -> None:
    """09:00–18:00 → 4 h 30 min of working time, lunch 12:00–13:30 excluded."""
    assert wc.half_working_day(at(2026, 3, 10, 9), CAL)[0] == at(2026, 3, 10, 15, 0)
    # Fri 2025-09-26 16:00: 2 h today, 2 h 30 left on the adjusted working Sunday 09-28
    assert wc.half_working_day(at(2025, 9, 26, 16), CAL)[0] == at(2025, 9, 28, 11, 30)
    # received on a holiday: counting starts when work resumes
    assert wc.half_working_day(at(2025, 10, 5, 10), CAL)[0] == at(2025, 10, 9, 15, 0)
    no_lunch = wc.WorkCalendar(holidays=constants.holidays, workdays=constants.workdays, covered_years=PKG_YEARS,
                               hours=wc.WorkingHours(lunch_start=None, lunch_end=None))
    assert wc.half_working_day(at(2026, 3, 10, 9), no_lunch)[0] == at(2026, 3, 10, 13, 30)


def test_working_hours_stay_at_the_closing_instant() -> None:
    assert wc.add_working_hours(at(2026, 3, 10, 9), 3, CAL)[0] == at(2026, 3, 10, 12, 0)
    assert wc.add_working_hours(at(2026, 3, 10, 17), 1, CAL)[0] == at(2026, 3, 10, 18, 0)
    assert wc.add_working_hours(at(2026, 3, 10, 17), 2, CAL)[0] == at(2026, 3, 11, 10, 0)
    assert wc.add_working_hours(at(2026, 3, 10, 12, 15), 1, CAL)[0] == at(2026, 3, 10, 14, 30)


# ---------------------------------------------------------------- year boundary / provisional year 2027
def test_p_25_year_boundary_2026_to_2027_is_provisional() -> None:
    assert wc.add_working_days_p(at(2026, 12, 30, 10), 1, CAL) == (eod(2026, 12, 31), False)
    due, provisional = wc.add_working_days_p(at(2026, 12, 31, 10), 1, CAL)
    assert (due, provisional) == (eod(2027, 1, 1), True)  # Monday–Friday rule: Fri 2027-01-01


def test_p_25_provisional_year_2027_uses_monday_to_friday() -> None:
    due, provisional = wc.add_working_days_p(at(2027, 3, 12, 10), 1, CAL)  # Fri → Mon
    assert (due, provisional) == (eod(2027, 3, 15), True)
    assert wc.end_of_same_day(at(2027, 3, 13, 10), CAL, mode=wc.ROLLOVER) == (eod(2027, 3, 15), True)
    assert wc.add_clock_hours(at(2027, 3, 13, 10), 4, CAL)[1] is False  # clock time needs no calendar
    assert wc.end_of_same_day(at(2027, 3, 13, 10), CAL) == (eod(2027, 3, 13), False)  # literal: no calendar


def test_p_25_imported_2027_holidays_make_it_official() -> None:
    cal = wc.WorkCalendar(holidays=set(constants.holidays) | {dt.date(2027, 1, 1)}, workdays=constants.workdays,
                          covered_years=PKG_YEARS | {2027})
    assert wc.add_working_days_p(at(2026, 12, 31, 10), 1, cal) == (eod(2027, 1, 4), False)


def test_far_future_and_past_dates_grow_the_table() -> None:
    assert wc.add_working_days_p(at(2031, 6, 6, 10), 1, CAL) == (eod(2031, 6, 9), True)
    assert wc.add_working_days_p(at(2004, 9, 30, 10), 1, CAL) == (eod(2004, 10, 8), False)
    days_2025 = [dt.date(2025, 1, 1) + dt.timedelta(days=k) for k in range(365)]
    assert wc.count_working_days(at(2024, 12, 31), at(2025, 12, 31), CAL) == sum(map(ref_is_working, days_2025))


def test_naive_datetime_is_refused() -> None:
    with pytest.raises(ValueError):
        wc.add_working_days(dt.datetime(2026, 3, 10, 10), 1, calendar=CAL)  # noqa: DTZ001 - the naive input under test


def test_working_hours_validation() -> None:
    with pytest.raises(ValueError):
        wc.WorkingHours(start=dt.time(18), end=dt.time(9))
    with pytest.raises(ValueError):
        wc.WorkingHours(lunch_start=dt.time(12), lunch_end=None)


# ---------------------------------------------------------------- next working moment (R-M17-11)
@pytest.mark.parametrize("moment,expected", [
    (at(2026, 11, 2, 10, 0), at(2026, 11, 2, 10, 0)),  # inside the morning period
    (at(2026, 11, 2, 8, 15), at(2026, 11, 2, 9, 0)),  # before work
    (at(2026, 11, 2, 12, 0), at(2026, 11, 2, 13, 30)),  # lunch starts: wait for 13:30
    (at(2026, 11, 2, 13, 29, 59), at(2026, 11, 2, 13, 30)),
    (at(2026, 11, 2, 18, 0), at(2026, 11, 3, 9, 0)),  # end of work is already outside
    (at(2026, 11, 2, 22, 0), at(2026, 11, 3, 9, 0)),
    (at(2026, 11, 6, 19, 0), at(2026, 11, 9, 9, 0)),  # Friday evening → Monday
    (at(2026, 11, 7, 10, 0), at(2026, 11, 9, 9, 0)),  # Saturday
    (at(2026, 9, 30, 20, 0), at(2026, 10, 8, 9, 0)),  # National Day holidays
    (at(2026, 9, 19, 23, 0), at(2026, 9, 20, 9, 0)),  # Sunday 2026-09-20 is an adjusted working day (调休)
])
def test_r_m17_11_next_working_moment(moment: dt.datetime, expected: dt.datetime) -> None:
    assert wc.next_working_moment(moment, CAL) == expected


def test_r_m17_11_next_working_moment_without_lunch_and_in_utc() -> None:
    cal = wc.WorkCalendar(holidays=constants.holidays, workdays=constants.workdays, covered_years=PKG_YEARS,
                          hours=wc.WorkingHours(dt.time(8, 30), dt.time(17, 30), None, None))
    assert wc.next_working_moment(at(2026, 11, 2, 12, 30), cal) == at(2026, 11, 2, 12, 30)
    utc = dt.datetime(2026, 11, 2, 14, 0, tzinfo=dt.UTC)  # 22:00 in Shanghai
    assert wc.next_working_moment(utc, cal) == at(2026, 11, 3, 8, 30)


@given(st.datetimes(min_value=dt.datetime(2025, 1, 1), max_value=dt.datetime(2026, 12, 20)))  # noqa: DTZ001 - naive bounds
@settings(max_examples=300, deadline=None)
def test_r_m17_11_next_working_moment_is_working_and_no_working_minute_is_skipped(naive: dt.datetime) -> None:
    start = naive.replace(tzinfo=SH)
    result = wc.next_working_moment(start, CAL)
    assert result >= start and wc.is_working_moment(result, CAL)
    # every whole minute strictly between start and result is outside working time
    probe = start.replace(second=0, microsecond=0) + dt.timedelta(minutes=1)
    steps = 0
    while probe < result and steps < 200:
        local = probe.astimezone(SH)
        sec = local.hour * 3600 + local.minute * 60
        assert not (ref_is_working(local.date()) and (9 * 3600 <= sec < 12 * 3600 or 13.5 * 3600 <= sec < 18 * 3600))
        probe += dt.timedelta(minutes=7)
        steps += 1


# ---------------------------------------------------------------- working time between two moments (T-03, T-12)
def ref_working_minutes_between(start: dt.datetime, end: dt.datetime, hours: wc.WorkingHours = HOURS) -> int:
    """Naive: count, minute by minute, the minutes [t, t+1) inside a working period of a working day."""
    periods = [(a.hour * 60 + a.minute, b.hour * 60 + b.minute) for a, b in hours.periods()]
    t, stop, total = start.astimezone(SH), end.astimezone(SH), 0
    while t < stop:
        m = t.hour * 60 + t.minute
        if ref_is_working(t.date()) and any(a <= m < b for a, b in periods):
            total += 1
        t += dt.timedelta(minutes=1)
    return total


short_spans = st.integers(min_value=0, max_value=6 * 24 * 60)
hours_choices = st.sampled_from([
    HOURS,
    wc.WorkingHours(start=dt.time(8, 30), end=dt.time(17, 30), lunch_start=None, lunch_end=None),
    wc.WorkingHours(start=dt.time(8, 0), end=dt.time(20, 0), lunch_start=dt.time(11, 45), lunch_end=dt.time(14, 0)),
])


@settings(max_examples=120, deadline=None)
@given(moments, short_spans, hours_choices)
def test_t_03_working_minutes_between_matches_minute_by_minute_reference(
        start: dt.datetime, span: int, hours: wc.WorkingHours) -> None:
    cal = wc.WorkCalendar(holidays=constants.holidays, workdays=constants.workdays, covered_years=PKG_YEARS,
                          hours=hours)
    end = start + dt.timedelta(minutes=span)
    assert wc.working_minutes_between(start, end, cal) == ref_working_minutes_between(start, end, hours)


@settings(max_examples=200, deadline=None)
@given(moments, moments, moments)
def test_t_03_working_minutes_between_is_additive_and_antisymmetric(a: dt.datetime, b: dt.datetime,
                                                                     c: dt.datetime) -> None:
    a, b, c = sorted((a, b, c))
    ab, bc = wc.working_minutes_between(a, b, CAL), wc.working_minutes_between(b, c, CAL)
    assert ab >= 0 and bc >= 0
    assert wc.working_minutes_between(a, c, CAL) == ab + bc
    assert wc.working_minutes_between(c, a, CAL) == -(ab + bc)


@settings(max_examples=150, deadline=None)
@given(moments, st.integers(min_value=1, max_value=5 * 450))
def test_t_12_working_minutes_between_inverts_add_working_hours(start: dt.datetime, minutes: int) -> None:
    due, _ = wc.add_working_hours(start, dt.timedelta(minutes=minutes), CAL)
    assert wc.working_minutes_between(start, due, CAL) == minutes


@settings(max_examples=60, deadline=None)
@given(st.dates(min_value=dt.date(2024, 1, 1), max_value=dt.date(2026, 6, 30)), st.integers(min_value=0, max_value=150))
def test_t_03_working_day_codes_match_the_reference(first: dt.date, days: int) -> None:
    """code = 2 × working days since ``first`` before the day + (1 if the day is a working day)."""
    rows = wc.working_day_codes(first, first + dt.timedelta(days=days), CAL)
    index = 0
    for offset, (day, code) in enumerate(rows):
        assert day == first + dt.timedelta(days=offset)
        assert code == 2 * index + ref_is_working(day)
        index += ref_is_working(day)
    assert len(rows) == days + 1


def test_t_03_national_day_2026_in_working_minutes() -> None:
    """Wed 16:00 → Sat 10-10 10:00 across National Day: 120 + 450 + 450 + 60 minutes (the make-up
    Saturday counts, the holidays do not)."""
    assert wc.working_minutes_between(at(2026, 9, 30, 16), at(2026, 10, 10, 10), CAL) == 120 + 450 + 450 + 60
    assert wc.working_minutes_of_day(HOURS) == 450 and wc.working_minutes_until(12 * 60 + 45, HOURS) == 180


# ---------------------------------------------------------------- batches (issue 15)
@settings(max_examples=60, deadline=None)
@given(st.lists(moments, min_size=0, max_size=40), st.integers(min_value=0, max_value=12), st.booleans(),
       st.sampled_from([wc.MIDNIGHT, wc.WORK_END]))
def test_t_04_batch_equals_one_call_per_start(starts: list[dt.datetime], n: int, start_day_counts: bool,
                                              end_of: str) -> None:
    """T-04, P-26, P-27: add_working_days_batch gives, for every start, exactly add_working_days_p."""
    cal = wc.WorkCalendar(holidays=constants.holidays, workdays=constants.workdays, covered_years=PKG_YEARS)
    dues, provisional = wc.add_working_days_batch(starts, n, cal, start_day_counts=start_day_counts, end_of=end_of)
    one = [wc.add_working_days_p(s, n, CAL, start_day_counts=start_day_counts, end_of=end_of) for s in starts]
    assert list(zip(dues, provisional, strict=True)) == one
    assert wc.working_day_dues(starts, n, cal, start_day_counts=start_day_counts, end_of=end_of) == dues
    # the same starts as local day ordinals (issue 15: what the database hands over for a sweep)
    days = wc.local_day_ordinals(starts, cal)
    assert days == [s.astimezone(cal.tz).date().toordinal() for s in starts]
    fresh = wc.WorkCalendar(holidays=constants.holidays, workdays=constants.workdays, covered_years=PKG_YEARS)
    assert wc.add_working_days_batch_of_days(days, n, fresh, start_day_counts=start_day_counts,
                                             end_of=end_of) == (dues, provisional)
    assert wc.working_day_dues_of_days(tuple(days), n, fresh, start_day_counts=start_day_counts,
                                       end_of=end_of) == dues


def test_t_04_batch_converts_other_zones_and_refuses_naive_moments() -> None:
    utc = [at(2025, 9, 30, 23, 30).astimezone(dt.UTC), at(2025, 10, 1, 8).astimezone(dt.UTC)]
    dues, provisional = wc.add_working_days_batch(utc, 1, CAL)
    assert dues == [eod(2025, 10, 9), eod(2025, 10, 9)]  # the National Day week is not counted
    assert provisional == [False, False]
    assert wc.add_working_days_batch([], 3, CAL) == ([], [])
    with pytest.raises(ValueError):
        wc.working_day_dues([dt.datetime(2025, 10, 1, 8)], 1, CAL)  # noqa: DTZ001 - a naive moment on purpose
    with pytest.raises(ValueError):
        wc.working_day_dues([at(2025, 10, 1)], -1, CAL)
