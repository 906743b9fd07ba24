"""Quiet hours as pure arithmetic (R-M17-01, POLICY P-21)."""
from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from apps.notify import quiet_hours as qh
from linli.clock import SHANGHAI

W = qh.DEFAULT_WINDOWS


def at(y: int, m: int, d: int, hh: int, mm: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, hh, mm, tzinfo=SHANGHAI)


def local(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(SHANGHAI)


def test_r_m17_01_allowed_moment_is_kept() -> None:
    """R-M17-01: 10:00 is outside every default window."""
    assert local(qh.next_allowed_moment(at(2026, 11, 23, 10), W, SHANGHAI)) == at(2026, 11, 23, 10)
    assert qh.next_allowed_moment(at(2026, 11, 23, 10), W, SHANGHAI).tzinfo == dt.UTC


@pytest.mark.parametrize(("moment", "expected"), [
    (at(2026, 11, 23, 12, 0), at(2026, 11, 23, 14, 0)),   # lunch break starts: wait for 14:00
    (at(2026, 11, 23, 13, 59), at(2026, 11, 23, 14, 0)),
    (at(2026, 11, 23, 14, 0), at(2026, 11, 23, 14, 0)),   # half-open: 14:00 is allowed
    (at(2026, 11, 23, 11, 59), at(2026, 11, 23, 11, 59)),
])
def test_r_m17_01_p21_lunch_break(moment: dt.datetime, expected: dt.datetime) -> None:
    """R-M17-01 / P-21: no contact in the lunch break [12:00, 14:00)."""
    assert local(qh.next_allowed_moment(moment, W, SHANGHAI)) == expected


@pytest.mark.parametrize(("moment", "expected"), [
    (at(2026, 11, 23, 21, 0), at(2026, 11, 24, 8, 0)),    # 21:00 sharp (the seed's limit): next morning
    (at(2026, 11, 23, 23, 30), at(2026, 11, 24, 8, 0)),
    (at(2026, 11, 24, 0, 0), at(2026, 11, 24, 8, 0)),     # after midnight: same day 08:00
    (at(2026, 11, 24, 6, 45), at(2026, 11, 24, 8, 0)),    # early morning (清晨)
    (at(2026, 11, 24, 8, 0), at(2026, 11, 24, 8, 0)),
    (at(2026, 11, 23, 20, 59), at(2026, 11, 23, 20, 59)),
    (at(2026, 12, 31, 22, 0), at(2027, 1, 1, 8, 0)),      # across the year end
])
def test_r_m17_01_p21_across_midnight(moment: dt.datetime, expected: dt.datetime) -> None:
    """R-M17-01 / P-21: the evening window [21:00, 08:00) runs across midnight."""
    assert local(qh.next_allowed_moment(moment, W, SHANGHAI)) == expected


def test_r_m17_01_chained_windows_move_past_both() -> None:
    """Overlapping windows: [21:00, 08:00) then [07:30, 09:00) → 09:00, not 08:00."""
    windows = [*W, qh.Window(dt.time(7, 30), dt.time(9, 0))]
    assert local(qh.next_allowed_moment(at(2026, 11, 23, 22), windows, SHANGHAI)) == at(2026, 11, 24, 9)


def test_r_m17_01_windows_read_in_the_project_zone() -> None:
    """A project in another zone: 13:00 UTC is 22:00 in Tokyo (quiet), 21:00 in Shanghai (quiet too),
    but 05:00 UTC is 14:00 Tokyo (allowed) and 13:00 Shanghai (lunch)."""
    from zoneinfo import ZoneInfo

    tokyo = ZoneInfo("Asia/Tokyo")
    m = dt.datetime(2026, 11, 23, 5, 0, tzinfo=dt.UTC)
    assert qh.next_allowed_moment(m, W, tokyo) == m
    assert qh.next_allowed_moment(m, W, SHANGHAI) == dt.datetime(2026, 11, 23, 6, 0, tzinfo=dt.UTC)


def test_whole_day_windows_are_refused() -> None:
    with pytest.raises(ValueError, match="全天"):
        qh.next_allowed_moment(at(2026, 11, 23, 10), [qh.Window(dt.time(0), dt.time(12)),
                                                     qh.Window(dt.time(12), dt.time(0))], SHANGHAI)
    with pytest.raises(ValueError):
        qh.Window(dt.time(8), dt.time(8))


def test_parse_and_dump_windows() -> None:
    assert qh.parse_windows([["12:00", "14:00"], ["21:00", "08:00"]]) == list(W)
    assert qh.dump_windows(W) == [["12:00", "14:00"], ["21:00", "08:00"]]
    with pytest.raises(ValueError, match="HH:MM"):
        qh.parse_windows([["25:00", "08:00"]])
    with pytest.raises(ValueError, match="格式"):
        qh.parse_windows(["21:00"])
    assert qh.describe(W) == "12:00–14:00，21:00–次日08:00"


times = st.builds(dt.time, st.integers(0, 23), st.sampled_from([0, 15, 30, 45]))
windows_st = st.lists(st.tuples(times, times).filter(lambda p: p[0] != p[1]), min_size=0, max_size=3)


@settings(max_examples=300, deadline=None)
@given(windows=windows_st, minutes=st.integers(0, 60 * 24 * 366))
def test_r_m17_01_next_allowed_is_the_first_allowed_minute(windows: list[tuple[dt.time, dt.time]],
                                                           minutes: int) -> None:
    """Property: the result is allowed, not earlier than the moment, and no earlier minute is allowed
    (checked against a naive minute-by-minute walk)."""
    ws = [qh.Window(a, b) for a, b in windows]
    moment = at(2026, 1, 1, 0) + dt.timedelta(minutes=minutes)
    try:
        result = qh.next_allowed_moment(moment, ws, SHANGHAI)
    except ValueError:
        # only when every minute of a day is covered
        assert all(qh.in_quiet_hours(at(2026, 1, 1, 0) + dt.timedelta(minutes=k), ws, SHANGHAI)
                   for k in range(0, 24 * 60, 15))
        return
    assert result >= moment
    assert not qh.in_quiet_hours(result, ws, SHANGHAI)
    probe = moment
    while probe < result:
        assert qh.in_quiet_hours(probe, ws, SHANGHAI)
        probe += dt.timedelta(minutes=15)
