"""Former name of :mod:`apps.workdays.queries` (reads) and :mod:`apps.workdays.actions` (writes).

Kept only so callers in other apps that still import ``apps.workdays.services`` keep working while
issue 13 lands in parallel branches; new code imports ``queries`` or ``actions``. Delete this module
once ``grep -r "workdays.services" apps`` finds nothing.
"""
from __future__ import annotations

from apps.workdays.actions import (
                                   CalendarImportError,
                                   CalendarYearError,
                                   ImportResult,
                                   ParsedDay,
                                   confirm_year,
                                   ensure_working_day_index,
                                   import_calendar,
                                   mark_official,
                                   parse_calendar_text,
)
from apps.workdays.queries import (
                                   PACKAGE_NAME,
                                   CalendarData,
                                   DayCell,
                                   DeadlineItem,
                                   calendar_data,
                                   calendar_for,
                                   choose,
                                   clear_caches,
                                   company_calendar,
                                   compute,
                                   deadlines_for,
                                   month_grid,
                                   package_days,
                                   policy_rows_for,
                                   policy_table,
                                   reply_class_of,
                                   rule_sets_for,
                                   settings_for,
                                   uncovered_years,
                                   working_hours,
)

__all__ = [
    "PACKAGE_NAME", "CalendarData", "CalendarImportError", "CalendarYearError", "DayCell", "DeadlineItem",
    "ImportResult", "ParsedDay", "calendar_data", "calendar_for", "choose", "clear_caches", "company_calendar",
    "compute", "confirm_year", "deadlines_for", "ensure_working_day_index", "import_calendar", "mark_official",
    "month_grid", "package_days", "parse_calendar_text", "policy_rows_for", "policy_table", "reply_class_of",
    "rule_sets_for", "settings_for", "uncovered_years", "working_hours",
]
