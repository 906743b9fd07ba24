"""合理化建议 (SPEC R-M1-15), the read side: households with 文明户 priority. The decision itself is the
action :func:`apps.tickets.actions.decide_suggestion`: the 管理处主任 decides whether a suggestion is adopted.

Adopted → the rectification measures are posted publicly (张榜公布: where and when), the resident
is put on the "爱我小区" commendation list and gets priority in the "文明户" selection
(:class:`Commendation`, :func:`civilised_priority_households`)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from apps.tickets.models import Commendation

if TYPE_CHECKING:
    from apps.org.models import Project


def civilised_priority_households(project: Project) -> Any:
    """Households with priority in the "文明户" selection (R-M1-15)."""
    return Commendation.objects.filter(project=project, civilised_priority=True, household__isnull=False).values_list(
        "household_id", flat=True).distinct()
