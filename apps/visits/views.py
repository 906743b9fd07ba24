"""Visit pages (thin: rules in actions.py, reads in queries.py, who may see what in access.py). A visit
of another project → 404.

- ``/visits/``: the 客服部 visit archive (R-M6-06) with filters and the 业主回访记录表 Excel export;
- ``/visits/problems/``: visit problems (R-M9-04), the drill-down of the year-end statistics (R-M5-12);
- ``/visits/new/``, ``/visits/<pk>/`` with correction, void, settling a problem, raising a ticket (R-M9-11).
"""
from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.core.api_errors import ApiError
from apps.core.errors import DomainError
from apps.core.exports import xlsx_response
from apps.core.flash import flash_form_errors, flash_refusal
from apps.estates.actions import log_export
from apps.estates.masking import mask_name
from apps.org.models import Project
from apps.visits import access, actions, queries
from apps.visits.forms import CorrectForm, ProblemFormSet, RaiseTicketForm, SettleForm, VisitForm, VoidForm
from apps.visits.models import ProblemStatus, Visit, VisitCategory, VisitMethod, VisitProblem
from apps.visits.programme_forms import ProgressForm, ReturnVisitForm
from linli import clock


def _visit(request: HttpRequest, pk: int) -> Visit:
    try:
        return access.get_visit(request.user, pk)
    except access.VisitNotFound:
        raise Http404 from None


def _problem(request: HttpRequest, pk: int) -> VisitProblem:
    try:
        return access.get_problem(request.user, pk)
    except access.VisitNotFound:
        raise Http404 from None


def _archive_projects(request: HttpRequest) -> list[Project]:
    """Projects whose visit archive the user may read (R-M7-01); none → 403."""
    projects = access.archive_projects(request.user)
    if not projects:
        raise PermissionDenied
    return projects


def _filter_context(request: HttpRequest, q: queries.VisitQuery, projects: list[Project]) -> dict[str, Any]:
    return {"q": q, "projects": projects, "visitors": queries.staff_of(projects), "categories": VisitCategory.choices,
            "methods": VisitMethod.choices, "statuses": ProblemStatus.choices,
            "can_record": any(access.can_record(request.user, p) for p in projects)}


EXPORT_HEADERS = ["项目", "走访日期", "走访时间", "房号", "被访人", "走访类别", "走访方式", "走访人", "沟通内容", "业主意见",
                  "问题数", "待解决", "无法解决", "归档部门", "记录人", "状态"]


@login_required
def visit_list(request: HttpRequest) -> HttpResponse | FileResponse:
    """业主走访档案 (R-M6-06): the 客服部's file of visit records, filtered; ``?format=xlsx`` exports it."""
    projects = _archive_projects(request)
    q = queries.parse_query(request.GET)
    visits = queries.archive_visits(
        queries.filter_visits(access.visible_visits(request.user).filter(project__in=projects), q))
    if request.GET.get("format") == "xlsx":
        per_project: dict[Any, int] = {}

        def rows() -> Any:
            v: Any  # a Visit annotated with its problem counts (queries.archive_visits)
            for v in visits.iterator(chunk_size=500):
                per_project[v.project] = per_project.get(v.project, 0) + 1
                yield [v.project.name, v.visited_on, v.visited_at, v.household.label,
                       mask_name(v.person.name) if v.person else "", v.get_category_display(), v.get_method_display(),
                       str(v.visitor), v.communicated, v.opinions, v.n_problems, v.n_open, v.n_cannot,
                       v.filed_department.name, str(v.recorded_by), "作废：" + v.void_reason if v.voided else ""]

        response = xlsx_response("业主回访记录表.xlsx", EXPORT_HEADERS, rows(), sheet="业主回访记录表",
                                 title="业主回访记录表")
        for project, n in per_project.items():  # R-M7-01: every export of customer data is logged
            log_export(access.acting_user(request), project, unmasked=False, reason="导出业主回访记录表", screen="业主走访档案导出",
                       rows=n, grant=None)
        return response
    for message in q.errors or []:
        messages.warning(request, message)
    page = Paginator(visits, 50).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(request, "visits/visit_list.html", {**_filter_context(request, q, projects), "page": page,
                                                      "querystring": params.urlencode()})


@login_required
def problem_list(request: HttpRequest) -> HttpResponse:
    """走访问题 (R-M9-04): problems of the filtered visits, by status and category (R-M5-12 drill-down)."""
    projects = _archive_projects(request)
    q = queries.parse_query(request.GET)
    problems = queries.archive_problems(
        queries.filter_problems(access.visible_problems(request.user).filter(visit__project__in=projects), q))
    for message in q.errors or []:
        messages.warning(request, message)
    page = Paginator(problems, 50).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(request, "visits/problem_list.html", {**_filter_context(request, q, projects), "page": page,
                                                        "querystring": params.urlencode()})


