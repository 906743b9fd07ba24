"""Reads of the inspections app shared by pages, API, exports and the calendar: night-post-check month
status (R-M18-04, AS-38), pool limits and flags (R-M18-16), the monthly check bulletin by specialty
(R-M18-08), list querysets with what their rows show."""
from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import dateformat
from django.utils.translation import gettext

from apps.inspections.models import (
    CheckKind,
    CheckTemplate,
    Exemption,
    Finding,
    Inspection,
    InspectionRound,
    InspectionStatus,
    PoolLimits,
    PoolReading,
    RoundStatus,
    WarningNight,
)
from apps.org.models import Membership, Project, User
from apps.org.roles import Role

MIN_NIGHT_CHECKS = 4  # R-M18-04: at least 4 random night post checks a month


def month_bounds(month: dt.date) -> tuple[dt.date, dt.date]:
    start = month.replace(day=1)
    return start, start.replace(day=calendar.monthrange(start.year, start.month)[1])


def project_managers(project: Project) -> list[User]:
    """The 管理处经理 of the project: told of out-of-range pool readings and flagged months."""
    rows = Membership.objects.filter(project=project, role=Role.PROJECT_MANAGER).select_related("user")
    return [m.user for m in rows if m.user.is_active]


@dataclass
class NightMonth:
    month: dt.date
    checks: int
    nights_checked: set[dt.date]
    warning_nights: list[WarningNight]
    missed_warning_nights: list[dt.date] = field(default_factory=list)

    @property
    def too_few(self) -> bool:
        return self.checks < MIN_NIGHT_CHECKS

    @property
    def flagged(self) -> bool:
        return self.too_few or bool(self.missed_warning_nights)

    def reasons(self) -> list[str]:
        out = []
        if self.too_few:
            out.append(gettext("本月夜间查岗 %(done)s 次，少于 %(need)s 次") % {"done": self.checks, "need": MIN_NIGHT_CHECKS})
        out += [gettext("%(day)s有恶劣天气预警，当晚没有夜间查岗") % {"day": dateformat.format(d, gettext("m月d日"))}
                for d in self.missed_warning_nights]
        return out


def night_month(project: Project, month: dt.date, *, today: dt.date | None = None) -> NightMonth:
    """AS-38: complete night post checks in the month (by night), and warning nights without one. A
    warning night not yet over (today or later) is not yet missed."""
    start, end = month_bounds(month)
    nights = list(Inspection.objects.filter(project=project, kind=CheckKind.NIGHT_POST,
                                            status=InspectionStatus.COMPLETE, night_of__gte=start, night_of__lte=end)
                  .values_list("night_of", flat=True))
    warnings = list(WarningNight.objects.filter(project=project, night_of__gte=start, night_of__lte=end)
                    .order_by("night_of"))
    checked = {n for n in nights if n is not None}
    missed = sorted({w.night_of for w in warnings if w.night_of not in checked
                     and (today is None or w.night_of < today)})
    return NightMonth(start, len(nights), checked, warnings, missed)


def pool_limits(project: Project) -> PoolLimits:
    rows = {r.project_id: r for r in PoolLimits.objects.filter(Q(project=project) | Q(project=None),
                                                               company_id=project.company_id)}
    return rows.get(project.pk) or rows.get(None) or PoolLimits(company_id=project.company_id)


def pool_flags(values: dict[str, Decimal | None], limits: PoolLimits) -> list[str]:
    """Out-of-range readings in words (R-M18-16); a limit left empty is not checked."""
    checks = [("footbath_cl", "浸脚池余氯", limits.footbath_cl_min, limits.footbath_cl_max, "mg/L"),
              ("kids_cl", "儿童池新水余氯", limits.kids_cl_min, limits.kids_cl_max, "mg/L"),
              ("ph", "pH", limits.ph_min, limits.ph_max, ""), ("br", "BR", limits.br_min, limits.br_max, "")]
    out = []
    for key, label, low, high, unit in checks:
        v = values.get(key)
        if v is None:
            continue
        if low is not None and v < Decimal(str(low)):
            out.append(f"{label} {v}{unit} 低于下限 {low}{unit}")
        elif high is not None and v > Decimal(str(high)):
            out.append(f"{label} {v}{unit} 高于上限 {high}{unit}")
    return out


