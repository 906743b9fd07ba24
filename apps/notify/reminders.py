"""Scheduled messages to owners (SPEC M17).

- R-M17-04 welcome SMS: after the move-in formalities (a move-in date recorded on the owner or the
  household, up to ``WELCOME_WINDOW_DAYS`` ago) the owner gets one SMS with the number of the
  building's steward/butler (``Building.steward``, R-M9-15). Owners whose building has no steward
  with a phone number wait until one is recorded.
- R-M17-05 warranty reminder: one month before a household's warranty period ends (保修期满前一个月)
  an SMS goes to all its owners. Interpretation (T-08): the reminder date is the warranty end date
  minus one calendar month, clamped to the month's last day; the job queues the SMS for the first
  allowed sending time of that day (the project's quiet windows, P-21). A day the job did not run
  is caught up later, until the warranty ends; each owner gets one reminder per end date.
"""
from __future__ import annotations

import calendar
import datetime as dt
import logging
from dataclasses import dataclass

from django.db.models import Q

from apps.estates.models import Household, Person, PersonKind
from apps.notify import actions, queries, quiet_hours
from apps.notify.models import Delivery

log = logging.getLogger(__name__)

WARRANTY_KIND = "warranty_reminder"


def add_months(day: dt.date, months: int) -> dt.date:
    """T-08 on dates: the same day number ``months`` later (or earlier), clamped to the month's end."""
    idx = day.year * 12 + (day.month - 1) + months
    year, month = divmod(idx, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def warranty_reminder_date(warranty_end: dt.date) -> dt.date:
    """R-M17-05: one calendar month before the end of the warranty period."""
    return add_months(warranty_end, -1)


def first_sending_moment(project: object, day: dt.date) -> dt.datetime:
    """The first moment of ``day`` (project's local date) outside the project's quiet windows."""
    policy = queries.policy_for(project)  # type: ignore[arg-type]
    midnight = dt.datetime.combine(day, dt.time(0, 0)).replace(tzinfo=policy.tz)
    return quiet_hours.next_allowed_moment(midnight, policy.windows, policy.tz)


def warranty_text(household: object, end: dt.date) -> str:
    project = household.project  # type: ignore[attr-defined]
    return (f"尊敬的业主：您的房屋（{project.name}{household.label}）保修期将于{end.year}年{end.month}月{end.day}日届满。"  # type: ignore[attr-defined]
            f"如有需要保修的问题，请在保修期满前联系客服中心。")


@dataclass
class ReminderResult:
    queued: int = 0
    no_phone: int = 0
    welcomed: int = 0

    def __str__(self) -> str:
        return f"warranty_queued={self.queued} warranty_no_phone={self.no_phone} welcome_queued={self.welcomed}"


def queue_warranty_reminders(now: dt.datetime) -> ReminderResult:
    """Queue the warranty SMS of every owner whose household's reminder date has come (idempotent)."""

    result = ReminderResult()
    utc_day = now.date()
    # Local dates differ from the UTC date by at most one day: a coarse window, refined per project.
    households = (Household.objects.filter(warranty_end__gt=utc_day - dt.timedelta(days=1),
                                           warranty_end__lte=add_months(utc_day, 1) + dt.timedelta(days=4))
                  .select_related("project").order_by("pk"))
    for hh in households:
        today = now.astimezone(hh.project.tz).date()
        end = hh.warranty_end
        if end is None or not (warranty_reminder_date(end) <= today < end):
            continue
        owners = Person.objects.filter(household=hh, kind=PersonKind.OWNER, active=True).order_by("pk")
        for person in owners:
            key = f"warranty:{person.pk}:{end.isoformat()}"
            if Delivery.objects.filter(dedupe_key=key).exists():
                continue  # already queued (or sent) for this end date
            try:
                actions.notify_owner(person, project=hh.project, kind=WARRANTY_KIND, body=warranty_text(hh, end),
                                      now=now, not_before=first_sending_moment(hh.project, today),
                                      dedupe_key=key)
            except queries.NotifyError as exc:
                if exc.code != "no_phone":
                    raise
                result.no_phone += 1
                continue
            result.queued += 1
    return result


WELCOME_KIND = "welcome"
WELCOME_WINDOW_DAYS = 30


def _staff_name(user: object) -> str:
    return (getattr(user, "display_name", "") or user.get_full_name() or user.get_username()).strip()  # type: ignore[attr-defined]


def welcome_text(person: object, steward: object) -> str:
    project = person.project  # type: ignore[attr-defined]
    text = (f"尊敬的{person.name}：欢迎入住{project.name}！您的专属管家{_staff_name(steward)}，"  # type: ignore[attr-defined]
            f"电话{steward.phone}，有任何需要请随时联系。")  # type: ignore[attr-defined]
    if getattr(project, "service_phone", ""):
        text += f"24小时服务电话{project.service_phone}。"
    return text


def queue_welcome_messages(now: dt.datetime, result: ReminderResult | None = None) -> ReminderResult:
    """R-M17-04: one welcome SMS per owner who moved in recently, with their steward's number."""


    result = result or ReminderResult()
    utc_day = now.date()
    recent = Q(move_in_date__gte=utc_day - dt.timedelta(days=WELCOME_WINDOW_DAYS + 1), move_in_date__lte=utc_day + dt.timedelta(days=1))
    recent_hh = Q(household__move_in_date__gte=utc_day - dt.timedelta(days=WELCOME_WINDOW_DAYS + 1),
                  household__move_in_date__lte=utc_day + dt.timedelta(days=1))
    people = (Person.objects.filter(kind=PersonKind.OWNER, active=True).filter(recent | recent_hh)
              .exclude(phone="").select_related("project", "household__building__steward").order_by("pk"))
    for person in people:
        today = now.astimezone(person.project.tz).date()
        moved = person.move_in_date or person.household.move_in_date
        if moved is None or not (today - dt.timedelta(days=WELCOME_WINDOW_DAYS) <= moved <= today):
            continue
        steward = person.household.building.steward
        if steward is None or not steward.is_active or not (getattr(steward, "phone", "") or "").strip():
            continue
        key = f"welcome:{person.pk}"
        if Delivery.objects.filter(dedupe_key=key).exists():
            continue
        actions.notify_owner(person, project=person.project, kind=WELCOME_KIND, body=welcome_text(person, steward),
                              now=now, not_before=first_sending_moment(person.project, today), dedupe_key=key)
        result.welcomed += 1
    return result


def queue_all(now: dt.datetime) -> ReminderResult:
    """Every scheduled owner message whose time has come (idempotent): R-M17-04, R-M17-05."""
    return queue_welcome_messages(now, queue_warranty_reminders(now))
