"""Who may see and do what at the front desk and in the buildings (R-M20, R-M19).

- Read and record mail, keys, decoration formalities, logs, convenience items: ``Cap.RECORD_DESK``.
- Vacant-house checks, decoration patrols, neighbour disputes, the butlers' meeting: ``Cap.PATROL``
  (客服楼宇员, 管家, 主管, 经理).
- Approve a decoration, inspect the completed work, return the deposit: ``Cap.APPROVE_DECORATION``.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from apps.org.access import has_cap, visible_projects
from apps.org.models import Project, User
from apps.org.roles import Cap

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from django.http import HttpRequest


def acting_user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user


def can_record(user: User | AnonymousUser, project: Project) -> bool:
    return has_cap(user, Cap.RECORD_DESK, project)


def can_patrol(user: User | AnonymousUser, project: Project) -> bool:
    return has_cap(user, Cap.PATROL, project)


def can_approve(user: User | AnonymousUser, project: Project) -> bool:
    return has_cap(user, Cap.APPROVE_DECORATION, project)


def can_view(user: User | AnonymousUser, project: Project) -> bool:
    return can_record(user, project) or can_patrol(user, project)


def desk_projects(user: User | AnonymousUser) -> QuerySet[Project]:
    ids = [p.pk for p in visible_projects(user) if can_view(user, p)]
    return Project.objects.filter(pk__in=ids).order_by("code")
