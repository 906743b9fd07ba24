"""The owners' notice board (public, no login) and the staff pages that publish to it (R-M17-12).
Thin: the rules are in actions.py, the reads in queries.py, who may do what in access.py."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.core.flash import flash_form_errors
from apps.org.models import Project
from apps.portal import access, actions, queries
from apps.portal.forms import NoticeForm, WithdrawForm
from linli import clock

# ------------------------------------------------------------------ public


def board(request: HttpRequest, code: str) -> HttpResponse:
    project = queries.public_project(code)
    return render(request, "portal/board.html", {"project": project, "items": queries.board_items(project)})


def item(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    project = queries.public_project(code)
    return render(request, "portal/item.html", {"project": project, "pub": queries.board_item(project, pk)})


# ------------------------------------------------------------------ staff


def _manageable(request: HttpRequest) -> list[Project]:
    return access.manageable_projects(request.user)


@login_required
def manage(request: HttpRequest) -> HttpResponse:
    projects = _manageable(request)
    if not projects:
        raise Http404
    return render(request, "portal/manage.html", {"pubs": queries.managed_items(projects), "projects": projects,
                                                  "withdraw_form": WithdrawForm()})


def _current_project(request: HttpRequest, projects: list[Project]) -> Project | None:
    current = getattr(request, "project", None)
    if current is not None and current in projects:
        return current
    return projects[0] if len(projects) == 1 else None


@login_required
def notice_new(request: HttpRequest) -> HttpResponse:
    projects = _manageable(request)
    if not projects:
        raise Http404
    project = _current_project(request, projects)
    form = NoticeForm(request.POST or None, project=project, user=request.user)
    status = 200
    if request.method == "POST":
        if project is None:
            messages.error(request, _("请先选择项目"))
            status = 422
        elif form.is_valid():
            try:
                pub = actions.publish_notice(project=project, acting_user=access.acting_user(request),
                                             now=clock.now(), **form.cleaned_data)
            except actions.PortalError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
                status = exc.status
            else:
                messages.success(request, _("已发布到业主公告栏"))
                return redirect("portal:item", code=project.code, pk=pub.pk)
        else:
            status = 422
    return render(request, "portal/notice_form.html", {"form": form, "project": project}, status=status)


@login_required
@require_POST
def publish_report(request: HttpRequest, pk: int) -> HttpResponse:
    user = access.acting_user(request)
    report = queries.visible_report(user, pk)
    try:
        pub = actions.publish_report(report, acting_user=user, now=clock.now(),
                                     notify_owners=request.POST.get("notify_owners") in ("on", "1", "true"))
    except actions.PortalError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已推送到业主公告栏：{pub.title}")
    return redirect("reports:detail", pk=report.pk)


@login_required
@require_POST
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    user = access.acting_user(request)
    pub = queries.visible_publication(user, pk)
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        flash_form_errors(request, form)
        return redirect("portal:manage")
    try:
        actions.withdraw(pub, reason=form.cleaned_data["reason"], acting_user=user, now=clock.now())
    except actions.PortalError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已从业主公告栏撤下"))
    return redirect("portal:manage")


