"""Who may see which reports (SPEC M5): a project's reports to the members of the project; the
company-wide ones (no project) to company-level roles as well."""
from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from apps.org import access
from apps.reports.models import Report


def visible_reports(user: Any) -> QuerySet[Report]:
    qs = Report.objects.filter(project__in=access.visible_projects(user))
    if access.is_company_level(user):
        qs = qs | Report.objects.filter(project__isnull=True)
    return qs.select_related("project", "created_by", "approved_by")
