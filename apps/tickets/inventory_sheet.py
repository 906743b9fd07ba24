"""The daily inventory sheet (日盘点, R-M1-11): per receiver, what they recorded that day, what is still
open and what falls due tomorrow, with their confirmation. Read by the inventory page, its print view
and the reports' statistics page."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, QuerySet

from apps.org.models import Project
from apps.tickets import queries
from apps.tickets.models import Deadline, Ticket


@dataclass
class ReceiverSheet:
    receiver: Any
    received: list[Ticket] = field(default_factory=list)
    still_open: list[Ticket] = field(default_factory=list)
    due_tomorrow: list[Ticket] = field(default_factory=list)
    confirmation: Any = None


@dataclass
class InventorySheet:
    day: dt.date
    receivers: list[ReceiverSheet]

    @property
    def totals(self) -> dict[str, int]:
        return {
            "received": sum(len(r.received) for r in self.receivers),
            "still_open": sum(len(r.still_open) for r in self.receivers),
            "due_tomorrow": sum(len(r.due_tomorrow) for r in self.receivers),
        }


def _bounds(day: dt.date, tz: dt.tzinfo) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(day, dt.time.min, tzinfo=tz)
    return start, dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=tz)


def build_inventory_sheet(tickets: QuerySet[Ticket], *, project: Project, day: dt.date, now: dt.datetime,
          receiver_id: int | None = None) -> InventorySheet:
    """The 日盘点 sheet (R-M1-11; issue 4 item 7), read-only: for one project and calendar day, per
    receiver — what they received that day (with its current holder), everything they received that
    is still open, and what falls due the next day. ``tickets`` is already limited to what the viewer
    may see in ``project``."""
    tz = project.tz
    start, end = _bounds(day, tz)
    tomorrow_start, tomorrow_end = _bounds(day + dt.timedelta(days=1), tz)
    if receiver_id:
        tickets = tickets.filter(receiver_id=receiver_id)
    base = tickets.select_related("receiver", "household", "department").prefetch_related(
        Prefetch("deadlines", queryset=Deadline.objects.order_by("due_at")))
    received = list(base.filter(received_at__gte=start, received_at__lt=end).order_by("received_at"))
    open_qs = queries.open_only(base.filter(received_at__lt=end))
    still_open = list(open_qs.order_by("received_at"))
    due_soon = Deadline.objects.filter(ticket=OuterRef("pk"), met_at__isnull=True, due_at__gte=tomorrow_start,
                                       due_at__lt=tomorrow_end)
    due_tomorrow = list(queries.open_only(base).filter(Exists(due_soon)).order_by("received_at"))

    sheets: dict[int | None, ReceiverSheet] = {}

    def sheet_for(t: Ticket) -> ReceiverSheet:
        key = t.receiver_id
        if key not in sheets:
            sheets[key] = ReceiverSheet(receiver=t.receiver)
        return sheets[key]

    for t in received:
        sheet_for(t).received.append(t)
    for t in still_open:
        sheet_for(t).still_open.append(t)
    for t in due_tomorrow:
        sheet_for(t).due_tomorrow.append(t)
        t.due_tomorrow_deadlines = [  # type: ignore[attr-defined]  # read by the template
            d for d in t.deadlines.all()
            if d.met_at is None and d.due_at is not None and tomorrow_start <= d.due_at < tomorrow_end]
    confirmations = queries.inventory_confirmations(project, day, [k for k in sheets if k])
    for key, sheet in sheets.items():
        sheet.confirmation = confirmations.get(key) if key is not None else None
    ordered = sorted(sheets.values(), key=lambda s: (s.receiver is None, str(s.receiver or "")))
    return InventorySheet(day=day, receivers=ordered)
