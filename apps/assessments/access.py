"""Who may see and do what with staff assessments (R-M14-01, R-M19-01/-02).

- Open sheets, add entries, submit, accept or dismiss suggestions: ``Cap.ASSESS_STAFF`` (客服主管) in
  the employee's project — never on one's own sheet.
- Spot-check entries, return and sign off: ``Cap.SPOT_CHECK_ASSESSMENTS`` (客服经理, 管理处经理).
- Read: ``Cap.VIEW_ASSESSMENTS``, or the employee's own sheet.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from apps.assessments.models import StaffAssessment
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


def can_assess(user: User | AnonymousUser, project: Project) -> bool:
    return has_cap(user, Cap.ASSESS_STAFF, project)


def can_spot_check(user: User | AnonymousUser, project: Project) -> bool:
    return has_cap(user, Cap.SPOT_CHECK_ASSESSMENTS, project)


def can_view(user: User | AnonymousUser, project: Project) -> bool:
    return has_cap(user, Cap.VIEW_ASSESSMENTS, project) or can_assess(user, project) or can_spot_check(user, project)


def assessment_projects(user: User | AnonymousUser) -> list[Project]:
    return [p for p in visible_projects(user).order_by("code") if can_view(user, p)]


def visible_sheets(user: User | AnonymousUser) -> QuerySet[StaffAssessment]:
    if not getattr(user, "is_authenticated", False):
        return StaffAssessment.objects.none()
    ids = [p.pk for p in assessment_projects(user)]
    return StaffAssessment.objects.filter(Q(project__in=ids) | Q(employee_id=user.pk))
