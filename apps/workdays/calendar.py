"""Deadline arithmetic on the PRC working-day calendar — a PURE module (no Django, no database).

Every function takes an aware ``start`` moment and a :class:`WorkCalendar`, and returns
``(moment, provisional)``: ``provisional`` is True when the computation looked at a date in a year
that neither ``chinesecalendar`` nor the override table covers (the Monday–Friday rule was used
there, P-25, T-03). :func:`add_working_days` alone returns a bare datetime for its callers
(``apps.escalation``); :func:`add_working_days_p` is its ``(moment, provisional)`` twin.

Interpretations (SPEC §0.3 and Appendix A):

- **T-01** results are aware datetimes in the calendar's time zone (the project's, T-14); callers
  store UTC.
- **T-03 / P-25** a day is a working day when the calendar says so: the override/official lists
  first (holiday → rest day, adjusted working day 调休 → working day), otherwise Monday–Friday.
  Years outside ``covered_years`` are computed with Monday–Friday + whatever overrides exist, and
  flagged provisional.
- **T-04** "N working days": the start day is not counted (whether or not it is a working day);
  due 23:59:59 local on the N-th working day after the start day. **P-26** ``start_day_counts``:
  the start day counts as the first when it is a working day. **P-27** ``end_of="work_end"``:
  due at the end of the project's working hours instead of 23:59:59.
- **T-05** "same day" (当日内): 23:59:59 of the calendar day of the start (P-02 ``literal``).
  **P-02** ``rollover`` and **P-06 / R-M2-11(b)** "the day work resumes": 23:59:59 of the first
  working day whose working hours have not yet ended at the start moment — so a post at 10:00 on a
  working day (or during lunch, or before 09:00) is due that day; after 18:00 or on a rest day it
  is due on the next working day.
- **T-06** N hours/minutes: elapsed clock time, 24×7; never provisional.
- **T-07** N calendar days: start day not counted, due 23:59:59 on the N-th calendar day;
  **P-28** ``roll=True`` moves a rest-day deadline to the next working day.
- **T-08** months: same day number N months later, clamped to the month's last day, same local
  time of day (2026-01-31 + 1 month = 2026-02-28).
- **T-10** "by day D of the month / of the first month of the quarter": inclusive, 23:59:59 on
  that date, clamped to the month's last day; no holiday move unless P-28 ``roll``.
- **T-12** half a working day: half of the project's working-day length (``work_end −
  work_start``, as in SPEC's example: 09:00–18:00 → 4 h 30 min) counted in working time
  (working days, working hours, lunch excluded). Fractions of a working day in general use
  :func:`add_working_day_fraction`.
- Working hours (:func:`add_working_hours`): time counts only inside ``[work_start, lunch_start)``
  and ``[lunch_end, work_end)`` of working days. A result that ends exactly at the end of a
  period stays there (12:00 or 18:00) instead of jumping to the next period, so it never lands on
  a non-working moment other than a period's closing instant.
- **T-13** "立即/及时" has no arithmetic here: the policy layer returns ``due_at=None``.

Speed: per-day working flags live in one ``bytearray`` over a contiguous ordinal span with a
prefix-sum array of working-day counts and the table of the working days' ordinals, so "N-th
working day after" is two look-ups (prefix count, then ordinal table: O(1), issue 15) and "count
working days between" two look-ups; the span grows on demand. ``add_working_days_p`` remembers its
results per start day and policy (a deadline of N working days depends only on the start's day).
"""
from __future__ import annotations

import calendar as _stdcal
import datetime as dt
import operator
from array import array
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")
_TZINFO = operator.attrgetter("tzinfo")
END_OF_DAY = dt.time(23, 59, 59)

MIDNIGHT = "midnight"  # P-27 default: 23:59:59
WORK_END = "work_end"  # P-27 alternative: end of working hours
LITERAL = "literal"  # P-02 default
ROLLOVER = "rollover"  # P-02 alternative / P-06 online rule


