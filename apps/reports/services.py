"""Former name of :mod:`apps.reports.queries` (reads) and the sweep in :mod:`apps.reports.actions`.

Kept only so callers in other apps (tests of apps.visits) that still import
``apps.reports.services`` keep working while issue 13 lands in parallel branches. Delete it once
``grep -r "reports.services" apps`` finds nothing.
"""
from __future__ import annotations

from apps.reports.actions import RunResult, generate_due, send_reminders
from apps.reports.queries import (
                                  DutyStatus,
                                  YearCompliance,
                                  configured_duty,
                                  due_at_for,
                                  duty_statuses,
                                  facts_of,
                                  late_duties,
                                  rest_day_roller,
                                  settings_for,
                                  year_compliance,
                                  year_overview,
)

__all__ = ["DutyStatus", "RunResult", "YearCompliance", "configured_duty", "due_at_for", "duty_statuses", "facts_of",
           "generate_due", "late_duties", "rest_day_roller", "send_reminders", "settings_for", "year_compliance",
           "year_overview"]
