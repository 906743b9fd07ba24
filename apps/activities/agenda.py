"""The activities' items in the planned-work calendar (:mod:`apps.core.agenda`): an activity's notice is
due 3 calendar days before it (R-M12-03) until published, and its record on the day (R-M12-04) until
recorded — for the activity's responsible person."""
from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.activities.actions import MIN_NOTICE_DAYS
from apps.activities.models import Activity
from apps.core import agenda
from apps.org.models import Project


def register() -> None:
    agenda.register("activities", label=_("社区活动"), items=activity_items)


def activity_items(project: Project, start: dt.date, end: dt.date) -> list[agenda.DueItem]:
    label = "社区活动"
    items = []
    rows = (Activity.objects.filter(project=project, recorded_at=None)
            .filter(Q(held_on__lte=end + dt.timedelta(days=MIN_NOTICE_DAYS))).order_by("held_on"))
    for a in rows:
        notice_due = a.held_on - dt.timedelta(days=MIN_NOTICE_DAYS)
        if a.notice_published_at is None and notice_due <= end and a.held_on >= start:
            what = "实施方案待批准，" if a.plan_approved_at is None else ""
            items.append(agenda.DueItem(key=f"activities.notice:{a.pk}", module=label,
                                        title=f"{a.title}：{what}活动通知须提前3天发布", due_on=notice_due,
                                        url=f"/activities/{a.pk}/", responsible_ids=(a.responsible_id,)))
        if a.held_on <= end:
            items.append(agenda.DueItem(key=f"activities.record:{a.pk}", module=label, title=f"{a.title}：活动记录",
                                        due_on=a.held_on, url=f"/activities/{a.pk}/",
                                        responsible_ids=(a.responsible_id,)))
    return items
