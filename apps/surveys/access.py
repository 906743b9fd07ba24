"""Who may see and do what in the surveys app (R-M10-01 … R-M10-13).

- 品质部 (``Cap.ISSUE_SURVEYS``, company level): issues campaigns, edits the survey policy (P-19, P-20),
  records its verification and spot checks (R-M10-10), reads every project.
- 客服部 主管/经理 (``Cap.BUILD_QUESTIONNAIRES``): builds questionnaires (R-M10-11).
- 客服部 主管/经理, 管理处经理 (``Cap.RUN_SURVEYS``): sample, stages, statistics, open letter draft and
  posting, submission to 品质部, department follow-ups (R-M10-09).
- 客服专员/管家, 客服楼宇员, 主管, 经理 (``Cap.RECORD_SURVEYS``): distribute, recover, key answers.
- 管理者代表 (``Cap.APPROVE_OPEN_LETTER``): approves the open letter (R-M10-07).
- 物业总经理 (``Cap.CHAIR_SURVEY_MEETING``): records the special meeting (R-M10-09).
A survey of a project the user cannot see answers like a missing one (404).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from apps.org.access import has_cap, visible_projects
from apps.org.models import Project, User
from apps.org.roles import Cap
from apps.surveys.models import ProjectSurvey

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from django.http import HttpRequest

SURVEY_CAPS = (Cap.ISSUE_SURVEYS, Cap.BUILD_QUESTIONNAIRES, Cap.RUN_SURVEYS, Cap.RECORD_SURVEYS,
               Cap.APPROVE_OPEN_LETTER, Cap.CHAIR_SURVEY_MEETING, Cap.VIEW_REPORTS)


class SurveyNotFound(Exception):
    """Missing, or of a project the user may not see (same answer)."""


def acting_user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user


def can_view(user: User | AnonymousUser, project: Project | None = None) -> bool:
    return any(has_cap(user, c, project) for c in SURVEY_CAPS)


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
