"""Writes of the workdays app (every one inside the caller's transaction).

- :func:`import_calendar`: load an official schedule (global override rows) for the years in a
  file, all or nothing; each year becomes official.
- :func:`confirm_year` / :func:`mark_official`: a year's schedule is official.
- :func:`ensure_working_day_index`: (re)fill the materialised :class:`WorkingDayIndex` of a company
  (derived data for working time in SQL; a documented bulk job, no history).

Reaction: a year becoming official publishes ``workdays.year_confirmed`` (``year``) through
:mod:`apps.core.jobs` (mechanism (b): durable job); apps.tickets reacts by recomputing its open
provisional deadlines (T-03, P-25). Calendar data changes bump :class:`DataVersion` (see
:mod:`apps.workdays.signals`), so cached calendars are rebuilt.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction

from apps.core import jobs
from apps.core.errors import DomainError
from apps.workdays import calendar as wc
from apps.workdays import queries
from apps.workdays.models import CalendarDay, DataVersion, DayKind, OfficialYear, WorkingDayIndex, YearStatus
from linli import clock

YEAR_CONFIRMED = "workdays.year_confirmed"


class CalendarYearError(DomainError, ValueError):
    """A year that cannot be confirmed."""


class CalendarImportError(DomainError, ValueError):
    """All row errors of an import (nothing was written)."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors), field="file")
        self.errors = errors


@dataclass(frozen=True)
class ParsedDay:
    line: int
    date: dt.date
    kind: str
    name: str


KIND_WORDS = {
    "holiday": DayKind.HOLIDAY, "休": DayKind.HOLIDAY, "假": DayKind.HOLIDAY, "休息": DayKind.HOLIDAY,
    "放假": DayKind.HOLIDAY, "节假日": DayKind.HOLIDAY,
    "workday": DayKind.WORKDAY, "班": DayKind.WORKDAY, "上班": DayKind.WORKDAY, "调休上班": DayKind.WORKDAY,
    "工作日": DayKind.WORKDAY,
}
_HEADER = {"date", "日期"}
# Import limits (issue 14 item 5): a year's official schedule is a few dozen lines.
MAX_IMPORT_CHARS = 200_000
MAX_IMPORT_LINES = 2_000
MAX_CELL_CHARS = 200
MAX_ERRORS = 200
_RANGE = re.compile(r"^\s*(\d{4}-\d{1,2}-\d{1,2})\s*(?:~|～|\.\.|至)\s*(\d{4}-\d{1,2}-\d{1,2})\s*$")


def _parse_date(text: str) -> dt.date:
    """``YYYY-MM-DD`` (month and day may have one digit); ValueError otherwise."""
    parts = text.strip().split("-")
    if len(parts) != 3 or not all(p.isdigit() for p in parts) or len(parts[0]) != 4:
        raise ValueError(text)
    return dt.date(int(parts[0]), int(parts[1]), int(parts[2]))


def parse_calendar_text(text: str, *, year: int | None = None) -> list[ParsedDay]:
    """Parse the import format (README "工作日历 · Calendar import"): one line per date or range,
    ``日期或日期范围,类型,名称``, comma- or tab-separated, ``#`` comments, optional header line.
    Raises :class:`CalendarImportError` listing every bad row (Chinese messages)."""
    errors: list[str] = []
    days: list[ParsedDay] = []
    seen: dict[dt.date, int] = {}
    text = text.lstrip("\ufeff")
    if len(text) > MAX_IMPORT_CHARS:
        raise CalendarImportError([f"内容太长（不超过 {MAX_IMPORT_CHARS // 1000} 千字），请分批导入"])
    dialect_delim = "\t" if "\t" in text and "," not in text else ","
    reader = csv.reader(io.StringIO(text), delimiter=dialect_delim)
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error:
            errors.append(f"第{reader.line_num}行：无法解析（引号不配对或内容过长）")
            break
        lineno = reader.line_num
        if lineno > MAX_IMPORT_LINES:
            errors.append(f"第{lineno}行：超过 {MAX_IMPORT_LINES} 行，请分批导入")
            break
        if len(errors) >= MAX_ERRORS:
            errors.append(f"第{lineno}行起未再检查：错误超过 {MAX_ERRORS} 处")
            break
        if any(len(c) > MAX_CELL_CHARS for c in cells):
            errors.append(f"第{lineno}行：内容过长（每一列不超过 {MAX_CELL_CHARS} 字）")
            continue
        cells = [c.strip() for c in cells]
        if not cells or not any(cells) or cells[0].startswith("#"):
            continue
        if cells[0].lower() in _HEADER:
            continue
        if len(cells) < 2:
            errors.append(f"第{lineno}行：至少需要“日期,类型”两列")
            continue
        when, kind_text, name = cells[0], cells[1], (cells[2] if len(cells) > 2 else "")
        kind = KIND_WORDS.get(kind_text.lower()) or KIND_WORDS.get(kind_text)
        if kind is None:
            errors.append(f"第{lineno}行：类型“{kind_text}”无法识别（应为 holiday/休 或 workday/班）")
            continue
        try:
            m = _RANGE.match(when)
            if m:
                first, last = _parse_date(m.group(1)), _parse_date(m.group(2))
                if last < first:
                    errors.append(f"第{lineno}行：日期范围“{when}”的结束早于开始")
                    continue
                if (last - first).days > 60:
                    errors.append(f"第{lineno}行：日期范围“{when}”超过60天")
                    continue
            else:
                first = last = _parse_date(when)
        except ValueError:
            errors.append(f"第{lineno}行：日期“{when}”无法识别（格式 YYYY-MM-DD，范围用 ~ 连接）")
            continue
        d = first
        while d <= last:
            if year is not None and d.year != year:
                errors.append(f"第{lineno}行：日期 {d} 不在 {year} 年")
                break
            if d in seen:
                errors.append(f"第{lineno}行：日期 {d} 与第{seen[d]}行重复")
                break
            if kind == DayKind.WORKDAY and d.weekday() < 5:
                errors.append(f"第{lineno}行：{d} 是周一至周五，本就是工作日，不能再标为调休上班")
                break
            seen[d] = lineno
            days.append(ParsedDay(lineno, d, kind, name[:100]))
            d += dt.timedelta(days=1)
    if not days and not errors:
        errors.append("文件中没有任何日期")
    if errors:
        raise CalendarImportError(errors)
    return days


