"""The owners' notice board (public, no login) and the staff pages that publish to it (R-M17-12).
Thin: the rules are in actions.py."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST
from django.utils.translation import gettext as _

from apps.core.flash import flash_form_errors
from apps.org import access
from apps.org.models import Project
from apps.portal import actions
from apps.portal.forms import NoticeForm, WithdrawForm
from apps.portal.models import Publication
from linli import clock


# ------------------------------------------------------------------ public


def _project(code: str) -> Project:
    return get_object_or_404(Project, code=code, active=True)


def board(request: HttpRequest, code: str) -> HttpResponse:
    project = _project(code)
    items = Publication.objects.filter(project=project, withdrawn_at=None).order_by("-published_at", "-id")
    return render(request, "portal/board.html", {"project": project, "items": items[:100]})


def item(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    project = _project(code)
    pub = get_object_or_404(Publication, pk=pk, project=project, withdrawn_at=None)
    return render(request, "portal/item.html", {"project": project, "pub": pub})


# ------------------------------------------------------------------ staff


def _manageable(request: HttpRequest) -> list[Project]:
    return [p for p in access.visible_projects(request.user) if actions.can_publish(request.user, p)]


@login_required
def manage(request: HttpRequest) -> HttpResponse:
    projects = _manageable(request)
    if not projects:
        raise Http404
    pubs = (Publication.objects.filter(project__in=projects)
            .select_related("project", "published_by", "withdrawn_by", "source_report", "owners_told")
            .order_by("-published_at"))
    return render(request, "portal/manage.html", {"pubs": pubs[:200], "projects": projects,
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
    form = NoticeForm(request.POST or None, project=project)
    status = 200
    if request.method == "POST":
        if project is None:
            messages.error(request, _("请先选择项目"))
            status = 422
        elif form.is_valid():
            try:
                pub = actions.publish_notice(project=project, acting_user=request.user, now=clock.now(),
                                             **form.cleaned_data)
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
    from apps.reports.models import Report

    report = get_object_or_404(Report.objects.filter(project__in=access.visible_projects(request.user)), pk=pk)
    try:
        pub = actions.publish_report(report, acting_user=request.user, now=clock.now(),
                                     notify_owners=request.POST.get("notify_owners") in ("on", "1", "true"))
    except actions.PortalError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已推送到业主公告栏：{pub.title}")
    return redirect("reports:detail", pk=report.pk)


@login_required
@require_POST
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    projects = access.visible_projects(request.user)
    pub = get_object_or_404(Publication.objects.filter(project__in=projects), pk=pk)
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        flash_form_errors(request, form)
        return redirect("portal:manage")
    try:
        actions.withdraw(pub, reason=form.cleaned_data["reason"], acting_user=request.user, now=clock.now())
    except actions.PortalError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已从业主公告栏撤下"))
    return redirect("portal:manage")


