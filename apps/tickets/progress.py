"""告知业主进展 (R-M2-03): complaints the developer (已转地产) or the municipality (市政配套) handles are
followed by the 物业服务中心, who informs the owner periodically. The interval is the company's setting
``TicketPolicy.owner_update_interval_days`` (working days, :mod:`apps.workdays`; 0 = no reminder).

A notice is due ``interval`` working days (T-04: the end of the N-th working day) after the latest of
the last progress notice, the written transfer to the developer and the intake. Reads only; the sweep
sends the reminder through :func:`apps.tickets.actions.coordination.remind_owner_update`.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Max, Q

from apps.tickets.choices import OPEN_STATUSES, Kind, TicketStatus
from apps.tickets.models import Ticket
from apps.tickets.policies import policy_for
from apps.workdays.calendar import add_working_days
from apps.workdays.queries import calendar_for


def in_scope_q() -> Q:
    """Open complaints handled by the developer (已转地产) or about municipal facilities, and complaints
    closed as 未关闭 — beyond the company's capability, still followed (R-M4-08)."""
    return Q(kind=Kind.COMPLAINT) & (
        (Q(status__in=OPEN_STATUSES) & (Q(status=TicketStatus.TRANSFERRED) | Q(municipal=True)))
        | Q(status=TicketStatus.UNRESOLVED))


def in_scope(ticket: Ticket) -> bool:
    if ticket.kind != Kind.COMPLAINT:
        return False
    if ticket.status == TicketStatus.UNRESOLVED:
        return True
    return ticket.status in OPEN_STATUSES and (ticket.status == TicketStatus.TRANSFERRED or ticket.municipal)


def _basis(ticket: Ticket, last_update: dt.datetime | None) -> dt.datetime:
    moments = [ticket.received_at]
    if ticket.status == TicketStatus.UNRESOLVED and ticket.closed_at is not None:
        moments.append(ticket.closed_at)
    if last_update is not None:
        moments.append(last_update)
    if ticket.status == TicketStatus.TRANSFERRED and ticket.transferred_to_developer_at is not None:
        moments.append(ticket.transferred_to_developer_at)
    return max(moments)


def owner_update_due_at(ticket: Ticket, *, interval: int | None = None,
                        last_update: dt.datetime | None = None, calendar: Any = None) -> dt.datetime | None:
    """When the next progress notice to the owner is due, or None (not followed, or no interval set)."""
    if not in_scope(ticket):
        return None
    if interval is None:
        interval = policy_for(ticket.project).owner_update_interval_days
    if interval <= 0:
        return None
    if last_update is None:
        last_update = ticket.owner_updates.aggregate(m=Max("at"))["m"]
    return add_working_days(_basis(ticket, last_update), interval, calendar or calendar_for(ticket.project))


def overdue_owner_updates(now: dt.datetime) -> list[tuple[Ticket, dt.datetime]]:
    """Every followed complaint whose progress notice is overdue at ``now`` and not reminded for that
    due moment yet, with the due moment — one query for the tickets, one per project for its policy."""
    rows = (Ticket.objects.filter(in_scope_q()).select_related("project", "coordinator", "handler")
            .annotate(last_update=Max("owner_updates__at")).order_by("pk"))
    intervals: dict[int, int] = {}
    calendars: dict[int, Any] = {}
    out: list[tuple[Ticket, dt.datetime]] = []
    for ticket in rows:
        pid = ticket.project_id
        if pid not in intervals:
            intervals[pid] = policy_for(ticket.project).owner_update_interval_days
        if intervals[pid] <= 0:
            continue
        if pid not in calendars:
            calendars[pid] = calendar_for(ticket.project)
        due = owner_update_due_at(ticket, interval=intervals[pid], last_update=ticket.last_update,
                                  calendar=calendars[pid])
        if due is None or due >= now:
            continue
        if ticket.owner_update_reminded_at is not None and ticket.owner_update_reminded_at >= due:
            continue
        out.append((ticket, due))
    return out
