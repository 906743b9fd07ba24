"""Working time in SQL: handling time in WORKING hours (T-03, T-12, T-14) for KPIs and reports.

A timestamp ``t`` becomes "working minutes since 2000-01-01" with one indexed lookup:

    minutes(t) = index(d) × L + working(d) × (morning(m) + afternoon(m))

where ``d``/``m`` are the local date and minute-of-day of ``t``, ``index(d)`` the number of working
days before ``d`` and ``working(d)`` whether ``d`` is one (both read from
:class:`~apps.workdays.models.WorkingDayIndex`), ``L`` the project's working-day length
(work_start…work_end minus lunch), ``morning(m) = clamp(m − work_start, 0, lunch_start −
work_start)`` and ``afternoon(m) = clamp(m − lunch_end, 0, work_end − lunch_end)``. The handling
time of a ticket is ``minutes(closed_at) − minutes(received_at)``: time outside working hours, on
rest days and at lunch does not count. Everything is a SQL expression, so averages and percentiles
are aggregates, never a Python loop over rows. The same arithmetic in Python is
:func:`apps.workdays.calendar.working_minutes_between` (the tests check both agree).

The index rows must cover the dates involved: call
:func:`apps.workdays.actions.ensure_working_day_index` first (once per company). Reads only.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection
from django.db.models import F, IntegerField, OuterRef, Subquery, Value
from django.db.models.expressions import ExpressionWrapper
from django.db.models.functions import Coalesce, ExtractHour, ExtractMinute, Greatest, Least, Mod, TruncDate

from apps.workdays.calendar import SHANGHAI
from apps.workdays.models import WorkingDayIndex

#: What the handling-time figure names as its calendar (shown next to the figure).
CALENDAR_SOURCE = "工作日历（apps.workdays）"


def calendar_source(project: Any = None) -> str:
    """The calendar working time is counted on: always the workdays calendar (P-25, T-03)."""
    return CALENDAR_SOURCE


def _minutes_of(time_field: str) -> Any:
    return ExtractHour(time_field) * 60 + ExtractMinute(time_field)


def working_minutes(field: str, *, tz: dt.tzinfo = SHANGHAI, prefix: str = "project__") -> Any:
    """SQL expression: working minutes from the anchor to the timestamp ``field`` (see module doc).

    Needs a queryset annotated by :func:`annotate_minutes` for ``field``."""
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


def annotate_minutes(qs: Any, field: str, *, tz: dt.tzinfo = SHANGHAI, prefix: str = "project__") -> Any:
    """Annotate ``_wc_<field>`` (index code of the local day) so :func:`working_minutes` works."""
    code = WorkingDayIndex.objects.filter(day=OuterRef(f"_wd_{field}"),
                                          company_id=OuterRef(f"{prefix}company_id")).values("code")[:1]
    return qs.annotate(**{f"_wd_{field}": TruncDate(field, tzinfo=tz)}).annotate(
        **{f"_wc_{field}": Subquery(code, output_field=IntegerField())})


def annotate_handling_minutes(qs: Any, *, start: str = "received_at", end: str = "closed_at",
                              tz: dt.tzinfo = SHANGHAI, name: str = "handling_minutes") -> Any:
    """``qs`` with ``name`` = working minutes between ``start`` and ``end`` (rows without ``end``: NULL)."""
    qs = annotate_minutes(annotate_minutes(qs, start, tz=tz), end, tz=tz)
    return qs.annotate(**{name: ExpressionWrapper(working_minutes(end, tz=tz) - working_minutes(start, tz=tz),
                                                  output_field=IntegerField())})


def handling_stats_postgres(qs: Any, *, tz: dt.tzinfo = SHANGHAI, start: str = "received_at",
                            end: str = "closed_at") -> tuple[int, float | None, float | None]:
    """PostgreSQL: (count, average, nearest-rank p90) of working minutes from ``start`` to ``end`` over
    the rows of ``qs`` (which have ``project_id``) in ONE statement. Same arithmetic as
    :func:`working_minutes`, but each local time and index row is computed once per row (two hash
    joins to the small index table instead of eight correlated lookups) — the ORM expression is the
    reference, and a PostgreSQL test checks both agree."""
    base = qs.order_by().values(start, end, "project_id")
    sql, params = base.query.sql_with_params()
    zone = str(getattr(tz, "key", "Asia/Shanghai"))
    table = WorkingDayIndex._meta.db_table

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
            JOIN {table} ca ON ca.company_id = l.company_id AND ca.day = l.a::date
            JOIN {table} cb ON cb.company_id = l.company_id AND cb.day = l.b::date
        )
        SELECT count(*), avg(minutes), percentile_disc(0.9) WITHIN GROUP (ORDER BY minutes) FROM v
    """  # noqa: S608 - the only interpolations are column names and the model's table name
    with connection.cursor() as cur:
        cur.execute(query, [*params, zone, zone])
        n, avg, p90 = cur.fetchone()
    return int(n), (float(avg) if avg is not None else None), (float(p90) if p90 is not None else None)
