"""Date arithmetic of the visit programme (SPEC M9, T-07/T-08/T-09), pure and without a database.

- P-17 "each calendar quarter" (default): a household last visited in quarter Q is due by the end of
  quarter Q+1 (AS-36: last visit 2025-07-15 → due 2025-12-31 23:59:59).
- P-17 "every N months from the last visit": the same day number N months later, clamped to the
  month's last day (T-08; AS-36: 2025-07-15 + 3 months → 2025-10-15).
- P-18: the first home visit is due on the N-th calendar day after moving in, 23:59:59 (T-07; AS-36:
  moved in 2025-09-29, 3 days → 2025-10-02).

Every due date is a date in the project's zone; the deadline is 23:59:59 that day.
"""
from __future__ import annotations

import calendar
import datetime as dt


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus ``months`` calendar months, clamped to the last day of the month (T-08)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def quarter_index(day: dt.date) -> int:
    """A running number of calendar quarters (T-09): consecutive quarters differ by one."""
    return day.year * 4 + (day.month - 1) // 3


def quarter_start(index: int) -> dt.date:
    year, q = divmod(index, 4)
    return dt.date(year, q * 3 + 1, 1)


def quarter_end(index: int) -> dt.date:
    return quarter_start(index + 1) - dt.timedelta(days=1)


def quarter_label(index: int) -> str:
    year, q = divmod(index, 4)
    return f"{year}年第{q + 1}季度"


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_end(day: dt.date) -> dt.date:
    return add_months(month_start(day), 1) - dt.timedelta(days=1)


def end_of_day(day: dt.date, tz: dt.tzinfo) -> dt.datetime:
    """23:59:59 of ``day`` in ``tz`` (T-04, T-07)."""
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=tz)


def cycle_due(last: dt.date, *, mode: str, months: int) -> dt.date:
    """The next periodic visit's due date after a visit on ``last`` (P-17)."""
    if mode == "every_n_months":
        return add_months(last, months)
    return quarter_end(quarter_index(last) + 1)


def cycle_overdue_before(today: dt.date, *, mode: str, months: int) -> dt.date:
    """The first date ``d`` whose cycle due date is not yet past on ``today``: a household whose last
    visit is before it is overdue. Due dates grow with the last visit, so one threshold splits every
    household of a project (set-based: ``last_visit < threshold``)."""
    if mode == "every_n_months":
        d = add_months(today, -months) - dt.timedelta(days=3)
        while add_months(d, months) < today:
            d += dt.timedelta(days=1)
        return d
    # due = end of quarter(last)+1 ≥ today ⇔ quarter(last) ≥ quarter(today) − 1
    return quarter_start(quarter_index(today) - 1)


def first_visit_due(move_in: dt.date, days: int) -> dt.date:
    """P-18: the N-th calendar day after moving in (the move-in day not counted, T-07)."""
    return move_in + dt.timedelta(days=days)
