"""日盘点 (R-M1-11) and 意见箱 (R-M1-12) queries and the sweep's reminder bookkeeping.

The page and its print view (apps.tickets.views) read these functions; the sweep
(``manage.py tickets_sweep``) sends the reminders and flags.

- :func:`received_on` — what each receiver recorded on a local day, with each ticket's holder;
- :func:`still_open` — everything still open in the project(s);
- :func:`due_between` / :func:`due_tomorrow` — open deadlines falling due on the next day;
- the receiver's confirmation of their day is an action (:func:`apps.tickets.actions.confirm_inventory`);
- :func:`unconfirmed_inventories` / :func:`remind_unconfirmed` — reminders at the start of the next
  working day (AS-42);
- :func:`days_without_box_opening` — calendar days with no suggestion-box opening logged (AS-42).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Count, QuerySet

from apps.notify import actions as notify_services
from apps.org.models import Project, User
from apps.tickets.choices import OPEN_STATUSES, TicketStatus
from apps.tickets.models import DailyInventory, Deadline, SuggestionBoxOpening, Ticket


def day_bounds(project: Project, day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) of a local calendar day of the project, as aware datetimes."""
    start = dt.datetime.combine(day, dt.time(0, 0), tzinfo=project.tz)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0, 0), tzinfo=project.tz)
    return start, end


def received_on(project: Project, day: dt.date, *, receiver: User | None = None) -> QuerySet[Ticket]:
    """Tickets recorded on ``day`` (project time) — by ``receiver`` when given — not voided,
    with receiver, department and handler loaded (the 日盘点 list)."""
    start, end = day_bounds(project, day)
    qs = Ticket.objects.filter(project=project, recorded_at__gte=start, recorded_at__lt=end).exclude(
        status=TicketStatus.VOIDED)
    if receiver is not None:
        qs = qs.filter(receiver=receiver)
    return qs.select_related("receiver", "department", "handler", "household").order_by("receiver_id", "recorded_at")


def received_by_receiver(project: Project, day: dt.date) -> dict[Any, list[Ticket]]:
    """{receiver: [tickets]} for the day, in recording order."""
    groups: dict[Any, list[Ticket]] = {}
    for t in received_on(project, day):
        groups.setdefault(t.receiver, []).append(t)
    return groups


def still_open(projects: Iterable[Project] | QuerySet[Project]) -> QuerySet[Ticket]:
    return Ticket.objects.filter(project__in=projects, status__in=OPEN_STATUSES).select_related(
        "receiver", "department", "handler").order_by("received_at")


def due_between(projects: Iterable[Project] | QuerySet[Project], start: dt.datetime,
                end: dt.datetime) -> QuerySet[Deadline]:
    return (Deadline.objects.open().filter(ticket__project__in=projects, ticket__status__in=OPEN_STATUSES)
            .due_between(start, end).select_related("ticket", "ticket__handler", "ticket__department")
            .order_by("due_at"))


def due_tomorrow(project: Project, today: dt.date) -> QuerySet[Deadline]:
    start, end = day_bounds(project, today + dt.timedelta(days=1))
    return due_between([project], start, end)


def inventory_summary(project: Project, day: dt.date) -> dict[str, Any]:
    """Counts for the page header: received today, still open, due tomorrow."""
    return {
        "received": received_on(project, day).count(),
        "open": still_open([project]).count(),
        "due_tomorrow": due_tomorrow(project, day).count(),
    }


def unconfirmed_inventories(project: Project, day: dt.date) -> list[tuple[Any, int]]:
    """Receivers with tickets recorded on ``day`` who have not confirmed the day: [(user, count)]."""
    start, end = day_bounds(project, day)
    counts = (Ticket.objects.filter(project=project, recorded_at__gte=start, recorded_at__lt=end)
              .exclude(status=TicketStatus.VOIDED).values("receiver").annotate(n=Count("id")))
    confirmed = set(DailyInventory.objects.filter(project=project, day=day, confirmed_at__isnull=False)
                    .values_list("receiver_id", flat=True))
    users = {u.pk: u for u in User.objects.filter(pk__in=[c["receiver"] for c in counts])}
    return [(users[c["receiver"]], c["n"]) for c in counts if c["receiver"] not in confirmed]


def remind_unconfirmed(project: Project, day: dt.date, *, now: dt.datetime) -> int:
    """Send one reminder per unconfirmed receiver of ``day`` (AS-42: at the start of the next working
    day — the sweep decides when). Idempotent: ``reminded_at`` plus the notify dedupe key."""
    sent = 0
    for user, count in unconfirmed_inventories(project, day):
        with transaction.atomic():
            row, _ = DailyInventory.objects.select_for_update().get_or_create(project=project, receiver=user, day=day)
            if row.reminded_at is not None:
                continue
            row.ticket_count = count
            row.reminded_at = now
            row.save(update_fields=["ticket_count", "reminded_at"])
            key = f"inventory-{project.pk}-{user.pk}-{day.isoformat()}"

            def send(user: Any = user, count: int = count, key: str = key) -> None:
                notify_services.notify_staff([user], kind="daily_inventory", subject=f"{day:%m月%d日}日盘点未确认",
                                             body=f"您 {day:%Y-%m-%d} 受理了 {count} 件诉求，请核对并确认日盘点。",
                                             link="/tickets/inventory/", project=project, dedupe_key=key, now=now)

            transaction.on_commit(send)
            sent += 1
    return sent


def days_without_box_opening(project: Project, start: dt.date, end: dt.date) -> list[dt.date]:
    """Calendar days in [start, end] with no suggestion-box opening logged (R-M1-12, AS-42)."""
    logged = set(SuggestionBoxOpening.objects.filter(project=project, local_date__gte=start, local_date__lte=end)
                 .values_list("local_date", flat=True))
    days = []
    d = start
    while d <= end:
        if d not in logged:
            days.append(d)
        d += dt.timedelta(days=1)
    return days