@dataclass(frozen=True)
class WorkingHours:
    """A project's working hours (T-14); lunch may be absent."""

    start: dt.time = dt.time(9, 0)
    end: dt.time = dt.time(18, 0)
    lunch_start: dt.time | None = dt.time(12, 0)
    lunch_end: dt.time | None = dt.time(13, 30)

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise ValueError("下班时间必须晚于上班时间")
        if (self.lunch_start is None) != (self.lunch_end is None):
            raise ValueError("午休开始和结束须同时填写或同时留空")
        if self.lunch_start is not None and self.lunch_end is not None and not (
                self.start <= self.lunch_start < self.lunch_end <= self.end):
            raise ValueError("午休须在上班时间之内且开始早于结束")

    def periods(self) -> tuple[tuple[dt.time, dt.time], ...]:
        """The working periods of a working day, e.g. ((09:00, 12:00), (13:30, 18:00))."""
        if self.lunch_start is None or self.lunch_end is None:
            return ((self.start, self.end),)
        return tuple(p for p in ((self.start, self.lunch_start), (self.lunch_end, self.end)) if p[0] < p[1])

    def working_seconds(self) -> int:
        """Working time of one working day, lunch excluded."""
        return sum(_secs(b) - _secs(a) for a, b in self.periods())

    def day_length_seconds(self) -> int:
        """The working-day length of T-12 (``end − start``: 09:00–18:00 → 9 h)."""
        return _secs(self.end) - _secs(self.start)


def _secs(t: dt.time) -> int:
    return t.hour * 3600 + t.minute * 60 + t.second


