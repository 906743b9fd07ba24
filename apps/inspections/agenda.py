"""The inspections' items in the planned-work calendar (:mod:`apps.core.agenda`): scheduled rounds by
their due date (the person responsible), and a month still short of its 4 night post checks (due the
month's last day, the 管理处经理, R-M18-04)."""
from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from apps.core import agenda
from apps.inspections import queries
from apps.inspections.models import InspectionRound, RoundStatus
from apps.org.models import Project


def register() -> None:
    agenda.register("inspections.rounds", label=_("检查"), items=inspection_items)


def inspection_items(project: Project, start: dt.date, end: dt.date) -> list[agenda.DueItem]:
    label = gettext("检查")
    items = [agenda.DueItem(key=f"inspections.round:{r.pk}", module=label, title=gettext("%(template)s（%(who)s）") % {"template": r.template.name, "who": r.assignee},
                            due_on=r.due_on, url=f"/inspections/?project={project.pk}", responsible_ids=(r.assignee_id,))
             for r in InspectionRound.objects.filter(project=project, status=RoundStatus.SCHEDULED, due_on__lte=end)
             .select_related("template", "assignee")]
    month_end = queries.month_bounds(start)[1]
    if month_end <= end:
        status = queries.night_month(project, start, today=start)
        if status.too_few:
            items.append(agenda.DueItem(
                key=f"inspections.night:{project.pk}:{start:%Y%m}", module=label,
                title=gettext("本月夜间查岗 %(done)s/%(need)s 次") % {"done": status.checks, "need": queries.MIN_NIGHT_CHECKS}, due_on=month_end,
                url=f"/inspections/night/?project={project.pk}",
                responsible_ids=tuple(u.pk for u in queries.project_managers(project))))
    return items
