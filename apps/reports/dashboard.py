"""Dashboard data (issue 7 item 2): KPI cards against targets, trend, breakdowns, building heat map
and overdue-now, each entry with the URL of the exact ticket list behind it.

The project manager sees their own project(s); the quality department and company leaders see
every project of the company (``apps.org.access.visible_projects`` decides). Pure read-side: the
view serialises :func:`dashboard_data` to JSON for ECharts.
"""
from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.urls import NoReverseMatch, reverse

from apps.reports import kpis, targets


def drill_url(scope: kpis.Scope, **extra: Any) -> str:
    params = scope.params()
    params.update({k: ("none" if v is None else str(v)) for k, v in extra.items()})
    return f"{reverse('reports:drill')}?{urlencode(params)}"


def tickets_list_url(scope: kpis.Scope, **extra: Any) -> str | None:
    """The same selection on the tickets list page (/tickets/), when that page exists and can
    express it (one project; its filter has no KPI conditions, so only plain counts map)."""
    try:
        base = reverse("tickets:list")
    except NoReverseMatch:
        return None
    if len(scope.project_ids) != 1:
        return None
    params = {"project": scope.project_ids[0], "received_from": scope.first_day.isoformat(),
              "received_to": scope.last_day.isoformat()}
    for name, value in (("department", scope.department_id), ("category", scope.category_id),
                        ("channel", scope.channel), ("kind", scope.kind)):
        if value:
            params[name] = value
    for name in ("kind", "channel", "category", "department"):
        if extra.get("by") == name and extra.get("key") not in (None, "none"):
            params[name] = extra["key"]
    return f"{base}?{urlencode(params)}"


def kpi_cards(scope: kpis.Scope) -> list[dict[str, Any]]:
    cards = []
    for r in kpis.all_kpis(scope):
        d = r.as_dict()
        d["drill"] = {part: drill_url(scope, kpi=r.code, part=part) for part in r.counts}
        cards.append(d)
    return cards


def dashboard_data(scope: kpis.Scope, *, unit: str = "month") -> dict[str, Any]:
    trend = [{**row, "from": row["from"].isoformat(), "to": row["to"].isoformat(),
              "drill": drill_url(scope, kpi="received", part="all", bucket_from=row["from"].isoformat(),
                                 bucket_to=row["to"].isoformat())}
             for row in kpis.trend(scope, unit=unit)]

    def table(by: str, *, code: str = "received", part: str = "all") -> list[dict[str, Any]]:
        return [{**row, "drill": drill_url(scope, kpi=code, part=part, by=by, key=row["key"])}
                for row in kpis.breakdown(scope, by, code=code, part=part)]

    heat = kpis.building_heat(scope)
    for cell in heat["cells"]:
        cell["drill"] = drill_url(scope, kpi="received", part="all", by="building", key=cell["building"]) + \
            "&" + urlencode({"by2": "category", "key2": "none" if cell["category"] is None else cell["category"]})
    return {
        "scope": scope.params(),
        "kpis": kpi_cards(scope),
        "trend": {"unit": unit, "rows": trend},
        "by_category": table("category"),
        "by_department": table("department"),
        "by_project": table("project"),
        # R-M5-15: the classification dimensions the seeds give — channel, subject, escalation level
        "by_channel": table("channel"),
        "by_subject": table("subject"),
        "by_escalation": table("escalation_level"),
        "heat": heat,
        # R-M5-13: repair measures, 48-hour repair return visits and stairway lights against the company's targets
        "service_targets": targets.service_targets(scope),
        "overdue_by_department": table("department", code="overdue_now"),
        "reply_by_channel": [{**r, "drill": drill_url(scope, kpi="reply_on_time_rate", part="denominator",
                                                       by="channel", key=r["key"])}
                             for r in kpis.rate_by(scope, "reply_on_time_rate", "channel")],
    }
