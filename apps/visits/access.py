"""Who may see and do what in the visits app (R-M6-06, R-M7-01, R-M9-03).

- Read: the visits and problems of the projects the user may see (``apps.org.access``); a visit of
  another project answers like a missing one (:class:`VisitNotFound` → 404).
- The archive and problem lists (and the export): ``Cap.VIEW_ARCHIVE`` or ``Cap.RECORD_VISITS`` in
  the project (R-M7-01).
- Record, correct, settle, raise a ticket: ``Cap.RECORD_VISITS`` (客服前台/管家/主管/经理).
- Void: ``Cap.VOID`` and ``Cap.RECORD_VISITS`` (客服主管以上).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from apps.org.access import has_cap, visible_projects
from apps.org.models import Project, User
from apps.org.roles import Cap
from apps.visits.models import Visit, VisitProblem

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from django.http import HttpRequest


class VisitNotFound(Exception):
    """The visit does not exist or belongs to a project the user may not see (same answer for both)."""


def acting_user(request: HttpRequest) -> User:
    """The signed-in staff member of a ``login_required`` page or an authenticated API call."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user


def visible_visits(user: User | AnonymousUser) -> QuerySet[Visit]:
    """Visits of the projects ``user`` may see (company-level roles: all projects of the company)."""
    return Visit.objects.filter(project__in=visible_projects(user))


def visible_problems(user: User | AnonymousUser) -> QuerySet[VisitProblem]:
    return VisitProblem.objects.filter(visit__project__in=visible_projects(user))


def get_visit(user: User | AnonymousUser, visit_id: int) -> Visit:
    """The visit with what its page and the API show, or :class:`VisitNotFound`."""
    visit = (visible_visits(user).select_related("project", "household", "person", "visitor", "filed_department",
                                                 "recorded_by", "voided_by")
             .filter(pk=visit_id).first())
    if visit is None:
        raise VisitNotFound(visit_id)
    return visit


def get_problem(user: User | AnonymousUser, problem_id: int) -> VisitProblem:
    problem = (visible_problems(user).select_related("visit__project", "visit__household", "visit__person",
                                                     "category", "department", "ticket")
               .filter(pk=problem_id).first())
    if problem is None:
        raise VisitNotFound(problem_id)
    return problem


def can_record(user: User | AnonymousUser, project: Project) -> bool:
    return has_cap(user, Cap.RECORD_VISITS, project)


def can_void(user: User | AnonymousUser, project: Project) -> bool:
    return has_cap(user, Cap.VOID, project) and has_cap(user, Cap.RECORD_VISITS, project)


def can_read_archive(user: User | AnonymousUser, project: Project) -> bool:
    return has_cap(user, Cap.VIEW_ARCHIVE, project) or has_cap(user, Cap.RECORD_VISITS, project)


def archive_projects(user: User | AnonymousUser) -> list[Project]:
    """Projects whose visit archive ``user`` may read (R-M7-01); empty → the page answers 403."""
    return [p for p in visible_projects(user).order_by("code") if can_read_archive(user, p)]


def record_projects(user: User | AnonymousUser) -> QuerySet[Project]:
    """Projects where ``user`` may record visits."""
    ids = [p.pk for p in visible_projects(user) if can_record(user, p)]
    return visible_projects(user).filter(pk__in=ids).order_by("code")


def can_read_annual(user: User | AnonymousUser, project: Project) -> bool:
    """The annual return-visit plan (R-M9-13): who draws it up or approves it, and the CS staff."""
    return (has_cap(user, Cap.PLAN_ANNUAL_VISITS, project) or has_cap(user, Cap.APPROVE_VISIT_PLANS, project)
            or can_read_archive(user, project))


def annual_projects(user: User | AnonymousUser) -> list[Project]:
    """Projects whose annual return-visit plans ``user`` may read; empty → the page answers 403."""
    return [p for p in visible_projects(user).order_by("code") if can_read_annual(user, p)]
