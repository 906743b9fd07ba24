"""Who may see and keep staff records (R-M19-10): ``Cap.MANAGE_STAFF_RECORDS`` — the 办公室主任 for the
whole company, a 管理处经理 for the staff of their projects. A holder sees their own certificates."""
from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from apps.org.access import company_of, has_cap, is_company_level, visible_projects
from apps.org.models import User
from apps.org.roles import Cap
from apps.staffrecords.models import Certificate

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from django.http import HttpRequest


def acting_user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user


def can_manage(user: User | AnonymousUser) -> bool:
    return has_cap(user, Cap.MANAGE_STAFF_RECORDS)


def staff_in_scope(user: User | AnonymousUser) -> QuerySet[User]:
    """The staff whose records ``user`` keeps: the company's (company-level) or their projects' staff."""
    if not can_manage(user):
        return User.objects.none()
    company_id = company_of(user)
    scope = Q(memberships__company_id=company_id, memberships__project__in=visible_projects(user))
    if is_company_level(user):
        scope = Q(memberships__company_id=company_id)
    return User.objects.filter(scope, is_active=True).distinct()


def visible_certificates(user: User | AnonymousUser) -> QuerySet[Certificate]:
    if not getattr(user, "is_authenticated", False):
        return Certificate.objects.none()
    if not can_manage(user):
        return Certificate.objects.filter(holder_id=user.pk)
    return Certificate.objects.filter(company_id=company_of(user) or 0,
                                      holder_id__in=staff_in_scope(user).values("pk"))
