"""Who may see and do what with 《不合格/纠正、预防措施报告》 (NCR/CAPA, R-M2-04, R-M19-08)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from apps.org import access
from apps.org.roles import Cap
from apps.quality.models import NonconformityReport

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from apps.org.models import User


def may_use_ncr(user: User | AnonymousUser) -> bool:
    """Anyone who may view tickets may read the reports of their projects."""
    return access.has_cap(user, Cap.VIEW_TICKETS)


def visible_reports(user: User | AnonymousUser) -> QuerySet[NonconformityReport]:
    if not may_use_ncr(user):
        return NonconformityReport.objects.none()
    return NonconformityReport.objects.filter(project__in=access.visible_projects(user))


def signs_somewhere(user: User | AnonymousUser) -> bool:
    return access.has_cap(user, Cap.SIGN_NCR)
