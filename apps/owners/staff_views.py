"""Staff page of the owners' committee (issue 19 item 7, R-M1-13): the project's 客服主管/经理 appoint
业委会成员 (an owner or resident registered in the project) and end their appointment. A staff page
(``request.user``): an owner session never reaches it. Thin: rules in :mod:`apps.owners.actions`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from apps.org.models import Project, User
from apps.owners import actions, queries
from apps.owners.actions import OwnerError
from linli import clock


class AppointForm(forms.Form):
    phone = forms.CharField(
        label=gettext_lazy("手机号"),
        max_length=20,
        help_text=gettext_lazy("须为本项目业主档案中登记的业主或住户的手机号"),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    name = forms.CharField(
        label=gettext_lazy("姓名"), max_length=50, required=False, help_text=gettext_lazy("留空则用业主档案中的姓名")
    )
    title = forms.CharField(
        label=gettext_lazy("职务"), max_length=30, required=False, help_text=gettext_lazy("如：主任、副主任、委员")
    )


class EndForm(forms.Form):
    ended_on = forms.DateField(label=gettext_lazy("卸任日期"), widget=forms.DateInput(attrs={"type": "date"}))


def _user(request: HttpRequest) -> User:
    if not isinstance(request.user, User):
        raise PermissionDenied
    return request.user


def _project(request: HttpRequest) -> tuple[Project, list[Project]]:
    projects = list(queries.committee_projects(request.user))
    if not projects:
        raise PermissionDenied
    pid = request.GET.get("project") or request.POST.get("project")
    if pid and str(pid).isdigit():
        project = next((p for p in projects if p.pk == int(pid)), None)
        if project is None:
            raise Http404
        return project, projects
    return projects[0], projects


def _refused(request: HttpRequest, form: forms.Form, exc: OwnerError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)
    messages.error(request, exc.message)


def _page(
    request: HttpRequest,
    project: Project,
    projects: list[Project],
    *,
    form: Any = None,
    end_errors: dict[int, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    today = clock.today(project.tz)
    current = list(queries.committee_of(project))
    return render(
        request,
        "owners/staff/committee_members.html",
        {
            "project": project,
            "projects": projects,
            "form": form or AppointForm(),
            "current": current,
            "ended": list(queries.committee_of(project, ended=True)[:20]),
            "today": today,
            "end_errors": end_errors or {},
        },
        status=status,
    )


@login_required
def committee_members(request: HttpRequest) -> HttpResponse:
    """业委会成员: the project's current members (and recently ended), the appointment form."""
    project, projects = _project(request)
    if request.method != "POST":
        return _page(request, project, projects)
    form = AppointForm(request.POST)
    if form.is_valid():
        try:
            member = actions.appoint_committee_member(
                project=project, acting_user=_user(request), now=clock.now(), **form.cleaned_data
            )
        except OwnerError as exc:
            if exc.status in (403, 404):
                raise PermissionDenied from None
            _refused(request, form, exc)
        else:
            messages.success(request, _("已登记业委会成员：%(name)s") % {"name": member.name})
            return redirect(f"/owners-committee/?project={project.pk}")
    else:
        messages.error(request, _("请更正下列错误"))
    return _page(request, project, projects, form=form, status=400)


@login_required
@require_POST
def committee_member_end(request: HttpRequest, pk: int) -> HttpResponse:
    """业委会成员卸任 with the date."""
    project, projects = _project(request)
    member = queries.committee_of(project).filter(pk=pk).first()
    if member is None:
        raise Http404
    form = EndForm(request.POST)
    ended_on: dt.date | None = form.cleaned_data["ended_on"] if form.is_valid() else None
    try:
        actions.end_committee_member(member=member, ended_on=ended_on, acting_user=_user(request), now=clock.now())
    except OwnerError as exc:
        if exc.status in (403, 404):
            raise PermissionDenied from None
        messages.error(request, exc.message)
        return _page(request, project, projects, end_errors={member.pk: exc.message}, status=400)
    messages.success(request, _("%(name)s 已卸任业委会成员") % {"name": member.name})
    return redirect(f"/owners-committee/?project={project.pk}")
