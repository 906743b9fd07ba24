"""The one definition of each ticket measure (issue 23 item 2) — "open", "overdue", "due soon" and
"on time". The home dashboard, the ticket list and its API, and the reports' KPIs all build their
counts from these conditions, so the same data gives the same number everywhere (docs/measures.md).

They live here, in ``apps.tickets`` (the lowest layer every user can import), not in
``apps.reports``: the home page and the ticket list sit beside or below reports.

- **open** (未结): the ticket's status is one of :data:`OPEN_STATUSES` — not closed, not 未关闭, not
  voided.
- **running deadline** (未完成时限): a deadline neither met nor cancelled.
- **overdue** (已超时): an *open* ticket with at least one running deadline whose due time has passed.
  Counted per ticket, never per deadline.
- **due soon** (即将到期): an *open* ticket that is not overdue and has a running deadline falling due
  between now and the end of the current day (Asia/Shanghai) — the "今日到期" of the dashboard.
- **investigation late** (当日未调查核实, R-M2-02): a complaint not investigated by the end of its intake
  day — investigated at or after ``investigation_due_at``, or still open, uninvestigated and not resolved
  on the spot once that moment has passed.
- **on time** (及时): a deadline that was met no later than its due time (``met_in_time``); it is
  *decided* once met or once past due (then late). Rates count decided deadlines only.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Exists, F, OuterRef, Q

from apps.tickets.choices import OPEN_STATUSES
from linli import clock

__all__ = ["OPEN_STATUSES", "decided_q", "due_soon_q", "due_soon_until", "late_q", "on_time_q", "open_q",
           "investigation_due", "investigation_late", "investigation_late_q", "overdue_deadline_q", "overdue_q", "running_deadline_q"]


def _p(prefix: str, name: str) -> str:
    return f"{prefix}__{name}" if prefix else name


def open_q(prefix: str = "") -> Q:
    """Q on Ticket (or through ``prefix``, e.g. ``ticket``): the ticket is open."""
    return Q(**{_p(prefix, "status__in"): OPEN_STATUSES})


def running_deadline_q(prefix: str = "") -> Q:
    """Q on Deadline: neither met nor cancelled."""
    return Q(**{_p(prefix, "met_at__isnull"): True, _p(prefix, "cancelled_at__isnull"): True})


def overdue_deadline_q(now: dt.datetime, prefix: str = "") -> Q:
    """Q on Deadline: running and past its due time at ``now``."""
    return running_deadline_q(prefix) & Q(**{_p(prefix, "due_at__lt"): now})


def overdue_q(now: dt.datetime) -> Q:
    """Q on Ticket: open, with at least one overdue deadline."""
    from apps.tickets.models import Deadline

    return open_q() & Q(Exists(Deadline.objects.filter(overdue_deadline_q(now), ticket=OuterRef("pk"))))


def due_soon_until(now: dt.datetime) -> dt.datetime:
    """End of the current day in Asia/Shanghai: the horizon of "due soon"."""
    day = clock.local(now).date() + dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time.min, tzinfo=clock.SHANGHAI)


def due_soon_q(now: dt.datetime) -> Q:
    """Q on Ticket: open, not overdue, with a running deadline due between ``now`` and the end of today."""
    from apps.tickets.models import Deadline

    soon = Deadline.objects.filter(running_deadline_q(), ticket=OuterRef("pk"), due_at__gte=now,
                                   due_at__lt=due_soon_until(now))
    late = Deadline.objects.filter(overdue_deadline_q(now), ticket=OuterRef("pk"))
    return open_q() & Q(Exists(soon)) & ~Q(Exists(late))


def decided_q(now: dt.datetime, prefix: str = "") -> Q:
    """Q on Deadline: met, or still running past its due time (then it is late)."""
    return Q(**{_p(prefix, "met_at__isnull"): False}) | Q(**{_p(prefix, "due_at__lt"): now})


def on_time_q(prefix: str = "") -> Q:
    """Q on Deadline: met no later than its due time."""
    return Q(**{_p(prefix, "met_in_time"): True})


def late_q(now: dt.datetime, prefix: str = "") -> Q:
    """Q on Deadline: met late, or not met and past due."""
    return Q(**{_p(prefix, "met_in_time"): False}) | Q(**{_p(prefix, "met_at__isnull"): True,
                                                           _p(prefix, "due_at__lt"): now})


def investigation_late_q(now: dt.datetime) -> Q:
    """Q on Ticket: the same-day investigation (R-M2-02) was missed — the condition of
    :func:`apps.tickets.actions.investigation_late`."""
    later = Q(investigated_at__isnull=False, investigation_due_at__isnull=False,
              investigated_at__gte=F("investigation_due_at"))
    missing = open_q() & Q(investigated_at__isnull=True, investigation_due_at__lte=now, resolved_on_spot=False)
    return later | missing


def investigation_due(kind: str, received_at: dt.datetime, tz: Any) -> dt.datetime | None:
    """R-M2-02: a complaint is investigated and verified on the day it is received — the soft deadline
    is the end of that day (23:59:59, project time); other kinds have none."""
    if kind != "complaint":
        return None
    return dt.datetime.combine(received_at.astimezone(tz).date() + dt.timedelta(days=1), dt.time(0), tzinfo=tz)


def investigation_late(ticket: Any, now: dt.datetime) -> bool:
    """R-M2-02 (soft deadline): the receiver investigates and verifies the problem on the day it is
    received. True when the complaint was not investigated by 23:59:59 (project time) of that day —
    investigated later, or still open and not investigated (and not resolved on the spot). The same
    condition in SQL is :func:`investigation_late_q`."""
    day_end = ticket.investigation_due_at
    if day_end is None:
        return False
    if ticket.investigated_at is not None:
        return bool(ticket.investigated_at >= day_end)
    return now >= day_end and ticket.status in OPEN_STATUSES and not ticket.resolved_on_spot
