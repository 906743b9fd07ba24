"""Who may see and do what with fees (R-M16, R-M19).

- Read bills, payments, arrears, the reconciliation: ``Cap.VIEW_FEES`` in the project.
- Record a payment: ``Cap.COLLECT_FEES``. At the counter only the 收银员 (``Role.CASHIER``); the front
  desk collects out of hours or on a door-to-door call and hands the money to the cashier (R-M16-13/-15).
- Fee standards, billing cycles, other charges, settings, publication: ``Cap.MANAGE_FEES``.
- Refunds and voids (by reversal): ``Cap.REVERSE_PAYMENTS`` (客服经理, 管理处经理).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from apps.org.access import has_cap, roles_in, visible_projects
from apps.org.models import Project, User
from apps.org.roles import Cap, Role

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from django.http import HttpRequest


def acting_user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user


def can_view(user: User | AnonymousUser, project: Project) -> bool:
    return has_cap(user, Cap.VIEW_FEES, project)


def can_collect(user: User | AnonymousUser, project: Project) -> bool:
    return has_cap(user, Cap.COLLECT_FEES, project)


def is_cashier(user: User | AnonymousUser, project: Project) -> bool:
    return Role.CASHIER in roles_in(user, project) or bool(getattr(user, "is_superuser", False))


def can_manage(user: User | AnonymousUser, project: Project) -> bool:
    return has_cap(user, Cap.MANAGE_FEES, project)


def can_reverse(user: User | AnonymousUser, project: Project) -> bool:
    return has_cap(user, Cap.REVERSE_PAYMENTS, project)


def fee_projects(user: User | AnonymousUser) -> QuerySet[Project]:
    """Projects whose fees ``user`` may read."""
    ids = [p.pk for p in visible_projects(user) if can_view(user, p)]
    return Project.objects.filter(pk__in=ids).order_by("code")
