"""Who may see and do what on the owners' notice board (R-M17-12).

- The public board and its items: anyone, without signing in (only live items of an active project).
- Publishing, withdrawing and the management page: holders of ``Cap.PUBLISH_PORTAL`` in the project
  (客服经理, 管理处经理, 品质管理部).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied

from apps.org.access import has_cap, visible_projects
from apps.org.models import Project, User
from apps.org.roles import Cap

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from django.http import HttpRequest


def acting_user(request: HttpRequest) -> User:
    """The signed-in staff member of a ``login_required`` page."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user


def can_publish(user: User | AnonymousUser | None, project: Project | None) -> bool:
    return user is not None and project is not None and has_cap(user, Cap.PUBLISH_PORTAL, project)


def manageable_projects(user: User | AnonymousUser) -> list[Project]:
    """The projects whose board ``user`` may publish to (the management pages)."""
    return [p for p in visible_projects(user) if can_publish(user, p)]
