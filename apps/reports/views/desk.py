"""前台每月统计 page (R-M5-10): the front desk's monthly complaint validity and timely handling rates."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from apps.reports import desk_rates
from linli import clock


@login_required
def desk_rates_page(request: HttpRequest) -> HttpResponse:
    projects = desk_rates.projects_for(request.user)
    if not projects:
        raise Http404
    now = clock.now()
    today = now.astimezone(projects[0].tz).date()
    errors: dict[str, str] = {}
    month = desk_rates.parse_month(request.GET.get("month"), today)
    if month is None:
        errors["month"] = "月份格式应为 YYYY-MM，且不早于2000年、不晚于下月"
        month = desk_rates.parse_month(None, today)
    assert month is not None
    project = next((p for p in projects if str(p.pk) == request.GET.get("project")), projects[0])
    if request.GET.get("project") and str(project.pk) != request.GET.get("project"):
        errors["project"] = "项目不存在或您无权查看"
    rates = desk_rates.monthly_rates(project, month, now=now)
    return render(
        request,
        "reports/desk_rates.html",
        {
            "rates": rates,
            "rate_list": [rates.validity, rates.timely],
            "projects": projects,
            "project": project,
            "month_value": f"{month:%Y-%m}",
            "errors": errors,
        },
        status=400 if errors else 200,
    )
