"""Service targets beyond the complaint KPIs (R-M5-13, POLICY P-30): the measured value against the company's target
for the repair measures, the 48-hour repair return visit and the stairway lights, over a dashboard scope.

One definition per measure: the repair measures are :mod:`apps.repairs.measures` (targets from the company's
报修设置), the 48-hour return visit is the KPI ``repair_visit_on_time_rate`` of :mod:`apps.reports.kpis` (built on
``apps.tickets.measures``), the stairway lights are the 管理处's monthly counts (:class:`StairwayLightCount`).
Only the scope's projects and period apply (the ticket filters — department, category, channel, kind — do not).
Survey distribution and recovery are measured against their targets by the surveys module (调查策略), which sits above
this one.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from apps.org.models import Project
from apps.repairs import measures as repair_measures
from apps.repairs.models import RepairSettings
from apps.repairs.queries import repair_settings_for
from apps.reports import kpis
from apps.reports.models import StairwayLightCount

REPAIR_RULE = "R-M5-13"

# The rows' words as users read them (the KPI's docstring stays its developer definition, with its codes)
VISIT_LABEL = _("报修48小时内回访率")
VISIT_DEFINITION = _("首轮回访时限（维修后48小时内，按公司所选规则集）按时完成的报修（含有偿服务）÷ 回访时限已到期或已完成的报修；"
                     "到期仍未回访的算不及时，未到期和免回访的不计入。目标由公司设置，默认100%。")
LIGHTS_LABEL = _("楼道灯完好率")
LIGHTS_DEFINITION = _("统计期内各月登记的完好楼道灯数之和 ÷ 登记的楼道灯总数之和（管理处每月登记一次）。"
                      "目标由公司设置，默认不低于90%。")


def _repair_settings(projects: list[Project]) -> RepairSettings:
    """One project: its own 报修设置 (or the company's); several: the company's."""
    if len(projects) == 1:
        return repair_settings_for(projects[0])
    company_id = projects[0].company_id
    return (RepairSettings.objects.filter(company_id=company_id, project=None).first()
            or RepairSettings(company_id=company_id))


def _pct(fraction: Decimal | None) -> float | None:
    return None if fraction is None else round(float(fraction) * 100, 2)


def _row(code: str, label: str, definition: str, value: float | None, target: dict[str, Any] | None,
         counts: dict[str, int]) -> dict[str, Any]:
    met: bool | None = None
    if target is not None and value is not None:
        goal = float(target["value"])
        met = value <= goal if target.get("op") == "<=" else value >= goal
    return {"code": code, "label": label, "unit": "%", "definition": definition, "value": value,
            "target": target, "met_target": met, "counts": counts}


def stairway_lights(scope: kpis.Scope) -> dict[str, int]:
    """Working and counted stairway lights of the months whose first day is inside the scope's period (one query)."""
    agg = StairwayLightCount.objects.filter(
        project_id__in=scope.project_ids, month__gte=scope.first_day, month__lte=scope.last_day,
    ).aggregate(total=Sum("lights_total"), working=Sum("lights_working"))
    return {"numerator": int(agg["working"] or 0), "denominator": int(agg["total"] or 0)}


def service_targets(scope: kpis.Scope) -> list[dict[str, Any]]:
    """The rows of 服务指标与目标: value (percent), target (``{"value", "op"}``), met or not, and the counts."""
    projects = list(Project.objects.filter(pk__in=scope.project_ids).order_by("pk"))
    if not projects:
        return []
    settings = _repair_settings(projects)
    total = repair_measures.repair_measures(
        projects=projects, start=scope.first_day, end=scope.last_day + dt.timedelta(days=1), as_of=scope.now,
        group_by=("month",), targets=repair_measures.targets_from(settings))[-1]  # the last row is the total
    rows = []
    for m in repair_measures.MEASURES:
        figure = total[m]
        rows.append(_row(f"repair_{m}", str(repair_measures.LABELS[m]), str(repair_measures.DEFINITIONS[m]),
                         _pct(figure["rate"]), {"value": _pct(figure["target"]), "op": ">="},
                         {"numerator": figure["hit"], "denominator": figure["total"]}))
    visit = kpis.compute("repair_visit_on_time_rate", scope)
    rows.append(_row(visit.code, str(VISIT_LABEL), str(VISIT_DEFINITION), visit.value, visit.target, visit.counts))
    lights = stairway_lights(scope)
    value = round(100.0 * lights["numerator"] / lights["denominator"], 2) if lights["denominator"] else None
    rows.append(_row("stairway_lights_rate", str(LIGHTS_LABEL), str(LIGHTS_DEFINITION),
                     value, kpis.targets_for(projects[0].company_id).get("stairway_lights_rate"), lights))
    return rows
