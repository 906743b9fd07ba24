"""Activity pages (thin: rules in actions.py). Another project's record → 404."""
from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.activities import actions
from apps.activities.forms import (
    ActivityForm,
    BoardItemForm,
    CostLimitForm,
    GreetingForm,
    InviteForm,
    NoticeForm,
    PlanForm,
    RecordForm,
)
from apps.activities.models import Activity, ActivityCostLimit, ActivityPlan
from apps.core import files
from apps.core.errors import DomainError
from apps.core.flash import flash_refusal
from apps.org.access import has_cap, visible_projects
from apps.org.models import Project, User
from apps.org.roles import Cap
from linli import clock


def _user(request: HttpRequest) -> User:
    if not isinstance(request.user, User):
        raise PermissionDenied
    return request.user


def _readable(request: HttpRequest) -> list[Project]:
    return [p for p in visible_projects(request.user).order_by("code")
            if has_cap(request.user, Cap.PLAN_ACTIVITIES, p) or has_cap(request.user, Cap.APPROVE_ACTIVITIES, p)
            or has_cap(request.user, Cap.VIEW_REPORTS, p)]


def _project(request: HttpRequest) -> tuple[Project, list[Project]]:
    projects = _readable(request)
    if not projects:
        raise PermissionDenied
    pid = request.GET.get("project") or request.POST.get("project")
    if pid and str(pid).isdigit():
        for p in projects:
            if p.pk == int(pid):
                return p, projects
        raise Http404
    return projects[0], projects


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """社区活动计划 (R-M12-01) and the project's activities."""
    project, projects = _project(request)
    form = PlanForm(request.POST or None, initial={"year": clock.today(project.tz).year, "period": "annual"})
    if request.method == "POST":
        if form.is_valid():
            try:
                plan = actions.draw_up_plan(project=project, acting_user=_user(request), now=clock.now(),
                                            **form.cleaned_data)
            except DomainError as exc:
                flash_refusal(request, exc, form=form)
            else:
                messages.success(request, _("活动计划已建立"))
                return redirect("activities:plan", pk=plan.pk)
        else:
            messages.error(request, _("请更正下列错误"))
    return render(request, "activities/index.html", {
        "project": project, "projects": projects, "form": form,
        "plans": ActivityPlan.objects.filter(project=project).select_related("drawn_by")[:20],
        "activities": Activity.objects.filter(project=project).select_related("plan")[:50],
        "can_plan": has_cap(request.user, Cap.PLAN_ACTIVITIES, project)},
        status=400 if request.method == "POST" else 200)


def _plan(request: HttpRequest, pk: int) -> ActivityPlan:
    plan = ActivityPlan.objects.filter(pk=pk, project__in=_readable(request)).select_related("project").first()
    if plan is None:
        raise Http404
    return plan


@login_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    form = ActivityForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                activity = actions.add_activity(plan=plan, acting_user=_user(request), now=clock.now(),
                                                **form.cleaned_data)
            except DomainError as exc:
                flash_refusal(request, exc, form=form)
            else:
                messages.success(request, _("活动已加入计划，请报批实施方案"))
                return redirect("activities:detail", pk=activity.pk)
        else:
            messages.error(request, _("请更正下列错误"))
    return render(request, "activities/plan.html", {
        "plan": plan, "activities": plan.activities.all(), "form": form,
        "can_plan": has_cap(request.user, Cap.PLAN_ACTIVITIES, plan.project)},
        status=400 if request.method == "POST" else 200)


def _activity(request: HttpRequest, pk: int) -> Activity:
    a = (Activity.objects.filter(pk=pk, project__in=_readable(request))
         .select_related("project", "plan", "responsible", "plan_approved_by", "cost_approved_by").first())
    if a is None:
        raise Http404
    return a


def _detail(request: HttpRequest, a: Activity, status: int = 200, **forms: Any) -> HttpResponse:
    user = request.user
    return render(request, "activities/detail.html", {
        "a": a, "photos": a.photos.all(), "notice_form": forms.get("notice_form") or NoticeForm(),
        "invite_form": forms.get("invite_form") or InviteForm(), "record_form": forms.get("record_form") or RecordForm(),
        "can_plan": has_cap(user, Cap.PLAN_ACTIVITIES, a.project),
        "can_approve": has_cap(user, Cap.APPROVE_ACTIVITIES, a.project)}, status=status)


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _activity(request, pk))


@login_required
@require_POST
def approve(request: HttpRequest, pk: int, what: str) -> HttpResponse:
    a = _activity(request, pk)
    try:
        if what == "plan":
            actions.approve_implementation(activity=a, acting_user=_user(request), now=clock.now())
        elif what == "cost":
            actions.approve_cost(activity=a, acting_user=_user(request), now=clock.now())
        else:
            raise Http404
    except DomainError as exc:
        flash_refusal(request, exc)
    else:
        messages.success(request, _("已批准"))
    return redirect("activities:detail", pk=a.pk)


