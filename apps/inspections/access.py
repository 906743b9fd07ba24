"""Who may see and do what in the inspections app (R-M18-01 … R-M18-18).

- Read: inspections of the projects the user may see (``apps.org.access``); another project's record
  answers like a missing one (404).
- Record checks, night post checks, pool readings, warning nights: ``Cap.RECORD_INSPECTIONS``.
- Schedule rounds, edit pool limits: ``Cap.MANAGE_INSPECTIONS`` (管理处经理, 品质管理部).
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
    return has_cap(user, Cap.RECORD_INSPECTIONS, project)


def can_manage(user: User | AnonymousUser, project: Project) -> bool:
    return has_cap(user, Cap.MANAGE_INSPECTIONS, project)


def can_read(user: User | AnonymousUser, project: Project) -> bool:
    return can_record(user, project) or can_manage(user, project) or has_cap(user, Cap.VIEW_REPORTS, project)


def readable_projects(user: User | AnonymousUser) -> list[Project]:
    return [p for p in visible_projects(user).order_by("code") if can_read(user, p)]


def project_ids(user: User | AnonymousUser) -> QuerySet[Project]:
    return visible_projects(user)
