"""楼道灯完好情况 page (R-M5-13, R-M8-06): the 管理处 counts the stairway lights once a month; the rate against the
company's target is shown here and on the dashboard."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from apps.core.errors import DomainError
from apps.org.models import User
from apps.reports import actions, kpis
from apps.reports.forms import StairwayLightForm
from apps.reports.models import StairwayLightCount
from apps.reports.views.utilities import utility_projects
from linli import clock


def met(rate: float | None, target: dict[str, Any] | None) -> bool | None:
    if rate is None or target is None:
        return None
    goal = float(target["value"])
    return rate <= goal if target.get("op") == "<=" else rate >= goal


@login_required
def stairway_lights_page(request: HttpRequest) -> HttpResponse:
    projects = utility_projects(request.user)
    if not projects:
        raise Http404
    raw = request.POST.get("project") if request.method == "POST" else request.GET.get("project")
    project = next((p for p in projects if str(p.pk) == raw), projects[0])
    now = clock.now()
    form = StairwayLightForm(initial={"month": clock.local(now).strftime("%Y-%m")})
    status = 200
    if request.method == "POST":
        form = StairwayLightForm(request.POST)
        if form.is_valid():
            try:
                actions.record_stairway_lights(project=project, acting_user=cast(User, request.user), now=now,
                                               **form.cleaned_data)
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
                status = exc.status
            else:
                messages.success(request, "楼道灯完好情况已登记")
                return redirect(f"{request.path}?project={project.pk}")
        else:
            status = 400
    target = kpis.targets_for(project.company_id).get("stairway_lights_rate")
    rows = [{"row": r, "met": met(r.rate, target)}
            for r in StairwayLightCount.objects.filter(project=project).select_related("recorded_by")
            .order_by("-month")[:24]]
    return render(request, "reports/stairway_lights.html",
                  {"projects": projects, "project": project, "form": form, "rows": rows, "target": target},
                  status=status)
