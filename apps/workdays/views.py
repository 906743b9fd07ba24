"""Calendar pages (thin): a project's calendar month by month with the policy table, and the import
of an official schedule (P-25). Another company's project → 404."""
from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from apps.org import access
from apps.org.models import Project
from apps.org.roles import Cap
from apps.workdays import actions, queries
from apps.workdays import policies as pol
from apps.workdays.forms import ImportForm
from linli import clock


def _project(request: HttpRequest) -> Project:
    if not access.has_cap(request.user, Cap.VIEW_TICKETS) and not access.has_cap(request.user, Cap.MANAGE_CONFIG):
        raise Http404
    projects = access.visible_projects(request.user).order_by("code")
    pid = request.GET.get("project")
    if pid:
        project = projects.filter(pk=pid).first() if pid.isdigit() else None
        if project is None:
            raise Http404
        return project
    project = projects.first()
    if project is None:
        raise Http404
    return project


def _month(request: HttpRequest, tz: dt.tzinfo) -> tuple[int, int]:
    text = request.GET.get("month", "")
    try:
        y, m = (int(x) for x in text.split("-"))
        dt.date(y, m, 1)
        return y, m
    except (ValueError, TypeError):
        today = clock.local(clock.now(), tz)
        return today.year, today.month


@login_required
def month(request: HttpRequest) -> HttpResponse:
    project = _project(request)
    year, mon = _month(request, project.tz)
    weeks, provisional = queries.month_grid(project, year, mon)
    prev_m = (dt.date(year, mon, 1) - dt.timedelta(days=1)).replace(day=1)
    next_m = (dt.date(year, mon, 28) + dt.timedelta(days=5)).replace(day=1)
    this_year = clock.local(clock.now(), project.tz).year
    return render(request, "workdays/month.html", {
        "project": project, "projects": access.visible_projects(request.user).order_by("code"),
        "year": year, "month": mon, "first": dt.date(year, mon, 1), "weeks": weeks, "provisional": provisional,
        "prev": prev_m, "next": next_m, "uncovered": queries.uncovered_years([this_year, this_year + 1]),
        "table": queries.policy_table(project), "settings": queries.settings_for(project),
        "clocks": pol.CLOCKS, "stages": pol.STAGES, "hours": queries.working_hours(project),
        "can_import": _can_import(request),
        "weekdays": [_("一"), _("二"), _("三"), _("四"), _("五"), _("六"), _("日")],
    })


def _can_import(request: HttpRequest) -> bool:
    return bool(request.user.is_superuser or access.has_cap(request.user, Cap.MANAGE_CONFIG))


@login_required
def import_view(request: HttpRequest) -> HttpResponse:
    if not _can_import(request):
        raise Http404
    form = ImportForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            result = actions.import_calendar(
                form.cleaned_data["content"], year=form.cleaned_data.get("year"),
                source=form.cleaned_data.get("source") or _("页面导入"), by=request.user.get_username(),
                now=clock.now())
        except actions.CalendarImportError as exc:
            errors = exc.errors
        else:
            messages.success(request, _("已导入 %(years)s 年：休息日 %(h)d 天，调休上班日 %(w)d 天；这些年度已标为正式，暂定时限已重算。")
                             % {"years": "、".join(map(str, result.years)), "h": result.holidays, "w": result.workdays})
            return redirect(f"{reverse('workdays:month')}?month={result.years[0]}-01")
    return render(request, "workdays/import.html", {"form": form, "errors": errors})
