"""Doors to other apps (notify, workdays, tickets signals) that may be written in parallel.

Each adapter calls the contract function of the other app (issue 5 brief, "Cross-app contracts");
when that app is not installed yet it falls back to a documented local behaviour, never a fake
success: a notification that cannot be delivered is logged as a warning and the caller's claim
markers still prevent duplicates.
"""
from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from typing import Any

from apps.escalation import rules

log = logging.getLogger(__name__)


def notify_staff(recipients: Iterable[Any], *, kind: str, subject: str, body: str, link: str = "",
                 project: Any = None, dedupe_key: str | None = None, now: dt.datetime,
                 working_hours: bool = False) -> list[Any]:
    """``apps.notify.services.notify_staff`` (contract 3); dedupe_key makes a repeat a no-op.
    ``working_hours``: hold the outgoing pushes until the project's next working moment (R-M17-11)."""
    users = [u for u in recipients if u is not None]
    try:
        from apps.notify.services import notify_staff as _notify
    except ImportError:  # notify app not landed yet
        log.warning("notify unavailable, not delivered: %s %s → %s", kind, subject, [u.pk for u in users])
        return []
    return list(_notify(users, kind=kind, subject=subject, body=body, link=link, project=project,
                        dedupe_key=dedupe_key, now=now, respect_working_hours=working_hours))


def add_working_days_for(project: Any) -> Any:
    """A ``(start, n) -> deadline`` function using the project's working-day calendar (T-03, T-04),
    or Monday–Friday when the workdays app is not available."""
    tz = getattr(project, "tz", None) or rules.ZoneInfo("Asia/Shanghai")
    try:
        from apps.workdays import calendar as wcal
        from apps.workdays.services import calendar_for
    except ImportError:
        return lambda start, n: rules.weekday_add_working_days(start, n, tz=tz)
    cal = calendar_for(project)

    def add(start: dt.datetime, n: int) -> dt.datetime:
        try:
            return wcal.add_working_days(start, n, calendar=cal)
        except TypeError:  # positional calendar in some versions of the workdays API
            return wcal.add_working_days(start, n, cal)

    return add
