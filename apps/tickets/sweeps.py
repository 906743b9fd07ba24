"""Periodic work of the ticket pipeline (ARCHITECTURE "Time": the sweep only flags and notifies).

- R-M2-17 / AS-11: a complaint still open when its 1-working-day ``respond`` limit has passed is
  flagged 记录表投诉 (it then needs a named handler and the record form).
- R-M1-11 / AS-42: receivers who did not confirm a day's 日盘点 are reminded once, at the start of the
  project's working hours of the next working day — every day since the last working day, weekends and
  holidays included (:func:`unreminded_days`).
- R-M1-12 / AS-42: days without a suggestion-box opening are reported.
- R-M2-03: complaints the developer or the municipality handles whose progress notice to the owner is
  overdue (the company's interval, :mod:`apps.tickets.progress`) — their followers are reminded once.
- R-M4-10: a question from a return visit still unanswered at the promised time — the visitor and the
  receiver are reminded once.

``manage.py tickets_sweep --now …`` runs one pass; every step is idempotent (compare-and-set).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from apps.org.models import Project
from apps.tickets import inventory, progress
from apps.tickets.actions.coordination import remind_owner_update
from apps.tickets.actions.record_form import flag_record_form
from apps.tickets.actions.verification import remind_overdue_questions
from apps.tickets.choices import OPEN_STATUSES, Kind, Stage
from apps.tickets.models import Deadline, Ticket
from apps.workdays.queries import calendar_for


@dataclass
class SweepResult:
    record_forms: int = 0
    reminders: int = 0
    owner_update_reminders: int = 0
    question_reminders: int = 0
    missing_box_days: dict[str, list[dt.date]] = field(default_factory=dict)


def flag_one_record_form(now: dt.datetime) -> bool:
    """Flag one open complaint whose respond limit passed (R-M2-17). Returns False when none is left."""
    d = (Deadline.objects.filter(stage=Stage.RESPOND, cycle=0, due_at__lt=now, ticket__kind=Kind.COMPLAINT,
                                 ticket__record_form=False, ticket__status__in=OPEN_STATUSES)
         .order_by("due_at").select_related("ticket").first())
    if d is None:
        return False
    flag_record_form(ticket=d.ticket, now=now)
    return True


def record_form_candidates(now: dt.datetime) -> list[Ticket]:
    """Every open complaint whose respond limit (first cycle) has passed and that is not flagged yet,
    earliest limit first — read once for the pass (issue 15: one query, not one per complaint)."""
    rows = (Deadline.objects.filter(stage=Stage.RESPOND, cycle=0, due_at__lt=now, ticket__kind=Kind.COMPLAINT,
                                    ticket__record_form=False, ticket__status__in=OPEN_STATUSES)
            .order_by("due_at", "pk").select_related("ticket"))
    return list({d.ticket_id: d.ticket for d in rows}.values())


def unreminded_days(calendar: Any, today: dt.date, *, longest_break: int = 31) -> list[dt.date]:
    """R-M1-11: every calendar day since the last working day before ``today`` (that day included) up to
    yesterday — a Friday's, a weekend's or a holiday's unconfirmed 日盘点 is reminded at the start of the
    next working day, not only yesterday's. Reminding is idempotent, so overlapping passes are safe."""
    day = today - dt.timedelta(days=1)
    days = [day]
    while not calendar.is_working_day(day) and len(days) < longest_break:
        day -= dt.timedelta(days=1)
        days.append(day)
    return days[::-1]


def run(now: dt.datetime) -> SweepResult:
    result = SweepResult()
    for ticket in record_form_candidates(now):  # the action locks and re-reads each one: safe to race
        result.record_forms += flag_record_form(ticket=ticket, now=now)
    for ticket, _due in progress.overdue_owner_updates(now):  # the action re-checks under the lock
        result.owner_update_reminders += remind_owner_update(ticket=ticket, now=now)
    result.question_reminders = remind_overdue_questions(now)
    for project in Project.objects.filter(active=True):
        local = now.astimezone(project.tz)
        yesterday = local.date() - dt.timedelta(days=1)
        calendar = calendar_for(project)
        if local.time() >= project.work_start and calendar.is_working_day(local.date()):
            for day in unreminded_days(calendar, local.date()):
                result.reminders += inventory.remind_unconfirmed(project, day, now=now)
        missing = inventory.days_without_box_opening(project, yesterday, yesterday)
        if missing and project.suggestion_box_time is not None:
            result.missing_box_days[project.code] = missing
    return result
