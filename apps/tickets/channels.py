"""Complaint channels of a project (SPEC R-M1-01, R-M1-07, R-M1-08).

- R-M1-01: after take-over the project publishes each complaint channel; a record per channel
  (value, date published, where posted). :func:`missing_channels` lists what is still unpublished.
- R-M1-07: each 管理处 designates its intake post(s) (:class:`IntakePost`); default 客服前台.
- R-M1-08: a ticket recorded by someone outside those posts is passed on to them
  (:func:`posts_to_route`, called by ``actions.receive_ticket``).
"""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db import transaction

from apps.org.access import can_see_project, has_cap, roles_in
from apps.org.models import Membership, Project
from apps.org.roles import Cap, Role
from apps.tickets.models import ChannelPublication, IntakePost, PublishedChannelKind

if TYPE_CHECKING:
    from apps.org.models import User

DEFAULT_INTAKE_ROLES: frozenset[str] = frozenset({Role.FRONT_DESK})
# Every channel the publication must name (R-M1-01).
REQUIRED_CHANNELS: tuple[str, ...] = tuple(PublishedChannelKind.values)


class ChannelError(Exception):
    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fields = {field: [message]} if field else {}


def intake_roles(project: Project) -> frozenset[str]:
    """The designated intake posts of ``project`` (R-M1-07)."""
    roles = frozenset(IntakePost.objects.filter(project=project).values_list("role", flat=True))
    return roles or DEFAULT_INTAKE_ROLES


def posts_to_route(project: Project, receiver: Any) -> list[Any]:
    """R-M1-08: the users of the designated posts when ``receiver`` holds none of them, else []."""
    roles = intake_roles(project)
    if roles_in(receiver, project) & roles:
        return []
    members = Membership.objects.filter(project=project, role__in=roles).select_related("user")
    return [m.user for m in members if m.user.is_active and m.user.pk != receiver.pk]


@transaction.atomic
def record_channel_publication(*, project: Project, kind: str, value: str, published_on: dt.date,
                               where_posted: str, acting_user: User, now: dt.datetime) -> ChannelPublication:
    """Record that a complaint channel was published (R-M1-01)."""
    if not can_see_project(acting_user, project) or not has_cap(acting_user, Cap.DISPATCH, project):
        raise ChannelError("无权登记投诉渠道公布")
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


def missing_channels(project: Project) -> list[str]:
    """Channels of R-M1-01 with no publication record yet for ``project``."""
    done = set(ChannelPublication.objects.filter(project=project).values_list("kind", flat=True))
    return [k for k in REQUIRED_CHANNELS if k not in done]
