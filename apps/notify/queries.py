"""Notification reads (SPEC M17): quiet hours and the next allowed contact moment (R-M17-01, P-21),
the outbound call order (R-M4-14), the inbox, the delivery log, retry timing.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Q, QuerySet

from apps.core.errors import DomainError
from apps.notify import quiet_hours
from apps.notify.models import (
    DEFAULT_WARN_PERCENT,
    Channel,
    DeadlineReminderPolicy,
    Delivery,
    Notification,
    OwnerSmsOptOut,
    QuietHoursPolicy,
)
from apps.notify.owner_topics import TOPICS
from apps.org import access
from apps.org.models import Project
from apps.workdays import calendar as wcal
from apps.workdays.queries import calendar_for

CALL = "call"  # an outbound phone call made by staff (not a Delivery; R-M17-01 covers it by default)


class NotifyError(DomainError):
    """A refused request, with a Chinese message (→ 422 in the API, a form error in pages)."""


# ================================================================ quiet hours (R-M17-01, P-21)


@dataclass(frozen=True)
class QuietPolicy:
    """The effective quiet-hours policy of one project."""

    windows: tuple[quiet_hours.Window, ...]
    tz: dt.tzinfo
    calls: bool = True
    sms: bool = False

    def covers(self, channel: str) -> bool:
        """Does the policy restrict this way of contacting an owner?"""
        if channel == CALL:
            return self.calls
        if channel == Channel.SMS:
            return self.sms
        return False

    def describe(self) -> str:
        return quiet_hours.describe(self.windows)


def policy_for(project: Project) -> QuietPolicy:
    """The project's QuietHoursPolicy, else its company's, else the P-21 defaults."""
    rows = list(QuietHoursPolicy.objects.filter(Q(project=project) | Q(project=None, company_id=project.company_id)))
    row = next((r for r in rows if r.project_id is not None), rows[0] if rows else None)
    if row is None:
        return QuietPolicy(quiet_hours.DEFAULT_WINDOWS, project.tz)
    return QuietPolicy(tuple(row.parsed_windows()), project.tz, calls=row.applies_to_calls, sms=row.applies_to_sms)


def next_contact_moment(project: Project | QuietPolicy, moment: dt.datetime, *, channel: str = CALL,
                        emergency: bool = False) -> dt.datetime:
    """When may staff (or Linli) contact an owner of ``project`` on ``channel``, at or after ``moment``?"""
    policy = project if isinstance(project, QuietPolicy) else policy_for(project)
    if emergency or not policy.covers(channel):
        return moment
    return quiet_hours.next_allowed_moment(moment, policy.windows, policy.tz)


def call_warning(project: Project, moment: dt.datetime) -> str | None:
    """A Chinese warning when ``moment`` is inside a quiet window for phone calls (R-M17-01), else None."""
    policy = policy_for(project)
    if not policy.covers(CALL):
        return None
    window = quiet_hours.window_at(moment, policy.windows, policy.tz)
    if window is None:
        return None
    nxt = quiet_hours.next_allowed_moment(moment, policy.windows, policy.tz).astimezone(policy.tz)
    return f"现在是免打扰时段（{window.label()}），建议 {nxt:%m-%d %H:%M} 以后再致电业主"


def check_call_time(project: Project, moment: dt.datetime, *, emergency_reason: str = "") -> str | None:
    """R-M17-01: planning or logging a call inside a quiet window is refused unless an emergency
    reason is given. Returns the warning (kept with the record) or None when the time is allowed."""
    warning = call_warning(project, moment)
    if warning and not emergency_reason.strip():
        raise NotifyError(f"{warning}；如确属紧急情况，请填写紧急原因", code="quiet_hours", field="emergency_reason")
    return warning


# ================================================================ deadline reminders (R-M17-11)


def deadline_warn_fraction(project: Project | None) -> float:
    """When the deadline sweep warns, as a fraction of a stage's time (R-M17-11): the project's
    :class:`DeadlineReminderPolicy`, else its company's, else 75 %."""
    if project is None:
        return DEFAULT_WARN_PERCENT / 100
    rows = list(DeadlineReminderPolicy.objects.filter(Q(project=project) | Q(project=None,
                                                                               company_id=project.company_id)))
    row = next((r for r in rows if r.project_id is not None), rows[0] if rows else None)
    return (row.warn_percent if row is not None else DEFAULT_WARN_PERCENT) / 100


@dataclass(frozen=True)
class CallSlot:
    """One row of an outbound call list: the item and the earliest moment it may be called."""

    item: Any
    call_at: dt.datetime
    wanted_at: dt.datetime
    project: Project | None

    @property
    def deferred(self) -> bool:
        """Quiet hours moved the call later than wanted."""
        return self.call_at > self.wanted_at


