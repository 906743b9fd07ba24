"""Working time in SQL: handling time in WORKING hours (T-03, T-12, T-14) for the KPIs.

A timestamp ``t`` becomes "working minutes since 2000-01-01" with one indexed lookup:

    minutes(t) = index(d) × L + working(d) × (morning(m) + afternoon(m))

where ``d``/``m`` are the local date and minute-of-day of ``t``, ``index(d)`` the number of working
days before ``d`` (table :class:`~apps.reports.models.WorkCalendarDay`), ``L`` the project's
working-day length (work_start…work_end minus lunch), ``morning(m) = clamp(m − work_start, 0,
lunch_start − work_start)`` and ``afternoon(m) = clamp(m − lunch_end, 0, work_end − lunch_end)``.
The handling time of a ticket is ``minutes(closed_at) − minutes(received_at)``: time outside
working hours, on rest days and at lunch does not count. Everything is a SQL expression, so
averages and percentiles are aggregates, never a Python loop over tickets.

Which days are working days: ``apps.workdays.services.calendar_for(project)`` (the official PRC
calendar plus the admin override table, P-25) when that app provides it; otherwise the
``chinesecalendar`` package (T-03's source); Monday–Friday only for years that package does not
cover. :func:`calendar_source` names the source so the page can say it.
"""
from __future__ import annotations

import datetime as dt
import logging
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import F, IntegerField, OuterRef, Subquery, Value
from django.db.models.expressions import ExpressionWrapper
from django.db.models.functions import Coalesce, ExtractHour, ExtractMinute, Greatest, Least, Mod, TruncDate

from apps.reports.models import WorkCalendarDay

log = logging.getLogger(__name__)

ANCHOR = dt.date(2000, 1, 1)
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _workdays_calendar(project: Any = None) -> Any:
    try:
        from apps.workdays.services import calendar_for
    except ImportError:
        return None
    try:
        return calendar_for(project)
    except Exception:  # noqa: BLE001 - a calendar that cannot be built falls back (logged)
        log.warning("workdays.calendar_for failed; falling back to chinesecalendar", exc_info=True)
        return None


def _probe(cal: Any) -> Any:
    """A ``day -> bool`` function from whatever shape the workdays calendar has."""
    for name in ("is_working_day", "is_workday", "is_work_day"):
        fn = getattr(cal, name, None)
        if callable(fn):
            return fn
    try:
        from apps.workdays import calendar as wcal

        fn = getattr(wcal, "is_working_day", None)
        if callable(fn):
            return lambda day: fn(day, calendar=cal)
    except ImportError:
        pass
    return None


def _chinese_calendar(day: dt.date) -> bool:
    try:
        import chinese_calendar

        return bool(chinese_calendar.is_workday(day))
    except (ImportError, NotImplementedError):
        return day.weekday() < 5


def calendar_source(project: Any = None) -> str:
    cal = _workdays_calendar(project)
    if cal is not None and _probe(cal) is not None:
        return "工作日历（apps.workdays）"
    try:
        import chinese_calendar  # noqa: F401

        return "国家法定工作日历（chinesecalendar）"
    except ImportError:
        return "周一至周五"


def is_working_day_function(project: Any = None) -> Any:
    cal = _workdays_calendar(project)
    probe = _probe(cal) if cal is not None else None
    if probe is None:
        return _chinese_calendar

    def safe(day: dt.date) -> bool:
        try:
            return bool(probe(day))
        except Exception:  # noqa: BLE001 - outside the calendar's range
            return _chinese_calendar(day)

    return safe


SENTINEL = dt.date(1999, 12, 31)


def _data_version() -> int:
    try:
        from apps.workdays.models import DataVersion
    except ImportError:
        return 0
    return DataVersion.current()


def ensure_calendar(until: dt.date, *, project: Any = None, rebuild: bool = False) -> int:
    """Make sure the calendar rows of the project's company cover ANCHOR … ``until`` (+ 1 year) and
    match the current workdays data version. Returns the rows written (0 when up to date)."""
    company_id = getattr(project, "company_id", None)
    rows_of = WorkCalendarDay.objects.filter(company_id=company_id)
    version = _data_version()
    sentinel = rows_of.filter(day=SENTINEL).values_list("code", flat=True).first()
    last = rows_of.order_by("-day").values_list("day", flat=True).first()
    if not rebuild and sentinel == version and last is not None and last >= until:
        return 0
    end = max(until, dt.date.today()) + dt.timedelta(days=366)
    is_working = is_working_day_function(project)
    rows = [WorkCalendarDay(company_id=company_id, day=SENTINEL, code=version)]
    index = 0
    day = ANCHOR
    while day <= end:
        working = is_working(day)
        rows.append(WorkCalendarDay(company_id=company_id, day=day, code=2 * index + (1 if working else 0)))
        index += 1 if working else 0
        day += dt.timedelta(days=1)
    with transaction.atomic():
        rows_of.delete()
        WorkCalendarDay.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def _minutes_of(time_field: str) -> Any:
    return ExtractHour(time_field) * 60 + ExtractMinute(time_field)


