"""How a stored deadline reads to staff: due time, time left, overdue (issue 4 item 3, T-13).

Pure functions over plain values (no ORM, no clock): the caller passes ``now``. Used by the pages
(template tags), the API (``overdue``) and the list filters, so all three say the same thing.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _


@dataclass(frozen=True)
class DeadlineState:
    """One deadline as shown: ``code`` is stable (CSS/tests), ``label`` is Chinese."""

    code: str  # "due_now" | "open" | "warning" | "overdue" | "met" | "met_late"
    label: str
    colour: str  # badge colour (apps/core linli.css)


def humanize_span(seconds: float) -> str:
    """``90061`` → ``1天1小时``; minutes only below one hour; never empty."""
    seconds = int(abs(seconds))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return _("%(d)d天%(h)d小时") % {"d": days, "h": hours} if hours else _("%(d)d天") % {"d": days}
    if hours:
        return _("%(h)d小时%(m)d分") % {"h": hours, "m": minutes} if minutes else _("%(h)d小时") % {"h": hours}
    return _("%(m)d分钟") % {"m": max(minutes, 1) if seconds else 0}


def deadline_state(*, due_at: dt.datetime | None, met_at: dt.datetime | None, now: dt.datetime,
                   warn_at: dt.datetime | None = None) -> DeadlineState:
    """State of one deadline at ``now``.

    ``due_at`` None is a "立即/及时" item without a hard limit (T-13): shown as "due now" until met.
    A met deadline is "met" or "met late" by comparing the two stored times.
    """
    if met_at is not None:
        if due_at is not None and met_at > due_at:
            return DeadlineState("met_late", _("超时完成（晚%(s)s）") % {"s": humanize_span((met_at - due_at).total_seconds())}, "orange")
        return DeadlineState("met", _("按时完成"), "green")
    if due_at is None:
        return DeadlineState("due_now", _("立即办理"), "yellow")
    left = (due_at - now).total_seconds()
    if left < 0:
        return DeadlineState("overdue", _("已超时%(s)s") % {"s": humanize_span(left)}, "red")
    if warn_at is not None and now >= warn_at:
        return DeadlineState("warning", _("剩余%(s)s") % {"s": humanize_span(left)}, "orange")
    return DeadlineState("open", _("剩余%(s)s") % {"s": humanize_span(left)}, "blue")


def is_overdue(*, due_at: dt.datetime | None, met_at: dt.datetime | None, now: dt.datetime) -> bool:
    """Open and past its due time (ARCHITECTURE: overdue is a query, not a flag)."""
    return met_at is None and due_at is not None and due_at < now
