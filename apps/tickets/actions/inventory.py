"""日盘点 (R-M1-11): the receiver confirms the day they recorded."""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import transaction

from apps.org.access import can_see_project
from apps.org.models import Project
from apps.tickets.actions.base import TicketError
from apps.tickets.choices import OPEN_STATUSES
from apps.tickets.inventory import received_on
from apps.tickets.models import DailyInventory

if TYPE_CHECKING:
    from apps.org.models import User


@transaction.atomic()
def confirm_inventory(*, project: Project, day: dt.date, acting_user: User, now: dt.datetime,
                      note: str = "") -> DailyInventory:
    """The receiver confirms their 日盘点 for ``day`` (R-M1-11): stores the counts seen."""
    if not can_see_project(acting_user, project):
        raise TicketError("项目不存在", code="not_found", status=404, field="project")
    mine = received_on(project, day, receiver=acting_user)
    row, _ = DailyInventory.objects.get_or_create(project=project, receiver=acting_user, day=day)
    row.ticket_count = mine.count()
    row.open_count = mine.filter(status__in=OPEN_STATUSES).count()
    row.confirmed_at = now
    row.note = note
    row.save()
    return row