def working_minutes(field: str, *, tz: dt.tzinfo = SHANGHAI, prefix: str = "project__") -> Any:
    """SQL expression: working minutes from the anchor to the timestamp ``field`` (see module doc).

    Needs a queryset annotated with ``_wd_<field>`` = the local date (use :func:`annotate_minutes`)."""
    ws = _minutes_of(f"{prefix}work_start")
    we = _minutes_of(f"{prefix}work_end")
    ls = Coalesce(_minutes_of(f"{prefix}lunch_start"), we)
    le = Coalesce(_minutes_of(f"{prefix}lunch_end"), we)
    m = ExtractHour(field, tzinfo=tz) * 60 + ExtractMinute(field, tzinfo=tz)
    code = F(f"_wc_{field}")
    index = ExpressionWrapper(code / 2, output_field=IntegerField())
    working = Mod(code, 2)
    zero = Value(0)
    morning = Least(Greatest(m - ws, zero), ls - ws)
    afternoon = Least(Greatest(m - le, zero), we - le)
    day_len = (ls - ws) + (we - le)
    return ExpressionWrapper(index * day_len + working * (morning + afternoon), output_field=IntegerField())


def annotate_minutes(qs: Any, field: str, *, tz: dt.tzinfo = SHANGHAI) -> Any:
    """Annotate ``_wc_<field>`` (calendar code of the local day) so :func:`working_minutes` works."""
    code = WorkCalendarDay.objects.filter(day=OuterRef(f"_wd_{field}"),
                                          company_id=OuterRef("project__company_id")).values("code")[:1]
    return qs.annotate(**{f"_wd_{field}": TruncDate(field, tzinfo=tz)}).annotate(
        **{f"_wc_{field}": Subquery(code, output_field=IntegerField())})


def annotate_handling_minutes(qs: Any, *, start: str = "received_at", end: str = "closed_at",
                              tz: dt.tzinfo = SHANGHAI, name: str = "handling_minutes") -> Any:
    """``qs`` with ``name`` = working minutes between ``start`` and ``end`` (rows without ``end``: NULL)."""
    qs = annotate_minutes(annotate_minutes(qs, start, tz=tz), end, tz=tz)
    return qs.annotate(**{name: ExpressionWrapper(working_minutes(end, tz=tz) - working_minutes(start, tz=tz),
                                                  output_field=IntegerField())})


def working_minutes_py(start: dt.datetime, end: dt.datetime, *, work_start: dt.time = dt.time(9),
                       work_end: dt.time = dt.time(18), lunch: tuple[dt.time, dt.time] | None = (dt.time(12),
                                                                                                 dt.time(13, 30)),
                       is_working: Any = _chinese_calendar, tz: dt.tzinfo = SHANGHAI) -> int:
    """Reference implementation in Python (used by the tests to check the SQL on hand-built data)."""
    def minute(t: dt.time) -> int:
        return t.hour * 60 + t.minute

    ws, we = minute(work_start), minute(work_end)
    ls, le = (minute(lunch[0]), minute(lunch[1])) if lunch else (we, we)

    def on_day(m: int) -> int:
        return min(max(m - ws, 0), ls - ws) + min(max(m - le, 0), we - le)

    a, b = start.astimezone(tz), end.astimezone(tz)
    total = 0
    day = a.date()
    while day <= b.date():
        if is_working(day):
            lo = on_day(a.hour * 60 + a.minute) if day == a.date() else 0
            hi = on_day(b.hour * 60 + b.minute) if day == b.date() else on_day(24 * 60)
            total += hi - lo
        day += dt.timedelta(days=1)
    return total


def handling_stats_postgres(qs: Any, *, tz: dt.tzinfo = SHANGHAI, start: str = "received_at",
                            end: str = "closed_at") -> tuple[int, float | None, float | None]:
    """PostgreSQL: (count, average, nearest-rank p90) of working minutes from ``start`` to ``end`` over
    the tickets of ``qs`` in ONE statement. Same arithmetic as :func:`working_minutes`, but each
    local time and calendar row is computed once per ticket (two hash joins to the small calendar
    table instead of eight correlated lookups) — the ORM expression is the reference, and a
    PostgreSQL test checks both agree."""
    from django.db import connection

    base = qs.order_by().values(start, end, "project_id")
    sql, params = base.query.sql_with_params()
    zone = str(getattr(tz, "key", "Asia/Shanghai"))

    def minute(col: str) -> str:
        return f"(date_part('hour', {col})::int * 60 + date_part('minute', {col})::int)"

    def on_day(m: str) -> str:
        return f"(least(greatest({m} - ws, 0), ls - ws) + least(greatest({m} - le, 0), we - le))"

    query = f"""
        WITH t AS ({sql}),
        l AS (
            SELECT (t.{start} AT TIME ZONE %s) AS a, (t.{end} AT TIME ZONE %s) AS b, p.company_id,
                   {minute('p.work_start')} AS ws, {minute('p.work_end')} AS we,
                   coalesce({minute('p.lunch_start')}, {minute('p.work_end')}) AS ls,
                   coalesce({minute('p.lunch_end')}, {minute('p.work_end')}) AS le
            FROM t JOIN org_project p ON p.id = t.project_id
            WHERE t.{end} IS NOT NULL
        ),
        v AS (
            SELECT (cb.code / 2) * ((ls - ws) + (we - le)) + (cb.code %% 2) * {on_day(minute('l.b'))}
                 - (ca.code / 2) * ((ls - ws) + (we - le)) - (ca.code %% 2) * {on_day(minute('l.a'))} AS minutes
            FROM l
            JOIN reports_workcalendarday ca ON ca.company_id = l.company_id AND ca.day = l.a::date
            JOIN reports_workcalendarday cb ON cb.company_id = l.company_id AND cb.day = l.b::date
        )
        SELECT count(*), avg(minutes), percentile_disc(0.9) WITHIN GROUP (ORDER BY minutes) FROM v
    """
    with connection.cursor() as cur:
        cur.execute(query, [*params, zone, zone])
        n, avg, p90 = cur.fetchone()
    return int(n), (float(avg) if avg is not None else None), (float(p90) if p90 is not None else None)