@dataclass(frozen=True)
class ImportResult:
    years: list[int]
    holidays: int
    workdays: int
    replaced: int


@transaction.atomic
def import_calendar(text: str, *, year: int | None = None, source: str = "导入", by: str = "",
                    now: dt.datetime) -> ImportResult:
    """Load an official schedule (global rows) for the years in the file, all or nothing: earlier
    global rows of those years are replaced, each year becomes official, and
    ``workdays.year_confirmed`` is published for each year."""
    days = parse_calendar_text(text, year=year)
    years = sorted({d.date.year for d in days} | ({year} if year else set()))
    replaced = 0
    for y in years:
        replaced += CalendarDay.objects.filter(company=None, date__year=y).delete()[0]
    CalendarDay.objects.bulk_create([
        CalendarDay(date=d.date, kind=d.kind, name=d.name, company=None, source=source) for d in days
    ])
    for y in years:
        mark_official(y, source=source, by=by, now=now)
    DataVersion.bump()  # bulk operations send no post_save
    return ImportResult(years=years, holidays=sum(d.kind == DayKind.HOLIDAY for d in days),
                        workdays=sum(d.kind == DayKind.WORKDAY for d in days), replaced=replaced)


def mark_official(year: int, *, source: str, by: str, now: dt.datetime) -> None:
    """Mark ``year`` official inside the caller's transaction and publish ``workdays.year_confirmed``
    (its reactions run after the commit)."""
    OfficialYear.objects.update_or_create(year=year, defaults={
        "status": YearStatus.OFFICIAL, "source": source[:200], "confirmed_at": now, "confirmed_by": by[:150]})
    jobs.publish(YEAR_CONFIRMED, year=year)


@transaction.atomic
def confirm_year(year: int, *, source: str = "管理员确认", by: str = "", now: dt.datetime) -> OfficialYear:
    """Mark ``year`` official (its override rows entered by hand are the schedule); publishes
    ``workdays.year_confirmed``."""
    if not 1900 <= year <= 2200:
        raise CalendarYearError(f"年份 {year} 无效", field="year")
    mark_official(year, source=source, by=by, now=now)
    return OfficialYear.objects.get(year=year)




# ---------------------------------------------------------------------- working-day index (working time in SQL)
INDEX_ANCHOR = dt.date(2000, 1, 1)
INDEX_SENTINEL = dt.date(1999, 12, 31)


def ensure_working_day_index(until: dt.date, *, project: Any = None, rebuild: bool = False) -> int:
    """Make sure the :class:`WorkingDayIndex` rows of the project's company cover
    ``INDEX_ANCHOR … until`` (+ 1 year) and match the current :class:`DataVersion`. Returns the rows
    written (0 when up to date). Derived data: rebuilt wholesale with a bulk write (no history)."""
    company_id: int | None = getattr(project, "company_id", None)
    rows_of = WorkingDayIndex.objects.filter(company=company_id)
    version = DataVersion.current()
    sentinel = rows_of.filter(day=INDEX_SENTINEL).values_list("code", flat=True).first()
    last = rows_of.order_by("-day").values_list("day", flat=True).first()
    if not rebuild and sentinel == version and last is not None and last >= until:
        return 0
    end = max(until, clock.today()) + dt.timedelta(days=366)
    cal = queries.calendar_for(project, version=version) if project is not None else \
        queries.company_calendar(company_id, version=version)
    rows = [WorkingDayIndex(company_id=company_id, day=INDEX_SENTINEL, code=version)]
    rows += [WorkingDayIndex(company_id=company_id, day=day, code=code)
             for day, code in wc.working_day_codes(INDEX_ANCHOR, end, cal)]
    with transaction.atomic():
        rows_of.delete()
        WorkingDayIndex.objects.bulk_create(rows, batch_size=2000)
        if connection.vendor == "postgresql":
            # fresh statistics after the bulk fill, or the planner keeps the empty table's estimates
            # and picks bad plans for the working-day joins of the KPIs (issue 15)
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(WorkingDayIndex._meta.db_table)}")
    return len(rows)