@login_required
@require_POST
def notice(request: HttpRequest, pk: int) -> HttpResponse:
    a = _activity(request, pk)
    form = NoticeForm(request.POST)
    if form.is_valid():
        try:
            a = actions.publish_activity_notice(activity=a, acting_user=_user(request), now=clock.now(),
                                                **form.cleaned_data)
        except DomainError as exc:
            flash_refusal(request, exc, form=form)
        else:
            if a.notice_late:
                messages.warning(request, f"通知已发布，但距活动仅 {a.notice_days_ahead} 天，不足3天，已记为不合格")
            else:
                messages.success(request, _("活动通知已发布"))
            return redirect("activities:detail", pk=a.pk)
    return _detail(request, _activity(request, pk), status=400, notice_form=form)


@login_required
@require_POST
def invite(request: HttpRequest, pk: int) -> HttpResponse:
    a = _activity(request, pk)
    form = InviteForm(request.POST)
    if form.is_valid():
        try:
            n = actions.invite_not_moved_in(activity=a, text=form.cleaned_data["text"], acting_user=_user(request),
                                            now=clock.now())
        except DomainError as exc:
            flash_refusal(request, exc, form=form)
        else:
            messages.success(request, f"已向 {n} 位未入住业主发送邀请")
            return redirect("activities:detail", pk=a.pk)
    return _detail(request, _activity(request, pk), status=400, invite_form=form)


@login_required
@require_POST
def record(request: HttpRequest, pk: int) -> HttpResponse:
    a = _activity(request, pk)
    form = RecordForm(request.POST)
    if form.is_valid():
        try:
            actions.record_activity(activity=a, acting_user=_user(request), now=clock.now(),
                                    photos=request.FILES.getlist("photos"), **form.cleaned_data)
        except DomainError as exc:
            flash_refusal(request, exc, form=form)
        else:
            messages.success(request, _("活动记录已保存"))
            return redirect("activities:detail", pk=a.pk)
    return _detail(request, _activity(request, pk), status=400, record_form=form)


@login_required
def photo(request: HttpRequest, pk: int, photo_id: int) -> HttpResponseBase:
    a = _activity(request, pk)
    p = a.photos.filter(pk=photo_id).first()
    if p is None:
        raise Http404
    return files.serve(p.file, thumb=request.GET.get("thumb") == "1", download_name=f"activity-{a.pk}-photo")


@login_required
def board(request: HttpRequest) -> HttpResponse:
    """节日问候短信、公告栏 (R-M12-09 … R-M12-14) and the cost-approval limits (R-M12-05)."""
    project, projects = _project(request)
    which = request.POST.get("form", "")
    greeting = GreetingForm(request.POST if which == "greeting" else None)
    item = BoardItemForm(request.POST if which == "board" else None)
    limit = CostLimitForm(request.POST if which == "limit" else None)
    if request.method == "POST":
        form = {"greeting": greeting, "board": item, "limit": limit}.get(which)
        if form is None:
            raise Http404
        if form.is_valid():
            try:
                if which == "greeting":
                    n = actions.send_greeting(project=project, acting_user=_user(request), now=clock.now(),
                                              **form.cleaned_data)
                    messages.success(request, f"问候短信已排队 {n.recipients} 条（免打扰时段顺延）")
                elif which == "board":
                    actions.post_board_item(project=project, acting_user=_user(request), now=clock.now(),
                                            **form.cleaned_data)
                    messages.success(request, _("已张贴到业主公告栏"))
                else:
                    actions.save_cost_limit(project=project, acting_user=_user(request), now=clock.now(),
                                            **form.cleaned_data)
                    messages.success(request, _("审批权限已保存"))
            except DomainError as exc:
                flash_refusal(request, exc, form=form)
            else:
                return redirect(f"/activities/board/?project={project.pk}")
        else:
            messages.error(request, _("请更正下列错误"))
    limits = {r.role: r.limit for r in ActivityCostLimit.objects.filter(company_id=project.company_id)}
    return render(request, "activities/board.html", {
        "project": project, "projects": projects, "greeting": greeting, "item": item, "limit_form": limit,
        "limits": [(role, limits.get(role, default)) for role, default in actions.DEFAULT_COST_LIMITS.items()],
        "can_plan": has_cap(request.user, Cap.PLAN_ACTIVITIES, project),
        "can_configure": has_cap(request.user, Cap.MANAGE_CONFIG, project)},
        status=400 if request.method == "POST" else 200)
