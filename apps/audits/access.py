"""Who may see and do what with audits (R-M13, R-M19-07).

- Conduct audits and company inspections, answer items, raise NCRs: ``Cap.CONDUCT_AUDITS`` (品质管理部).
- Load, import and edit standard versions: ``Cap.MANAGE_AUDIT_STANDARD`` (品质管理部).
- Read audits, history and ranking: ``Cap.VIEW_AUDITS`` or ``Cap.CONDUCT_AUDITS`` in the audited project;
  an audit of another project answers like a missing one (404).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from apps.audits.models import Audit
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


def can_view(user: User | AnonymousUser, project: Project) -> bool:
    return has_cap(user, Cap.VIEW_AUDITS, project) or has_cap(user, Cap.CONDUCT_AUDITS, project)


def can_conduct(user: User | AnonymousUser, project: Project) -> bool:
    return has_cap(user, Cap.CONDUCT_AUDITS, project)


def can_manage_standard(user: User | AnonymousUser) -> bool:
    return has_cap(user, Cap.MANAGE_AUDIT_STANDARD)


def audit_projects(user: User | AnonymousUser) -> list[Project]:
    return [p for p in visible_projects(user).order_by("code") if can_view(user, p)]


def conduct_projects(user: User | AnonymousUser) -> list[Project]:
    return [p for p in visible_projects(user).order_by("code") if can_conduct(user, p)]


def visible_audits(user: User | AnonymousUser) -> QuerySet[Audit]:
    return Audit.objects.filter(project__in=[p.pk for p in audit_projects(user)])


def company_of(user: User | AnonymousUser) -> int | None:
    """The company whose standards ``user`` works with (their memberships' company)."""
    if not getattr(user, "is_authenticated", False):
        return None
    project = visible_projects(user).first()
    if project is not None:
        return project.company_id
    membership = user.memberships.first() if isinstance(user, User) else None
    return membership.company_id if membership else None
