"""The visit programme's items in the planned-work calendar (:mod:`apps.core.agenda`), the calendar page's
reads, and the sweep that reminds the responsible person before and at the due date.

Items of the visits module:
- the monthly visit plan of the next month, due the day before the month starts, until approved
  (R-M9-10) — the 客服部主管 (and, once submitted, the 物业总经理);
- per butler, the households whose next visit falls due by the end of the window and are not yet
  visited, and those already overdue — counted set-based (P-17, P-18, R-M9-18).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Count, Q
from django.utils import dateformat
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from apps.core import agenda
from apps.notify.actions import notify_staff
from apps.org.models import Membership, Project, User
from apps.org.roles import Role
from apps.visits import cycles, programme, queries
from apps.visits.models import PlanStatus, VisitPlan


def register() -> None:
    agenda.register("visits.programme", label=_("业主走访"), items=visit_items)


def _supervisors(project: Project) -> tuple[int, ...]:
    return tuple(Membership.objects.filter(project=project, role=Role.CS_SUPERVISOR, user__is_active=True)
                 .values_list("user_id", flat=True))


def visit_items(project: Project, start: dt.date, end: dt.date) -> list[agenda.DueItem]:
    today = start  # providers are asked from today: overdue items are those due before it
    items: list[agenda.DueItem] = []
    label = gettext("业主走访")
    # the next month's plan, due (approved) before that month starts
    for month in {cycles.month_start(start), cycles.add_months(cycles.month_start(start), 1)}:
        due = month - dt.timedelta(days=1)
        if not (due <= end):
            continue
        plan = VisitPlan.objects.filter(project=project, month=month).first()
        if plan is not None and plan.status == PlanStatus.APPROVED:
            continue
        who = _supervisors(project)
        if plan is not None and plan.status == PlanStatus.SUBMITTED:
            who += tuple(u.pk for u in queries.approvers_of(project))
        title = gettext("%(month)s走访计划须经物业总经理批准") % {"month": dateformat.format(month, gettext("Y年m月"))}
        if plan and plan.status == "submitted":
            title += gettext("（待审批）")
        items.append(agenda.DueItem(key=f"visits.plan:{project.pk}:{month:%Y%m}", module=label, title=title,
                                    due_on=due, url=f"/visits/plans/?project={project.pk}", responsible_ids=who))
    # households overdue / falling due in the window, per butler (set-based counts)
    prog = programme.settings_for(project)
    qs = programme.households_due(project, today, prog)
    period_end = programme.coverage_period(today, prog)[1]
    window_end = min(end, period_end)
    threshold_end = cycles.cycle_overdue_before(window_end + dt.timedelta(days=1), mode=prog.cycle_mode,
                                                months=prog.cycle_months)
    rows = (qs.values("building__steward_id", "building__steward__display_name")
            .annotate(overdue_n=Count("pk", filter=Q(overdue=True)),
                      due_n=Count("pk", filter=Q(overdue=False, new_owner=False, cycle_ref__lt=threshold_end)))
            .order_by("building__steward_id"))
    fallback = _supervisors(project)
    for r in rows:
        steward = r["building__steward_id"]
        who = (steward,) if steward else fallback
        name = r["building__steward__display_name"] or gettext("未指定管家")
        if r["overdue_n"]:
            items.append(agenda.DueItem(
                key=f"visits.overdue:{project.pk}:{steward or 0}", module=label,
                title=gettext("%(name)s：%(n)s 户走访已逾期") % {"name": name, "n": r["overdue_n"]}, due_on=today - dt.timedelta(days=1),
                url=f"/visits/programme/?project={project.pk}&overdue=1", responsible_ids=who))
        if r["due_n"]:
            items.append(agenda.DueItem(
                key=f"visits.due:{project.pk}:{steward or 0}:{window_end:%Y%m%d}", module=label,
                title=gettext("%(name)s：%(n)s 户须在 %(day)s 前走访") % {
                    "name": name, "n": r["due_n"], "day": dateformat.format(window_end, gettext("m月d日"))}, due_on=window_end,
                url=f"/visits/programme/?project={project.pk}", responsible_ids=who))
    return items


# ---------------------------------------------------------------- the sweep


@dataclass
class SweepResult:
    warned: int = 0
    breached: int = 0
    projects: int = 0
    errors: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return f"projects={self.projects} warned={self.warned} breached={self.breached}"


def sweep(now: dt.datetime) -> SweepResult:
    """Remind the people responsible for each open item: once within the warning window before its due
    date (the project's "到期前提醒" setting) and once when it is overdue. Each reminder is deduplicated
    by item and due date (the notice's unique key), so running the sweep again changes nothing."""
    result = SweepResult()
    for project in Project.objects.filter(active=True).order_by("pk"):
        result.projects += 1
        today = now.astimezone(project.tz).date()
        warn_days = programme.settings_for(project).warn_days
        items = agenda.collect(project, today, today + dt.timedelta(days=warn_days))
        users = {u.pk: u for u in User.objects.filter(pk__in={i for it in items for i in it.responsible_ids},
                                                       is_active=True)}
        for item in items:
            people = [users[i] for i in item.responsible_ids if i in users]
            if not people:
                continue
            breach = item.overdue(today)
            with transaction.atomic():
                made = notify_staff(
                    people, kind="plan_breach" if breach else "plan_warning",
                    subject=("已逾期：" if breach else "即将到期：") + item.title,
                    body=f"{item.module} · 到期 {item.due_on:%Y-%m-%d}", link=item.url, project=project,
                    dedupe_key=f"agenda-{'breach' if breach else 'warn'}:{item.key}:{item.due_on:%Y%m%d}", now=now,
                    respect_working_hours=True)
            if made:
                if breach:
                    result.breached += 1
                else:
                    result.warned += 1
    return result


def calendar_items(project: Project, month: dt.date, today: dt.date) -> dict[str, Any]:
    """The calendar page: the month's items by day, and everything overdue."""
    end = max(cycles.month_end(month), today)
    items = agenda.collect(project, today, end)
    return {"overdue": [i for i in items if i.overdue(today)], "upcoming": [i for i in items if not i.overdue(today)],
            "end": end}
