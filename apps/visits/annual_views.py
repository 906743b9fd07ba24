"""Pages of the annual return-visit plan (R-M9-13): the list with the form to draw one up, and the plan's
page with the year-to-date progress (targets against the return visits done), the change form, the
approval by the 物业总经理 and the year-end review. Thin: rules in actions, reads in :mod:`annual`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.core.errors import DomainError
from apps.org.access import has_cap, visible_projects
from apps.org.models import Project
from apps.org.roles import Cap
from apps.visits import access, actions, annual
from apps.visits.models import AnnualVisitPlan, PlanStatus
from apps.visits.plan_steps import decide_step
from apps.visits.programme_forms import AnnualPlanForm, AnnualReviewForm, DecideForm
from linli import clock


def _projects(request: HttpRequest) -> list[Project]:
    projects = access.annual_projects(request.user)
    if not projects:
        raise PermissionDenied
    return projects


def _project(request: HttpRequest, projects: list[Project]) -> Project:
    pid = request.GET.get("project") or request.POST.get("project")
    if pid and str(pid).isdigit():
        for p in projects:
            if p.pk == int(pid):
                return p
        raise Http404
    return projects[0]


def _refused(request: HttpRequest, form: Any, exc: DomainError, names: list[str]) -> None:
    """The refusal beside its field: ``targets.3.value`` is the fourth target entered."""
    field = exc.field or ""
    if field.startswith("targets."):
        parts = field.split(".")
        index = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else -1
        field = names[index] if 0 <= index < len(names) else ""
    form.add_error(field if field in form.fields else None, exc.message)
    messages.error(request, exc.message)


def _initial(plan: AnnualVisitPlan) -> dict[str, Any]:
    data: dict[str, Any] = {"duties": plan.duties}
    for t in plan.targets.all():
        data[f"t_{t.measure}_{t.quarter}"] = t.value
    return data


@login_required
def annual_list(request: HttpRequest) -> HttpResponse:
    """年度回访工作计划: the project's plans and, for the office director, the form to draw one up."""
    projects = _projects(request)
    project = _project(request, projects)
    can_plan = has_cap(request.user, Cap.PLAN_ANNUAL_VISITS, project)
    today = clock.today(project.tz)
    form = AnnualPlanForm(request.POST or None, initial={"year": today.year})
    if request.method == "POST":
        if not can_plan:
            raise PermissionDenied
        if form.is_valid():
            targets, names = form.targets()
            try:
                plan = actions.draw_up_annual_plan(
                    project=project,
                    year=form.cleaned_data["year"],
                    duties=form.cleaned_data["duties"],
                    targets=targets,
                    acting_user=access.acting_user(request),
                    now=clock.now(),
                )
            except DomainError as exc:
                _refused(request, form, exc, names)
            else:
                messages.success(request, _("年度回访工作计划已编制，请报物业总经理审批"))
                return redirect("visits:annual", pk=plan.pk)
        else:
            messages.error(request, _("请更正下列错误"))
    plans = annual.plans_for([project])
    return render(
        request,
        "visits/annual_list.html",
        {
            "project": project,
            "projects": projects,
            "plans": plans,
            "form": form,
            "can_plan": can_plan,
            "this_year": today.year,
        },
        status=400 if request.method == "POST" else 200,
    )


def _plan(request: HttpRequest, pk: int) -> AnnualVisitPlan:
    plan = (
        AnnualVisitPlan.objects.filter(pk=pk, project__in=visible_projects(request.user))
        .select_related("project", "drawn_by", "approved_by", "reviewed_by")
        .first()
    )
    if plan is None or not access.can_read_annual(request.user, plan.project):
        raise Http404
    return plan


def _page(
    request: HttpRequest,
    plan: AnnualVisitPlan,
    *,
    change_form: Any = None,
    decide_form: Any = None,
    review_form: Any = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    today = clock.today(plan.project.tz)
    targets = list(plan.targets.all())
    return render(
        request,
        "visits/annual_detail.html",
        {
            "plan": plan,
            "today": today,
            "progress": (
                plan.review_figures if plan.reviewed_at is not None else annual.progress(plan, today, targets=targets)
            ),
            "change_form": change_form or AnnualPlanForm(initial=_initial(plan), change=True),
            "decide_form": decide_form or DecideForm(),
            "review_form": review_form or AnnualReviewForm(),
            "can_plan": has_cap(user, Cap.PLAN_ANNUAL_VISITS, plan.project),
            "can_approve": has_cap(user, Cap.APPROVE_VISIT_PLANS, plan.project),
            "review_open": (
                plan.status == PlanStatus.APPROVED and plan.reviewed_at is None and today >= dt.date(plan.year, 12, 1)
            ),
        },
        status=status,
    )


@login_required
def annual_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, _plan(request, pk))


@login_required
@require_POST
def annual_change(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    form = AnnualPlanForm(request.POST, change=True)
    if form.is_valid():
        targets, names = form.targets()
        try:
            actions.change_annual_plan(
                plan=plan,
                duties=form.cleaned_data["duties"],
                targets=targets,
                reason=form.cleaned_data["reason"],
                acting_user=access.acting_user(request),
                now=clock.now(),
            )
        except DomainError as exc:
            _refused(request, form, exc, names)
        else:
            messages.success(
                request,
                _("年度计划已修改")
                if plan.status != PlanStatus.APPROVED
                else _("年度计划已修改，已重新报物业总经理审批"),
            )
            return redirect("visits:annual", pk=plan.pk)
    else:
        messages.error(request, _("请更正下列错误"))
    return _page(request, plan, change_form=form, status=400)


@login_required
@require_POST
def annual_submit(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    try:
        actions.submit_annual_plan(plan=plan, acting_user=access.acting_user(request), now=clock.now())
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已报物业总经理审批"))
    return redirect("visits:annual", pk=plan.pk)


@login_required
@require_POST
def annual_decide(request: HttpRequest, pk: int) -> HttpResponse:
    return decide_step(request, _plan(request, pk), decide=actions.decide_annual_plan, done="visits:annual",
                       page=_page)


@login_required
@require_POST
def annual_review(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    form = AnnualReviewForm(request.POST)
    if form.is_valid():
        try:
            actions.review_annual_plan(
                plan=plan, review=form.cleaned_data["review"], acting_user=access.acting_user(request), now=clock.now()
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            messages.error(request, exc.message)
        else:
            messages.success(request, _("年终总结已保存"))
            return redirect("visits:annual", pk=plan.pk)
    else:
        messages.error(request, _("请更正下列错误"))
    return _page(request, plan, review_form=form, status=400)
