"""The main menu by capability (issue 23): only the modules the user's roles may open.

:func:`nav` is a context processor: it computes, once per request, which module entries of
``core/_nav.html`` to show, with the same predicates the modules' own views check (each app's
``access`` helpers, ``Cap.*`` through :func:`apps.org.access.has_cap`). The user's memberships are cached
on the user object by :mod:`apps.org.access`, and the visible projects are read once, so the menu costs
two queries whatever the number of modules.
"""
from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest

from apps.assessments import access as assessment_access
from apps.audits import access as audit_access
from apps.cards import access as card_access
from apps.desk import access as desk_access
from apps.fees import access as fee_access
from apps.inspections import access as inspection_access
from apps.org import access
from apps.org.models import Project, User
from apps.org.roles import Cap
from apps.surveys import access as survey_access
from apps.visits import access as visit_access

Check = Callable[[User, Project], bool]


def _cap(*caps: str) -> Check:
    return lambda user, project: any(access.has_cap(user, c, project) for c in caps)


#: module key → "may open it in this project" (the check of the module's index view)
PER_PROJECT: dict[str, Check] = {
    "estates": _cap(Cap.VIEW_ARCHIVE),
    "visits": visit_access.can_read_archive,
    "inspections": inspection_access.can_read,
    "activities": _cap(Cap.PLAN_ACTIVITIES, Cap.APPROVE_ACTIVITIES, Cap.VIEW_REPORTS),
    "fees": fee_access.can_view,
    "cards": card_access.can_view,
    "desk": desk_access.can_view,
    "surveys": survey_access.can_view,
    "audits": audit_access.can_view,
    "assessments": assessment_access.can_view,
    "owner_notices": _cap(Cap.REPLY),
    "annual_visits": _cap(Cap.PLAN_ANNUAL_VISITS, Cap.APPROVE_VISIT_PLANS),  # R-M9-13
    "committee": _cap(Cap.MANAGE_COMMITTEE),  # issue 19: 业委会成员
}
#: module key → capability held in any project (views that check ``has_cap(user, cap)`` without a project)
ANYWHERE: dict[str, str] = {
    "tickets": Cap.VIEW_TICKETS,
    "ncr": Cap.VIEW_TICKETS,
    "escalation": Cap.VIEW_TICKETS,
    "reports": Cap.VIEW_REPORTS,
}


def menu(user: User, projects: list[Project]) -> dict[str, bool]:
    shown = {key: any(check(user, p) for p in projects) for key, check in PER_PROJECT.items()}
    shown.update({key: access.has_cap(user, cap) for key, cap in ANYWHERE.items()})
    shown["agenda"] = bool(projects)
    shown["staff_records"] = bool(projects)  # everyone sees their own certificates; keepers see their staff's
    company_id = access.company_of(user)
    shown["staff_admin"] = company_id is not None and access.has_company_cap(user, Cap.MANAGE_STAFF, company_id)
    shown["calendar"] = access.has_cap(user, Cap.VIEW_TICKETS) or access.has_cap(user, Cap.MANAGE_CONFIG)
    return shown


def nav(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    if not isinstance(user, User) or not user.is_authenticated:
        return {"nav": {}}
    return {"nav": menu(user, list(access.visible_projects(user).order_by("code")))}
