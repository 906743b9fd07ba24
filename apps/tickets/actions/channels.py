"""投诉渠道公布 (R-M1-01): the project records each complaint channel it published after take-over."""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import transaction

from apps.org.access import can_see_project, has_cap
from apps.org.models import Project
from apps.org.roles import Cap
from apps.tickets.actions.base import TicketError
from apps.tickets.models import ChannelPublication, PublishedChannelKind

if TYPE_CHECKING:
    from apps.org.models import User


class ChannelError(TicketError):
    """A refused channel publication (a :class:`TicketError`: pages and API map it the same way)."""


@transaction.atomic()
def record_channel_publication(*, project: Project, kind: str, value: str, published_on: dt.date,
                               where_posted: str, acting_user: User, now: dt.datetime) -> ChannelPublication:
    """Record that a complaint channel was published (R-M1-01)."""
    if not can_see_project(acting_user, project) or not has_cap(acting_user, Cap.DISPATCH, project):
        raise ChannelError("无权登记投诉渠道公布", code="forbidden", status=403)
    if kind not in PublishedChannelKind.values:
        raise ChannelError("渠道类型不存在", field="kind")
    if not value.strip():
        raise ChannelError("请填写渠道内容（电话、地址、联系人等）", field="value")
    if not where_posted.strip():
        raise ChannelError("请填写张贴位置", field="where_posted")
    if published_on > now.astimezone(project.tz).date():
        raise ChannelError("公布日期不能晚于今天", field="published_on")
    return ChannelPublication.objects.create(project=project, kind=kind, value=value.strip(),
                                             published_on=published_on, where_posted=where_posted.strip(),
                                             recorded_by=acting_user, recorded_at=now)
