"""Reads of the notice board shared by its pages and the report page's publish box (R-M17-12)."""
from __future__ import annotations

from collections.abc import Sequence

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from apps.estates.models import Person
from apps.org.access import visible_projects
from apps.org.models import Membership, Project, User
from apps.org.roles import Role
from apps.portal.models import Publication
from apps.reports.models import Report

BOARD_SIZE = 100  # items shown on a public board
MANAGE_SIZE = 200  # rows on the management page


def public_project(code: str) -> Project:
    """The active project of a public board (404 otherwise)."""
    return get_object_or_404(Project, code=code, active=True)


def board_items(project: Project) -> QuerySet[Publication]:
    """The live items of ``project``'s board, newest first."""
    return Publication.objects.filter(project=project, withdrawn_at=None).order_by("-published_at", "-id")[:BOARD_SIZE]


def board_item(project: Project, pk: int) -> Publication:
    """One live item of ``project``'s board (another project's or a withdrawn item: 404)."""
    return get_object_or_404(Publication, pk=pk, project=project, withdrawn_at=None)


def managed_items(projects: Sequence[Project]) -> QuerySet[Publication]:
    """Every publication of ``projects`` with its state, for the management page."""
    return (Publication.objects.filter(project__in=projects)
            .select_related("project", "published_by", "withdrawn_by", "source_report", "owners_told")
            .order_by("-published_at", "-id")[:MANAGE_SIZE])


def visible_publication(user: User, pk: int) -> Publication:
    return get_object_or_404(Publication.objects.filter(project__in=visible_projects(user)), pk=pk)


def visible_report(user: User, pk: int) -> Report:
    return get_object_or_404(Report.objects.filter(project__in=visible_projects(user)), pk=pk)


def live_publication_of(report: Report) -> Publication | None:
    """The board item showing ``report``, if it is on the board."""
    return Publication.objects.filter(source_report=report, withdrawn_at=None).first()


def management_reps(project: Project) -> list[User]:
    """The active 管理者代表 of the project's company: who may approve an open letter (R-M10-07)."""
    seen: dict[int, User] = {}
    for m in (Membership.objects.filter(company_id=project.company_id, role=Role.MANAGEMENT_REP)
              .select_related("user").order_by("user__display_name", "user_id")):
        if m.user.is_active:
            seen.setdefault(m.user.pk, m.user)
    return list(seen.values())


def resident_names(project: Project) -> list[str]:
    """Names of the project's residents (2+ characters): removed from everything posted publicly."""
    names = Person.objects.filter(project=project).values_list("name", flat=True)
    return sorted({n.strip() for n in names if n and len(n.strip()) >= 2}, key=len, reverse=True)
