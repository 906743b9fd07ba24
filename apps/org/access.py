"""Who may see and do what (SPEC M19). Every view and endpoint asks these functions.

- A staff member sees only the projects they hold a role in; company-level roles
  (品质管理部, 公司领导, 系统管理员) see every project of their company.
- A capability is held in a project when one of the user's roles there (or a company-level role)
  grants it.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from apps.org.models import Company, Membership, Project
from apps.org.roles import ROLE_INFO, Role

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from apps.org.models import User

_CACHE_ATTR = "_linli_memberships"


def _memberships(user: User | AnonymousUser) -> list[Membership]:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        cached = list(Membership.objects.filter(user=user).select_related("project", "department"))
        setattr(user, _CACHE_ATTR, cached)
    return cached


def forget(user: User) -> None:
    """Drop the per-request cache (after changing memberships in a test or an action)."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def is_company_level(user: User | AnonymousUser) -> bool:
    if getattr(user, "is_superuser", False) and user.is_active:
        return True
    return any(ROLE_INFO[m.role].company_level for m in _memberships(user))


def visible_projects(user: User | AnonymousUser) -> QuerySet[Project]:
    """The projects ``user`` may see."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Project.objects.none()
    if getattr(user, "is_superuser", False):
        return Project.objects.filter(active=True)
    members = _memberships(user)
    company_ids = {m.company_id for m in members if ROLE_INFO[m.role].company_level}
    project_ids = {m.project_id for m in members if m.project_id is not None}
    return Project.objects.filter(active=True).filter(
        Q(company_id__in=company_ids) | Q(id__in=project_ids)
    )


def can_see_project(user: User | AnonymousUser, project: Project | int) -> bool:
    project_id = project if isinstance(project, int) else project.pk
    if getattr(user, "is_superuser", False) and user.is_active:
        return True
    for m in _memberships(user):
        if m.project_id == project_id:
            return True
        if ROLE_INFO[m.role].company_level:
            company_id = project.company_id if isinstance(project, Project) else Project.objects.filter(pk=project_id).values_list("company_id", flat=True).first()
            if m.company_id == company_id:
                return True
    return False


def roles_in(user: User | AnonymousUser, project: Project | None) -> set[str]:
    """Roles ``user`` holds in ``project`` (company-level roles count everywhere in the company)."""
    roles: set[str] = set()
    for m in _memberships(user):
        if ROLE_INFO[m.role].company_level and (project is None or m.company_id == project.company_id):
            roles.add(m.role)
        elif project is not None and m.project_id == project.pk:
            roles.add(m.role)
    return roles


def has_cap(user: User | AnonymousUser, cap: str, project: Project | None = None) -> bool:
    """Does ``user`` hold capability ``cap`` in ``project`` (or anywhere, when project is None)?"""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    if project is None:
        return any(cap in ROLE_INFO[m.role].caps for m in _memberships(user))
    return any(cap in ROLE_INFO[r].caps for r in roles_in(user, project))


def rank_in(user: User | AnonymousUser, project: Project | None) -> int:
    """Highest rank the user holds in the project (R-M19-09: 20 = 主管以上)."""
    if getattr(user, "is_superuser", False):
        return 100
    return max((ROLE_INFO[r].rank for r in roles_in(user, project)), default=0)


def require_cap(user: User | AnonymousUser, cap: str, project: Project | None = None) -> None:
    if not has_cap(user, cap, project):
        raise PermissionDenied(cap)


def departments_headed(user: User | AnonymousUser) -> list[int]:
    """Department ids where the user is 部门负责人 (their queue)."""

    return [m.department_id for m in _memberships(user) if m.role == Role.DEPT_HEAD and m.department_id]


def departments_of(user: User | AnonymousUser) -> list[int]:
    return [m.department_id for m in _memberships(user) if m.department_id]


def has_company_cap(user: User | AnonymousUser, cap: str, company_id: int) -> bool:
    """Does ``user`` hold ``cap`` company-wide in ``company_id`` (a company-level role there)?"""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return any(ROLE_INFO[m.role].company_level and m.company_id == company_id and cap in ROLE_INFO[m.role].caps
               for m in _memberships(user))


def company_of(user: User | AnonymousUser) -> int | None:
    """The company the user works for (the first membership's; superusers: the first company)."""
    members = _memberships(user)
    if members:
        return members[0].company_id
    if getattr(user, "is_superuser", False) and user.is_active:
        return Company.objects.order_by("pk").values_list("pk", flat=True).first()
    return None