def pool_day(project: Project, day: dt.date, limits: PoolLimits | None = None) -> list[str]:
    """Frequency checks of one day (interpretation of R-M18-16): the filter boxes cleaned at least twice,
    and no gap longer than the foot-bath interval between changes during opening hours (09:00–21:30)."""
    limits = limits or pool_limits(project)
    tz = project.tz
    open_at = dt.datetime.combine(day, dt.time(9, 0), tzinfo=tz)
    close_at = dt.datetime.combine(day, dt.time(21, 30), tzinfo=tz)
    rows = list(PoolReading.objects.filter(project=project, taken_at__gte=open_at - dt.timedelta(hours=9),
                                           taken_at__lte=close_at).order_by("taken_at")
                .values_list("taken_at", "filter_cleaned", "footbath_changed"))
    out = []
    cleanings = sum(1 for _, f, _ in rows if f)
    if cleanings < limits.filter_cleanings_per_day:
        out.append(gettext("过滤箱清洗 %(done)s 次，少于每日 %(need)s 次") % {"done": cleanings, "need": limits.filter_cleanings_per_day})
    changes = [at for at, _, c in rows if c and at >= open_at]
    gap = dt.timedelta(hours=limits.footbath_change_hours)
    points = [open_at, *changes, close_at]
    if any(b - a > gap for a, b in zip(points, points[1:], strict=False)):
        out.append(gettext("浸脚池换水间隔超过 %(hours)s 小时") % {"hours": limits.footbath_change_hours})
    return out


def templates_for(project: Project) -> QuerySet[CheckTemplate]:
    """The check templates a project may use: the shipped ones, its company's and its own."""
    return CheckTemplate.objects.filter(Q(company=None) | Q(company_id=project.company_id), active=True).filter(
        Q(project=None) | Q(project=project)).order_by("kind", "level", "name")


def list_inspections(qs: QuerySet[Inspection]) -> QuerySet[Inspection]:
    return (qs.select_related("project", "inspector", "template")
            .annotate(finding_count=Count("findings"),
                      open_count=Count("findings", filter=Q(findings__status="open")))
            .order_by("-inspected_at", "-pk"))


def due_rounds(project: Project) -> QuerySet[InspectionRound]:
    return (InspectionRound.objects.filter(project=project, status=RoundStatus.SCHEDULED)
            .select_related("template", "assignee").order_by("due_on", "pk"))


BUILDING_CHECKS = (CheckKind.MONTHLY, CheckKind.QUARTERLY, CheckKind.DAILY, CheckKind.PROPERTY_STATE)


def bulletin(projects: Any, month: dt.date) -> dict[str, Any]:
    """月检通报 (R-M18-08): nonconformities of the month's checks by specialty (department) and project,
    with the quarter's check results in the quarter's last month."""
    start, end = month_bounds(month)
    findings = (Finding.objects.filter(inspection__project__in=projects, inspection__kind__in=BUILDING_CHECKS,
                                       inspection__inspected_at__date__gte=start,
                                       inspection__inspected_at__date__lte=end + dt.timedelta(days=1))
                .exclude(exemption=Exemption.HANDLING_PLAN)  # R-M18-10: not a management defect
                .select_related("inspection__project", "department", "responsible", "ticket")
                .order_by("specialty", "inspection__project__code", "pk"))
    rows = [f for f in findings if start <= f.inspection.inspected_at.astimezone(f.inspection.project.tz).date()
            <= end]
    by_specialty: dict[str, list[Finding]] = {}
    for f in rows:
        key = f.specialty or (f.department.name if f.department else "") or "其他"
        by_specialty.setdefault(key, []).append(f)
    quarter_end_month = start.month % 3 == 0
    quarterly = []
    if quarter_end_month:
        q_start = start.replace(month=start.month - 2)
        quarterly = list(Inspection.objects.filter(project__in=projects, kind=CheckKind.QUARTERLY,
                                                   inspected_at__date__gte=q_start,
                                                   inspected_at__date__lte=end + dt.timedelta(days=1))
                         .select_related("project", "inspector").annotate(finding_count=Count("findings")))
    return {"month": start, "by_specialty": by_specialty, "total": len(rows),
            "open": sum(1 for f in rows if f.status == "open"), "quarterly": quarterly,
            "quarter_end_month": quarter_end_month}
