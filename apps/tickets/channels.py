"""Complaint channels of a project (SPEC R-M1-01, R-M1-07, R-M1-08).

- R-M1-01: after take-over the project publishes each complaint channel; a record per channel
  (value, date published, where posted: :func:`apps.tickets.actions.record_channel_publication`).
  :func:`missing_channels` lists what is still unpublished; :func:`overview` shows both per project
  (the page ``/tickets/channels/`` and ``GET /api/v1/tickets/channel-publications``), and
  :func:`published_channels` is what the owners' portal shows.
- R-M1-07: each 管理处 designates its intake post(s) (:class:`IntakePost`); default 客服前台.
- R-M1-08: a ticket recorded by someone outside those posts is passed on to them
  (:func:`posts_to_route`, called by ``actions.receive_ticket``).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from apps.org.access import roles_in
from apps.org.models import Membership, Project
from apps.org.roles import Role
from apps.tickets.models import ChannelPublication, IntakePost, PublishedChannelKind

if TYPE_CHECKING:
    pass

DEFAULT_INTAKE_ROLES: frozenset[str] = frozenset({Role.FRONT_DESK})
# Every channel the publication must name (R-M1-01).
REQUIRED_CHANNELS: tuple[str, ...] = tuple(PublishedChannelKind.values)


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


def latest_publications(project_ids: Iterable[int]) -> dict[int, dict[str, ChannelPublication]]:
    """The latest publication of each channel per project — one query for all the projects."""
    out: dict[int, dict[str, ChannelPublication]] = {pid: {} for pid in project_ids}
    rows = (ChannelPublication.objects.filter(project_id__in=list(out)).select_related("recorded_by")
            .order_by("project_id", "kind", "-published_on", "-id"))
    for row in rows:
        out[row.project_id].setdefault(row.kind, row)
    return out


def published_channels(project: Project) -> list[ChannelPublication]:
    """The channels ``project`` has published (the latest value of each), in the order R-M1-01 names
    them — what the owners' portal shows."""
    latest = latest_publications([project.pk])[project.pk]
    return [latest[k] for k in REQUIRED_CHANNELS if k in latest]


@dataclass
class ChannelOverview:
    project: Project
    published: list[ChannelPublication]
    missing: list[tuple[str, str]]  # (kind, label)


def overview(projects: Iterable[Project]) -> list[ChannelOverview]:
    """Per project: its published channels and the channels still unpublished (R-M1-01)."""
    projects = list(projects)
    latest = latest_publications(p.pk for p in projects)
    labels = dict(PublishedChannelKind.choices)
    return [ChannelOverview(project=p, published=[latest[p.pk][k] for k in REQUIRED_CHANNELS if k in latest[p.pk]],
                            missing=[(k, str(labels[k])) for k in REQUIRED_CHANNELS if k not in latest[p.pk]])
            for p in projects]


def missing_channels(project: Project) -> list[str]:
    """Channels of R-M1-01 with no publication record yet for ``project``."""
    done = set(ChannelPublication.objects.filter(project=project).values_list("kind", flat=True))
    return [k for k in REQUIRED_CHANNELS if k not in done]
