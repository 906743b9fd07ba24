"""半年度水电统计 page (R-M5-17): the 管理处 reports each finished half-year's water and electricity figures
against the targets, with its analysis, to the management department; due dates and late reports shown."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from apps.org import access
from apps.org.models import User
from apps.org.roles import Cap
from apps.reports import actions, utilities
from apps.reports.forms import UtilityForm
from linli import clock


def utility_projects(user: Any) -> list[Any]:
    return [p for p in access.visible_projects(user).order_by("pk") if access.has_cap(user, Cap.VIEW_REPORTS, p)]


@login_required
def utility_page(request: HttpRequest) -> HttpResponse:
    projects = utility_projects(request.user)
    if not projects:
        raise Http404
    raw = request.POST.get("project") if request.method == "POST" else request.GET.get("project")
    project = next((p for p in projects if str(p.pk) == raw), projects[0])
    now = clock.now()
    halves = utilities.half_years(project, now)
    owed = next((h for h in reversed(halves) if h.row is None), None)
    form = UtilityForm(initial={"year": owed.year, "half": owed.half} if owed else {})
    status = 200
    if request.method == "POST":
        form = UtilityForm(request.POST)
        if form.is_valid():
            try:
                with transaction.atomic():
                    actions.record_utility_statistics(
                        project=project, acting_user=cast(User, request.user), now=now, **form.cleaned_data
                    )
            except actions.ReportError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, "水电统计已上报管理部")
                return redirect(f"{request.path}?project={project.pk}")
        status = 400
    return render(
        request,
        "reports/utilities.html",
        {
            "projects": projects,
            "project": project,
            "form": form,
            "now": now,
            "recipient": utilities.RECIPIENT,
            "rows": [
                {"h": h, "late": h.late(now), "variance": actions.utility_variance(h.row) if h.row else None}
                for h in halves
            ],
        },
        status=status,
    )