class WorkCalendar:
    """Which days are working days, in which years that is official, and the working hours.

    ``holidays``: dates that are rest days although Monday–Friday (statutory holidays, a
    company's own day off, a typhoon day). ``workdays``: dates that are working days although
    Saturday/Sunday (调休上班日). A date in both lists counts as a working day only if it is
    listed in ``workdays`` (callers resolve precedence before building). ``covered_years``: years
    for which the lists are official; other years are provisional.
    """

    def __init__(self, *, holidays: Iterable[dt.date] = (), workdays: Iterable[dt.date] = (),
                 covered_years: Iterable[int] = (), hours: WorkingHours | None = None,
                 tz: dt.tzinfo = SHANGHAI) -> None:
        self.holidays = frozenset(holidays)
        self.workdays = frozenset(workdays)
        self.covered_years = frozenset(covered_years)
        self.hours = hours or WorkingHours()
        self.tz = tz
        self._periods = tuple((_secs(a), _secs(b)) for a, b in self.hours.periods())
        years = [d.year for d in self.holidays | self.workdays] + list(self.covered_years)
        lo, hi = (min(years), max(years)) if years else (2020, 2030)
        # (first ordinal, working flags, prefix sums) replaced as ONE tuple when the span grows, so
        # threads sharing a cached calendar never see a mixed state
        self._span: tuple[int, bytearray, array] = (0, bytearray(), array("l", [0]))
        self._nth: tuple[int, array] = (0, array("l"))
        # (local day ordinal, n, start_day_counts, end_of) → add_working_days_p's result; emptied when
        # the span is rebuilt and when it grows large
        self._memo: dict[tuple[int, int, bool, str], tuple[dt.datetime, bool]] = {}
        # (n, start_day_counts, end_of) → ({local day ordinal: due}, {ordinal: provisional}) of
        # add_working_days_batch; emptied with the memo
        self._batch: dict[tuple[int, bool, str], tuple[dict[int, dt.datetime], dict[int, bool]]] = {}
        # the span grows on demand (``_ensure``); start with the data's years plus margins
        self._build(dt.date(max(lo - 1, 1), 1, 1).toordinal(), dt.date(min(hi + 4, 9999), 1, 1).toordinal())

    # ------------------------------------------------------------------ days
    def _build(self, first: int, stop: int) -> None:
        """(Re)compute flags and prefix sums for ordinals [first, stop)."""
        flags = bytearray(stop - first)
        hol, wrk = self.holidays, self.workdays
        for i in range(stop - first):
            d = dt.date.fromordinal(first + i)
            if d in wrk:
                flags[i] = 1
            elif d in hol:
                flags[i] = 0
            else:
                flags[i] = 1 if d.weekday() < 5 else 0
        cum = array("l", [0]) * (len(flags) + 1)
        total = 0
        for i, f in enumerate(flags):
            cum[i] = total
            total += f
        cum[len(flags)] = total
        nth = array("l", (first + i for i, f in enumerate(flags) if f))  # ordinal of the k-th working day
        self._span = (first, flags, cum)
        self._nth = (first, nth)
        self._memo = {}
        self._batch = {}

    def _ensure(self, ordinal: int) -> tuple[int, bytearray, array]:
        span = self._span
        base, stop = span[0], span[0] + len(span[1])
        if base <= ordinal < stop:
            return span
        first = min(base, dt.date.fromordinal(max(ordinal, 1)).replace(month=1, day=1).toordinal() - 366)
        last = max(stop, dt.date.fromordinal(ordinal).replace(month=12, day=31).toordinal() + 366 * 2)
        self._build(max(first, 1), last)
        return self._span

    def is_working_day(self, day: dt.date) -> bool:
        o = day.toordinal()
        base, flags, _ = self._ensure(o)
        return bool(flags[o - base])

    def is_covered(self, day: dt.date) -> bool:
        return day.year in self.covered_years

    def provisional_between(self, a: dt.date, b: dt.date) -> bool:
        """True if any year touched by the closed range [a, b] is not covered."""
        lo, hi = (a.year, b.year) if a <= b else (b.year, a.year)
        if lo == hi:
            return lo not in self.covered_years
        return any(y not in self.covered_years for y in range(lo, hi + 1))

    def nth_working_day_after(self, day: dt.date, n: int) -> dt.date:
        """The n-th working day strictly after ``day`` (n ≥ 1); n == 0 returns ``day``."""
        if n <= 0:
            return day
        o = day.toordinal()
        base, flags, cum = self._ensure(o)
        while True:
            i = o - base
            k = cum[i + 1] + n - 1  # the target is the k-th working day of the span (0-based)
            nth_base, nth = self._nth
            if nth_base == base and k < len(nth):
                return dt.date.fromordinal(nth[k])  # O(1): prefix count, then the ordinal table
            if k < cum[len(flags)]:  # another thread rebuilt the span meanwhile
                j = bisect_left(cum, k + 1, i + 1)
                return dt.date.fromordinal(base + j - 1)
            # grow forward: n working days fit in at most ~3n+40 calendar days
            base, flags, cum = self._ensure(base + len(flags) + 3 * n + 40)

    def next_working_day(self, day: dt.date, *, include: bool = True) -> dt.date:
        """The first working day on or after (``include``) / strictly after ``day``."""
        if include and self.is_working_day(day):
            return day
        return self.nth_working_day_after(day, 1)

    def count_working_days(self, a: dt.date, b: dt.date) -> int:
        """Working days in (a, b] (0 when b ≤ a)."""
        if b <= a:
            return 0
        oa, ob = a.toordinal(), b.toordinal()
        self._ensure(oa)
        base, _, cum = self._ensure(ob)  # growing keeps the old span, so oa stays inside
        return cum[ob - base + 1] - cum[oa - base + 1]

    def month_days(self, year: int, month: int) -> list[tuple[dt.date, bool]]:
        """(date, is working day) for every day of a month."""
        n = _stdcal.monthrange(year, month)[1]
        return [(d, self.is_working_day(d)) for d in (dt.date(year, month, k) for k in range(1, n + 1))]

    # ------------------------------------------------------------------ moments
    def local(self, moment: dt.datetime) -> dt.datetime:
        if moment.tzinfo is None:
            raise ValueError("需要带时区的时间 (aware datetime)")
        return moment.astimezone(self.tz)

    def at(self, day: dt.date, t: dt.time) -> dt.datetime:
        return dt.datetime.combine(day, t, tzinfo=self.tz)

    def end_of(self, day: dt.date, end_of: str = MIDNIGHT) -> dt.datetime:
        return self.at(day, self.hours.end if end_of == WORK_END else END_OF_DAY)


