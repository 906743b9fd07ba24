"""Who may see and do what in the surveys app (R-M10-01 … R-M10-13).

- 品质部 (``Cap.ISSUE_SURVEYS``, company level): issues campaigns, edits the survey policy (P-19, P-20),
  records its verification and spot checks (R-M10-10), reads every project.
- 客服部 主管/经理 (``Cap.BUILD_QUESTIONNAIRES``): builds questionnaires (R-M10-11).
- 客服部 主管/经理, 管理处经理 (``Cap.RUN_SURVEYS``): sample, stages, statistics, open letter draft and
  posting, submission to 品质部, department follow-ups (R-M10-09).
- 客服专员/管家, 客服楼宇员, 主管, 经理 (``Cap.RECORD_SURVEYS``): distribute, recover, key answers.
- 管理者代表 (``Cap.APPROVE_OPEN_LETTER``): approves the open letter (R-M10-07).
- 物业总经理 (``Cap.CHAIR_SURVEY_MEETING``): records the special meeting (R-M10-09).
- 客服部经理 (``Cap.SUPERVISE_SURVEYS``) and whoever works in the project's (or the company's) 物业综合管理部
  (a membership in a department of kind ``general``): supervise and guide the survey work (R-M10-13).
A survey of a project the user cannot see answers like a missing one (404).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from apps.org.access import can_see_project, has_cap, visible_projects
from apps.org.models import DepartmentKind, Membership, Project, User
from apps.org.roles import Cap
from apps.surveys.models import ProjectSurvey

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from django.http import HttpRequest

SURVEY_CAPS = (Cap.ISSUE_SURVEYS, Cap.BUILD_QUESTIONNAIRES, Cap.RUN_SURVEYS, Cap.RECORD_SURVEYS,
               Cap.APPROVE_OPEN_LETTER, Cap.CHAIR_SURVEY_MEETING, Cap.VIEW_REPORTS, Cap.SUPERVISE_SURVEYS)


class SurveyNotFound(Exception):
    """Missing, or of a project the user may not see (same answer)."""


def acting_user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user


def in_general_admin(user: User | AnonymousUser, project: Project) -> bool:
    """Works in the 物业综合管理部 of ``project`` (or a company-level one of its company)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return any(m.department is not None and m.department.kind == DepartmentKind.GENERAL
               and m.company_id == project.company_id and m.project_id in (None, project.pk)
               for m in Membership.objects.filter(user=user).select_related("department"))


def can_supervise(user: User | AnonymousUser, project: Project) -> bool:
    """R-M10-13: the 客服部经理 and the 物业综合管理部 supervise and guide the project's survey work."""
    return has_cap(user, Cap.SUPERVISE_SURVEYS, project) or (can_see_project(user, project)
                                                            and in_general_admin(user, project))


def can_view(user: User | AnonymousUser, project: Project | None = None) -> bool:
    if project is not None and any(has_cap(user, c, project) for c in SURVEY_CAPS):
        return True
    if project is None:
        return any(has_cap(user, c, project) for c in SURVEY_CAPS)
    return can_supervise(user, project)


def can_issue(user: User | AnonymousUser) -> bool:
    return has_cap(user, Cap.ISSUE_SURVEYS)


def can_build(user: User | AnonymousUser) -> bool:
    return has_cap(user, Cap.BUILD_QUESTIONNAIRES)


def can_run(user: User | AnonymousUser, project: Project) -> bool:
    return has_cap(user, Cap.RUN_SURVEYS, project)


def can_record(user: User | AnonymousUser, project: Project) -> bool:
    return has_cap(user, Cap.RECORD_SURVEYS, project)


def can_approve_letter(user: User | AnonymousUser, project: Project) -> bool:
    return has_cap(user, Cap.APPROVE_OPEN_LETTER, project)


def can_chair(user: User | AnonymousUser, project: Project) -> bool:
    return has_cap(user, Cap.CHAIR_SURVEY_MEETING, project)


def visible_surveys(user: User | AnonymousUser) -> QuerySet[ProjectSurvey]:
    projects = [p for p in visible_projects(user) if can_view(user, p)]
    return ProjectSurvey.objects.filter(project__in=projects)


def get_survey(user: User | AnonymousUser, pk: int) -> ProjectSurvey:
    ps = (visible_surveys(user).select_related("campaign__questionnaire", "project__company", "sampled_by")
          .filter(pk=pk).first())
    if ps is None:
        raise SurveyNotFound(pk)
    return ps
