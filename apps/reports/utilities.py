"""半年度水电统计 (R-M5-17): which half-years a project owes, and when.

The 管理处 reports its water and electricity figures against the targets, with its analysis, to the
management department (管理部) every half year. The seeds give no date; our reading: the report for a
half-year is due by 23:59:59 on the 15th of the month after it ends (15 July, 15 January), like the
other periodic statistics. Pure read side; the writing is :func:`apps.reports.actions.record_utility_statistics`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from apps.org.models import Project
from apps.reports import schedule
from apps.reports.models import UtilityStatistics

RECIPIENT = "管理部"
DUE_DAY = 15


@dataclass
class HalfYear:
    year: int
    half: int
    period: schedule.Period
    due_at: dt.datetime
    row: UtilityStatistics | None

    @property
    def label(self) -> str:
        return f"{self.year}年{'上' if self.half == 1 else '下'}半年"

    def late(self, now: dt.datetime) -> bool:
        """Not reported by the due time, or reported after it."""
        return (self.row.reported_at > self.due_at) if self.row is not None else now > self.due_at


def due_at(year: int, half: int, tz: dt.tzinfo) -> dt.datetime:
    day = dt.date(year, 7, DUE_DAY) if half == 1 else dt.date(year + 1, 1, DUE_DAY)
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=tz)


def half_years(project: Project, now: dt.datetime, *, count: int = 4) -> list[HalfYear]:
    """The last ``count`` finished half-years of ``project`` (newest first), each with its report if any."""
    today = now.astimezone(project.tz).date()
    year, half = (today.year - 1, 2) if today.month <= 6 else (today.year, 1)
    rows: dict[dt.date, Any] = {
        r.period_start: r
        for r in UtilityStatistics.objects.filter(project=project)
        .select_related("reported_by")
        .order_by("period_start")
    }
    out = []
    for _i in range(count):
        period = schedule.half_year_period(year, half)
        out.append(HalfYear(year, half, period, due_at(year, half, project.tz), rows.get(period.start)))
        year, half = (year, 1) if half == 2 else (year - 1, 2)
    return out