# ---------------------------------------------------------------------- public arithmetic
Result = tuple[dt.datetime, bool]


def add_working_days_p(start: dt.datetime, n: int, calendar: WorkCalendar, *, start_day_counts: bool = False,
                       end_of: str = MIDNIGHT) -> Result:
    """T-04 (P-26, P-27): 23:59:59 (or work end) on the N-th working day after the start day."""
    if start.tzinfo is calendar.tz:  # issue 15: the common case answers from the memo at once
        found = calendar._memo.get((start.toordinal(), n, start_day_counts, end_of))
        if found is not None:
            return found
    if n < 0:
        raise ValueError("工作日数不能为负")
    tz = calendar.tz
    if start.tzinfo is None:
        raise ValueError("需要带时区的时间 (aware datetime)")
    local = start if start.tzinfo is tz else start.astimezone(tz)
    key = (local.toordinal(), n, start_day_counts, end_of)
    found = calendar._memo.get(key)
    if found is not None:  # the same start day and policy: a dictionary look-up
        return found
    day = local.date()
    if start_day_counts and n >= 1 and calendar.is_working_day(day):
        due = calendar.nth_working_day_after(day, n - 1)
    else:
        due = calendar.nth_working_day_after(day, n)
    result = (calendar.end_of(due, end_of), calendar.provisional_between(day, due))
    memo = calendar._memo
    if len(memo) > 200_000:
        memo.clear()
    memo[key] = result
    return result


def add_working_days(start: dt.datetime, n: int, calendar: WorkCalendar | None = None, *,
                     start_day_counts: bool = False, end_of: str = MIDNIGHT) -> dt.datetime:
    """T-04 as a bare aware datetime (contract 2 for apps.escalation)."""
    return add_working_days_p(start, n, calendar or WorkCalendar(), start_day_counts=start_day_counts,
                              end_of=end_of)[0]


def add_working_days_batch(starts: Sequence[dt.datetime], n: int, calendar: WorkCalendar, *,
                           start_day_counts: bool = False,
                           end_of: str = MIDNIGHT) -> tuple[list[dt.datetime], list[bool]]:
    """T-04 for many start moments at once (issue 15: sweeps, bulk intake, recomputing after a policy
    change): ``(dues, provisional)``, two lists parallel to ``starts``, each pair exactly
    :func:`add_working_days_p` of that start.

    Vectorised over the stored calendar: a deadline of N working days depends only on the start's
    local day, so each start is reduced to its local day ordinal and looked up in a per-policy table
    of ``day → deadline`` kept with the calendar (filled for the days not seen before, each computed
    once: prefix count + ordinal table); both steps are C-level ``map`` calls, so there is no
    Python-level work per start once the days are known."""
    table, flags = _batch_tables(calendar, n, start_day_counts, end_of)
    ordinals = _local_ordinals(starts, calendar)
    try:
        return _look_up(table, ordinals), _look_up(flags, ordinals)
    except KeyError:
        _fill(calendar, table, flags, ordinals, n, start_day_counts, end_of)
        return _look_up(table, ordinals), _look_up(flags, ordinals)


def working_day_dues(starts: Sequence[dt.datetime], n: int, calendar: WorkCalendar, *,
                     start_day_counts: bool = False, end_of: str = MIDNIGHT) -> list[dt.datetime]:
    """:func:`add_working_days_batch` without the provisional flags: the due moments only."""
    return working_day_dues_of_days(_local_ordinals(starts, calendar), n, calendar,
                                    start_day_counts=start_day_counts, end_of=end_of)