def order_call_list(items: Iterable[Any], project: Project | None = None, now: dt.datetime | None = None, *,
                    not_before: Callable[[Any], dt.datetime | None] | None = None,
                    due: Callable[[Any], dt.datetime | None] | None = None) -> list[CallSlot]:
    """Order an outbound call list (return visits, R-M4-14) by the next allowed moment (R-M17-01).

    Each item is called no earlier than ``now`` and ``not_before(item)`` (e.g. an appointment or a
    retry after 联系不上), moved out of its project's quiet windows; ties keep the earlier ``due``
    first, then the original order. Items carry their project as ``item.project`` unless
    ``project`` is given for all of them.
    """
    if now is None:
        raise TypeError("order_call_list needs now")
    policies: dict[int, QuietPolicy] = {}
    rows: list[tuple[dt.datetime, dt.datetime, int, CallSlot]] = []
    far = dt.datetime.max.replace(tzinfo=dt.UTC)
    for index, item in enumerate(items):
        proj = project or getattr(item, "project", None)
        wanted = now
        extra = not_before(item) if not_before else None
        if extra is not None and extra > wanted:
            wanted = extra
        if proj is None:
            call_at = wanted
        else:
            if proj.pk not in policies:
                policies[proj.pk] = policy_for(proj)
            call_at = next_contact_moment(policies[proj.pk], wanted, channel=CALL)
        slot = CallSlot(item=item, call_at=call_at, wanted_at=wanted, project=proj)
        rows.append((call_at, (due(item) if due else None) or far, index, slot))
    rows.sort(key=lambda r: (r[0], r[1], r[2]))
    return [r[3] for r in rows]


# R-M17-10: hot/major complaints and their overdue reports are urgent internal notices — in-app
# plus SMS to everyone notified who has a mobile number, whatever their own SMS preference.
DEFAULT_URGENT_KINDS = frozenset({"escalation_hot", "escalation_major", "escalation_report_breach", "online_complaint"})


def urgent_kinds() -> frozenset[str]:
    return frozenset(getattr(settings, "LINLI_NOTIFY_URGENT_KINDS", DEFAULT_URGENT_KINDS))


def next_working_moment(project: Project, moment: dt.datetime) -> dt.datetime:
    """The first moment at or after ``moment`` inside ``project``'s working hours on a working day
    (its company's calendar, T-03/T-14), in UTC."""

    return wcal.next_working_moment(moment, calendar_for(project)).astimezone(dt.UTC)


# ================================================================ inbox


def unread_count(user: Any) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(recipient=user, read_at=None).count()


def inbox(user: Any, *, unread_only: bool = False) -> QuerySet[Notification]:
    qs = Notification.objects.filter(recipient=user).select_related("project")
    return qs.filter(read_at=None) if unread_only else qs


# ================================================================ delivery


def max_attempts() -> int:
    return int(getattr(settings, "LINLI_NOTIFY_MAX_ATTEMPTS", 5))


def retry_delay(attempt: int) -> dt.timedelta:
    """Exponential backoff after failed attempt ``attempt`` (1-based): base·2^(n−1), capped."""
    base = float(getattr(settings, "LINLI_NOTIFY_RETRY_BASE_SECONDS", 60))
    cap = float(getattr(settings, "LINLI_NOTIFY_RETRY_MAX_SECONDS", 3600))
    return dt.timedelta(seconds=min(base * 2 ** max(attempt - 1, 0), cap))


# ================================================================ who sees the delivery log


def log_projects(user: Any) -> list[Project]:
    """Projects whose delivery log ``user`` may read: managers (rank ≥ 30) and company-level roles."""

    if not getattr(user, "is_authenticated", False):
        return []
    return [p for p in access.visible_projects(user) if access.rank_in(user, p) >= 30]


def visible_deliveries(user: Any) -> QuerySet[Delivery]:
    projects = log_projects(user)
    qs = Delivery.objects.filter(project__in=projects)
    if getattr(user, "is_superuser", False):
        qs = Delivery.objects.filter(Q(project__in=projects) | Q(project=None))
    return qs.select_related("project", "recipient_user", "config")


# ================================================================ the call list's source


CallSource = Callable[[Any], Iterable[Any]]
_call_source: list[CallSource] = []


def provide_call_candidates(source: CallSource) -> None:
    """Register where the outbound call list (R-M4-14) gets its items: notify sits below the ticket
    pipeline and does not import it; a higher module (``apps.home``) supplies the return-visit queue
    at start-up. Each item carries ``project`` (and ``pk``, ``number``, ``household``, ``content``)."""
    _call_source[:] = [source]


def call_candidates(user: Any) -> Iterable[Any]:
    """The items ``user`` may call back, from the registered source; none registered is a
    configuration error (raised, never an empty list)."""
    if not _call_source:
        raise ImproperlyConfigured("No call-list source: install apps.home, which supplies the return-visit queue "
                                   "to apps.notify.queries.provide_call_candidates at start-up.")
    return _call_source[0](user)


# ================================================================ owners' SMS topics (issue 19 item 6)


def owner_sms_topics(phone: str) -> list[dict[str, Any]]:
    """The SMS topics an owner may switch off, each with whether it is on for the phone."""
    off = set(OwnerSmsOptOut.objects.filter(phone=phone).values_list("topic", flat=True))
    return [{"code": code, "label": str(label), "help": str(help_text), "on": code not in off}
            for code, label, help_text in TOPICS]