@login_required
def visit_new(request: HttpRequest) -> HttpResponse:
    """记录走访 (R-M9-03): the visit with up to three problems per form (more after saving is not needed:
    the form can be sent with more rows)."""
    projects = access.record_projects(request.user)
    if not projects.exists():
        raise Http404
    current = getattr(request, "project", None)
    initial = {"project": current.pk if current is not None and projects.filter(pk=current.pk).exists() else None,
               "visited_at": clock.local(clock.now()).strftime("%Y-%m-%dT%H:%M")}
    hh = request.GET.get("hh", "")
    if hh.isdigit():  # from a household's archive page: prefill the project and room
        household = queries.household_in(projects, int(hh))
        if household is not None:
            initial.update(project=household.project_id, household=household.label)
    form = VisitForm(request.POST or None, projects=projects, initial=initial)
    formset = ProblemFormSet(request.POST or None, prefix="problems", form_kwargs={"projects": projects})
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        data = form.cleaned_data
        # the form reads the time as Asia/Shanghai wall time; it is the wall time of the visited project
        data["visited_at"] = timezone.make_aware(timezone.make_naive(data["visited_at"]), data["project"].tz)
        problems = [f.cleaned_data for f in formset.forms
                    if f.cleaned_data.get("description", "").strip() or f.cleaned_data.get("answer", "").strip()]

        def produce() -> dict[str, Any]:
            visit = actions.record_visit(
                project=data["project"], household=data["household_obj"], person=data.get("person_obj"),
                category=data["category"], method=data["method"], visitor=data.get("visitor"),
                visited_at=data["visited_at"], communicated=data["communicated"], opinions=data["opinions"],
                problems=problems, emergency_reason=data.get("emergency_reason", ""),
                acting_user=access.acting_user(request), now=clock.now())
            return {"id": visit.pk, "filed_department": visit.filed_department.name}

        try:
            made = produce()  # a double-clicked or re-sent form files one visit: apps.api.idempotency
        except DomainError as exc:
            flash_refusal(request, exc, form=form)
        except ApiError as exc:  # the same key is still being processed, or was used for another form
            messages.error(request, exc.message)
        else:
            messages.success(request, f"走访记录已保存，归档于{made['filed_department']}")
            return redirect("visits:detail", pk=made["id"])
    status = 400 if request.method == "POST" else 200
    return render(request, "visits/visit_form.html", {"form": form, "formset": formset}, status=status)


@login_required
def visit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    visit = _visit(request, pk)
    can_record = access.can_record(request.user, visit.project) and not visit.voided
    return render(request, "visits/visit_detail.html", {
        "visit": visit, "problems": queries.visit_problems(visit), "history": queries.visit_history(visit),
        "can_record": can_record, "can_void": can_record and access.can_void(request.user, visit.project),
        "settle_form": SettleForm(), "ticket_form": RaiseTicketForm(), "void_form": VoidForm(),
        "progress_form": ProgressForm(), "return_form": ReturnVisitForm(),
    })


@login_required
def visit_correct(request: HttpRequest, pk: int) -> HttpResponse:
    visit = _visit(request, pk)
    if not access.can_record(request.user, visit.project):
        raise Http404
    tz = visit.project.tz  # the form shows and reads the visit time in the project's zone, to the minute
    shown = clock.local(visit.visited_at, tz).replace(second=0, microsecond=0)
    initial = {"category": visit.category, "method": visit.method, "communicated": visit.communicated,
               "opinions": visit.opinions, "visited_at": shown.strftime("%Y-%m-%dT%H:%M")}
    form = CorrectForm(request.POST or None, initial=initial)
    with timezone.override(tz):
        valid = request.method == "POST" and form.is_valid()
    if valid:
        data = dict(form.cleaned_data)
        reason = data.pop("reason")
        emergency_reason = data.pop("emergency_reason", "")
        at = data.get("visited_at")
        if at is not None and clock.local(at, tz).replace(second=0, microsecond=0) == shown:
            data.pop("visited_at")  # unchanged as far as the form can say: keep the stored seconds
        changes = {k: v for k, v in data.items() if getattr(visit, k) != v}
        try:
            actions.correct_visit(visit=visit, changes=changes, reason=reason, emergency_reason=emergency_reason,
                                  acting_user=access.acting_user(request), now=clock.now())
        except DomainError as exc:
            flash_refusal(request, exc, form=form)
        else:
            messages.success(request, _("走访记录已更正（原内容保留在修改记录中）"))
            return redirect("visits:detail", pk=visit.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "visits/visit_correct.html", {"visit": visit, "form": form}, status=status)


@login_required
@require_POST
def visit_void(request: HttpRequest, pk: int) -> HttpResponse:
    visit = _visit(request, pk)
    form = VoidForm(request.POST)
    if not form.is_valid():
        flash_form_errors(request, form)
        return redirect("visits:detail", pk=visit.pk)
    try:
        actions.void_visit(visit=visit, reason=form.cleaned_data["reason"], acting_user=access.acting_user(request),
                           now=clock.now())
    except DomainError as exc:
        if exc.status == 404:
            raise Http404 from None
        flash_refusal(request, exc)
    else:
        messages.success(request, _("走访记录已作废"))
    return redirect("visits:detail", pk=visit.pk)


@login_required
@require_POST
def problem_settle(request: HttpRequest, pk: int) -> HttpResponse:
    problem = _problem(request, pk)
    form = SettleForm(request.POST)
    try:
        actions.settle_problem(problem=problem, outcome=form.data.get("outcome", ""), text=form.data.get("text", ""),
                               acting_user=access.acting_user(request), now=clock.now())
    except DomainError as exc:
        flash_refusal(request, exc)
    else:
        messages.success(request, _("问题已办结"))
    return redirect("visits:detail", pk=problem.visit_id)


@login_required
@require_POST
def problem_ticket(request: HttpRequest, pk: int) -> HttpResponse:
    """R-M9-11: turn a complaint raised during the visit into a complaint ticket."""
    problem = _problem(request, pk)
    form = RaiseTicketForm(request.POST)
    if not form.is_valid():
        flash_form_errors(request, form)
        return redirect("visits:detail", pk=problem.visit_id)
    try:
        ticket = actions.raise_ticket_from_problem(problem=problem, acting_user=access.acting_user(request),
                                                   now=clock.now(), **form.cleaned_data)
    except DomainError as exc:
        flash_refusal(request, exc)
        return redirect("visits:detail", pk=problem.visit_id)
    messages.success(request, f"已转为投诉工单 {ticket.number}，进入投诉处理程序")
    return redirect("tickets:detail", pk=ticket.pk)