def working_day_dues_of_days(days: Sequence[int], n: int, calendar: WorkCalendar, *,
                             start_day_counts: bool = False, end_of: str = MIDNIGHT) -> list[dt.datetime]:
    """:func:`working_day_dues` for starts given as their **local day ordinals** in the calendar's time
    zone (``date.toordinal()`` of the start's local day; :func:`local_day_ordinals` makes them from
    moments, or the database does: ``(received_at AT TIME ZONE 'Asia/Shanghai')::date``). A deadline
    of N working days depends only on that day, so the element for ``days[i]`` is exactly
    :func:`add_working_days_p` of any moment of that local day. Issue 15: with the days already known
    this is one C-level look-up per start (~20 ns): no time-zone check, no conversion."""
    table, flags = _batch_tables(calendar, n, start_day_counts, end_of)
    ordinals = days if isinstance(days, list) else list(days)
    try:
        return _look_up(table, ordinals)
    except KeyError:
        _fill(calendar, table, flags, ordinals, n, start_day_counts, end_of)
        return _look_up(table, ordinals)


def add_working_days_batch_of_days(days: Sequence[int], n: int, calendar: WorkCalendar, *,
                                   start_day_counts: bool = False,
                                   end_of: str = MIDNIGHT) -> tuple[list[dt.datetime], list[bool]]:
    """:func:`add_working_days_batch` for starts given as local day ordinals
    (:func:`working_day_dues_of_days`): ``(dues, provisional)``."""
    table, flags = _batch_tables(calendar, n, start_day_counts, end_of)
    ordinals = days if isinstance(days, list) else list(days)
    try:
        return _look_up(table, ordinals), _look_up(flags, ordinals)
    except KeyError:
        _fill(calendar, table, flags, ordinals, n, start_day_counts, end_of)
        return _look_up(table, ordinals), _look_up(flags, ordinals)


def local_day_ordinals(starts: Sequence[dt.datetime], calendar: WorkCalendar) -> list[int]:
    """The local day ordinal (calendar's time zone) of every aware start: the input of
    :func:`working_day_dues_of_days`. Naive moments are refused."""
    return _local_ordinals(starts, calendar)


def _look_up(table: dict[int, Any], ordinals: list[int]) -> list[Any]:
    """``[table[o] for o in ordinals]`` in one C call (``itemgetter`` of every key: ~18 ns a key against
    ~23 ns for ``map`` of the bound ``__getitem__``, issue 15); KeyError when a day is not filled yet."""
    if len(ordinals) > 1:
        return list(operator.itemgetter(*ordinals)(table))
    return [table[o] for o in ordinals]


def _local_ordinals(starts: Sequence[dt.datetime], calendar: WorkCalendar) -> list[int]:
    """The local day ordinal of every start (``datetime.toordinal`` in C when every start is already in
    the calendar's time zone, as the engine's own moments are; otherwise converted one by one)."""
    tz = calendar.tz
    if operator.countOf(map(_TZINFO, starts), tz) == len(starts):
        return list(map(dt.datetime.toordinal, starts))
    if any(s.tzinfo is None for s in starts):
        raise ValueError("需要带时区的时间 (aware datetime)")
    return [s.astimezone(tz).toordinal() for s in starts]


def _batch_tables(calendar: WorkCalendar, n: int, start_day_counts: bool,
                  end_of: str) -> tuple[dict[int, dt.datetime], dict[int, bool]]:
    if n < 0:
        raise ValueError("工作日数不能为负")
    key = (n, start_day_counts, end_of)
    tables = calendar._batch
    found = tables.get(key)
    if found is None:
        if len(tables) > 64:
            tables.clear()
        found = tables[key] = ({}, {})
    return found


def _fill(calendar: WorkCalendar, table: dict[int, dt.datetime], flags: dict[int, bool], ordinals: list[int],
          n: int, start_day_counts: bool, end_of: str) -> None:
    for o in set(ordinals).difference(table):
        day = dt.date.fromordinal(o)
        if start_day_counts and n >= 1 and calendar.is_working_day(day):
            due = calendar.nth_working_day_after(day, n - 1)
        else:
            due = calendar.nth_working_day_after(day, n)
        flags[o] = calendar.provisional_between(day, due)
        table[o] = calendar.end_of(due, end_of)


def count_working_days(start: dt.datetime, end: dt.datetime, calendar: WorkCalendar) -> int:
    """Working days after the start day up to and including the end's day (the inverse of T-04)."""
    return calendar.count_working_days(calendar.local(start).date(), calendar.local(end).date())


def _working_seconds_from(calendar: WorkCalendar, day: dt.date, sec: int) -> list[tuple[int, int]]:
    """Working periods (seconds of day) of ``day`` that remain after ``sec``."""
    if not calendar.is_working_day(day):
        return []
    return [(max(a, sec), b) for a, b in calendar._periods if b > sec]


def add_working_hours(start: dt.datetime, amount: dt.timedelta | float, calendar: WorkCalendar) -> Result:
    """N working hours (T-12 and "N个工作小时"): counted only inside working periods of working
    days. ``amount`` is a timedelta or a number of hours."""
    need = round(amount.total_seconds() if isinstance(amount, dt.timedelta) else float(amount) * 3600)
    if need < 0:
        raise ValueError("工作时长不能为负")
    local = calendar.local(start)
    first = day = local.date()
    sec = local.hour * 3600 + local.minute * 60 + local.second
    if need == 0:
        return local, False
    per_day = calendar.hours.working_seconds()
    while True:
        for a, b in _working_seconds_from(calendar, day, sec):
            if a >= b:
                continue
            if need <= b - a:
                end = a + need
                moment = calendar.at(day, dt.time(end // 3600, end % 3600 // 60, end % 60)) if end < 86400 \
                    else calendar.at(day, END_OF_DAY)
                return moment, calendar.provisional_between(first, day)
            need -= b - a
        # jump whole working days when far away
        if per_day and need > per_day:
            skip = (need - 1) // per_day
            day = calendar.nth_working_day_after(day, skip)
            need -= skip * per_day
        day = calendar.nth_working_day_after(day, 1)
        sec = 0


def add_working_day_fraction(start: dt.datetime, fraction: float, calendar: WorkCalendar) -> Result:
    """T-12: ``fraction`` × the working-day length (work_end − work_start), counted in working time."""
    seconds = calendar.hours.day_length_seconds() * float(fraction)
    return add_working_hours(start, dt.timedelta(seconds=round(seconds)), calendar)


def half_working_day(start: dt.datetime, calendar: WorkCalendar) -> Result:
    """T-12 半个工作日 (09:00–18:00 → 4 h 30 min of working time)."""
    return add_working_day_fraction(start, 0.5, calendar)


def is_working_moment(moment: dt.datetime, calendar: WorkCalendar) -> bool:
    """Inside a working period of a working day (period ends included)."""
    local = calendar.local(moment)
    if not calendar.is_working_day(local.date()):
        return False
    sec = local.hour * 3600 + local.minute * 60 + local.second + (1 if local.microsecond else 0)
    return any(a <= sec <= b for a, b in calendar._periods)


def next_working_moment(moment: dt.datetime, calendar: WorkCalendar) -> dt.datetime:
    """The first moment at or after ``moment`` inside a working period of a working day (R-M17-11:
    reminders wait for the holder's working hours). A moment inside a period is returned unchanged;
    before work, in the lunch break or at/after the end of work it moves to the next period's start
    (lunch excluded when the hours have one); on a rest day, to the start of the next working day.
    The result is in the calendar's time zone."""
    local = calendar.local(moment)
    day = local.date()
    sec = local.hour * 3600 + local.minute * 60 + local.second + local.microsecond / 1_000_000
    if calendar.is_working_day(day):
        for a, b in calendar._periods:
            if a <= sec < b:
                return local
            if sec < a:
                return calendar.at(day, dt.time(a // 3600, a % 3600 // 60, a % 60))
    day = calendar.next_working_day(day, include=False)
    a = calendar._periods[0][0]
    return calendar.at(day, dt.time(a // 3600, a % 3600 // 60, a % 60))


def end_of_same_day(start: dt.datetime, calendar: WorkCalendar, *, mode: str = LITERAL) -> Result:
    """T-05 当日内. ``literal`` (P-02 default): 23:59:59 of the start's calendar day.
    ``rollover`` (P-02 alternative, P-06 online rule): 23:59:59 of the first working day whose
    working hours have not ended at the start moment."""
    local = calendar.local(start)
    day = local.date()
    if mode == LITERAL:
        return calendar.at(day, END_OF_DAY), False
    if mode != ROLLOVER:
        raise ValueError(f"unknown same-day mode {mode!r}")
    if not (calendar.is_working_day(day) and local.timetz().replace(tzinfo=None) < calendar.hours.end):
        day = calendar.nth_working_day_after(day, 1)
    return calendar.at(day, END_OF_DAY), calendar.provisional_between(local.date(), day)


def add_clock_hours(start: dt.datetime, hours: float | dt.timedelta, calendar: WorkCalendar | None = None) -> Result:
    """T-06: elapsed clock time, 24×7."""
    delta = hours if isinstance(hours, dt.timedelta) else dt.timedelta(hours=float(hours))
    tz = calendar.tz if calendar else start.tzinfo
    return (start + delta).astimezone(tz), False


def _roll(day: dt.date, calendar: WorkCalendar, roll: bool) -> dt.date:
    return calendar.next_working_day(day) if roll else day


def add_calendar_days(start: dt.datetime, n: int, calendar: WorkCalendar, *, roll: bool = False) -> Result:
    """T-07: 23:59:59 on the N-th calendar day after the start day; P-28 ``roll`` moves a rest day
    to the next working day."""
    first = calendar.local(start).date()
    day = first + dt.timedelta(days=n)
    rolled = _roll(day, calendar, roll)
    return calendar.at(rolled, END_OF_DAY), bool(roll) and calendar.provisional_between(first, rolled)


def _clamp(year: int, month: int, day: int) -> dt.date:
    return dt.date(year, month, min(day, _stdcal.monthrange(year, month)[1]))


def add_months(start: dt.datetime, months: int, calendar: WorkCalendar) -> Result:
    """T-08: same day number ``months`` later (clamped to the month's end), same time of day."""
    local = calendar.local(start)
    idx = local.year * 12 + (local.month - 1) + months
    day = _clamp(idx // 12, idx % 12 + 1, local.day)
    return dt.datetime.combine(day, local.timetz().replace(tzinfo=None), tzinfo=calendar.tz), False


def day_of_month_deadline(year: int, month: int, day: int, calendar: WorkCalendar, *, roll: bool = False) -> Result:
    """T-10: 23:59:59 on day ``day`` of the month, clamped to the last day (30 → 2026-02-28)."""
    d = _roll(_clamp(year, month, day), calendar, roll)
    return calendar.at(d, END_OF_DAY), bool(roll) and not calendar.is_covered(d)


def next_day_of_month(start: dt.datetime, day: int, calendar: WorkCalendar, *, roll: bool = False) -> Result:
    """T-10 "每月D日前": the first such deadline at or after ``start``."""
    local = calendar.local(start)
    due, prov = day_of_month_deadline(local.year, local.month, day, calendar, roll=roll)
    if due < local:
        y, m = (local.year + 1, 1) if local.month == 12 else (local.year, local.month + 1)
        due, prov = day_of_month_deadline(y, m, day, calendar, roll=roll)
    return due, prov


def first_month_of_quarter_deadline(start: dt.datetime, day: int, calendar: WorkCalendar, *,
                                    roll: bool = False) -> Result:
    """T-9/T-10 "每季度首月D日前": day D of the first month of the next quarter after ``start``'s
    quarter began (the first such deadline at or after ``start``)."""
    local = calendar.local(start)
    q_month = (local.month - 1) // 3 * 3 + 1
    due, prov = day_of_month_deadline(local.year, q_month, day, calendar, roll=roll)
    if due < local:
        idx = local.year * 12 + q_month - 1 + 3
        due, prov = day_of_month_deadline(idx // 12, idx % 12 + 1, day, calendar, roll=roll)
    return due, prov


def end_of_month(start: dt.datetime, calendar: WorkCalendar, *, roll: bool = False) -> Result:
    """A monthly batch (R-M8-06 "每月一批"): 23:59:59 on the last day of the start's month."""
    local = calendar.local(start)
    return day_of_month_deadline(local.year, local.month, 31, calendar, roll=roll)


# ---------------------------------------------------------------------- working time between two moments
# The handling-time KPI (T-03, T-12, T-14) counts WORKING minutes between two moments. The SQL form
# (apps.workdays.workhours) turns a moment into "working minutes since an anchor day":
#     minutes(t) = index(d) × L + working(d) × on_day(m)
# with d/m the local date and minute of day, index(d) the working days before d, L the working
# minutes of one working day and on_day(m) the working minutes of a working day up to minute m.
# The functions below are that arithmetic in Python; the SQL reads ``index`` and ``working`` from
# the materialised rows :func:`working_day_codes` produces.

def _minute(t: dt.time) -> int:
    return t.hour * 60 + t.minute


def working_periods_minutes(hours: WorkingHours) -> tuple[tuple[int, int], ...]:
    """The working periods of a working day in minutes of the day (seconds ignored, as in SQL)."""
    return tuple((_minute(a), _minute(b)) for a, b in hours.periods())


def working_minutes_of_day(hours: WorkingHours) -> int:
    """L: the working minutes of one working day (lunch excluded)."""
    return sum(b - a for a, b in working_periods_minutes(hours))


def working_minutes_until(minute_of_day: int, hours: WorkingHours) -> int:
    """on_day(m): working minutes of a working day from midnight up to minute ``minute_of_day``."""
    return sum(min(max(minute_of_day - a, 0), b - a) for a, b in working_periods_minutes(hours))


def working_day_code(index: int, working: bool) -> int:
    """The stored code of one day: 2 × (working days before it since the anchor) + (1 if working)."""
    return 2 * index + (1 if working else 0)


def working_day_codes(first: dt.date, last: dt.date, calendar: WorkCalendar) -> list[tuple[dt.date, int]]:
    """``(day, code)`` for every day of ``first … last`` (inclusive), the index counted from ``first``."""
    out: list[tuple[dt.date, int]] = []
    index = 0
    day = first
    while day <= last:
        working = calendar.is_working_day(day)
        out.append((day, working_day_code(index, working)))
        index += 1 if working else 0
        day += dt.timedelta(days=1)
    return out


def working_minutes_between(start: dt.datetime, end: dt.datetime, calendar: WorkCalendar) -> int:
    """Working minutes from ``start`` to ``end`` (T-03 handling time): only time inside the working
    periods of working days counts (rest days, nights and lunch do not). Minute resolution, local
    time in the calendar's time zone — the same arithmetic as the SQL expression of
    :mod:`apps.workdays.workhours`. Negative when ``end`` is before ``start``."""
    a, b = calendar.local(start), calendar.local(end)
    da, db = a.date(), b.date()
    day_len = working_minutes_of_day(calendar.hours)
    # working days in [da, db) minus those in [db, da): the index difference of the two days
    if db >= da:
        between = calendar.count_working_days(da - dt.timedelta(days=1), db - dt.timedelta(days=1))
    else:
        between = -calendar.count_working_days(db - dt.timedelta(days=1), da - dt.timedelta(days=1))

    def on(day: dt.date, moment: dt.datetime) -> int:
        if not calendar.is_working_day(day):
            return 0
        return working_minutes_until(moment.hour * 60 + moment.minute, calendar.hours)

    return between * day_len + on(db, b) - on(da, a)
