"""Pages of the visit programme (SPEC M9): due and overdue households with coverage per building and
butler (``/visits/programme/``, Excel export), the cycle settings (P-17, P-18), monthly plans with the
物业总经理's approval (R-M9-10), the three-signature round summary (R-M9-07) and the rectification of
visit problems (R-M9-06/-08/-20). Thin: rules in actions, reads in programme/queries."""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.core.errors import DomainError
from apps.core.exports import xlsx_response
from apps.core.flash import flash_refusal
from apps.estates.models import Household, OccupancyStatus
from apps.org.access import has_cap, visible_projects
from apps.org.models import Project
from apps.org.roles import Cap
from apps.visits import access, actions, agenda, programme, queries
from apps.visits.models import VisitPlan, VisitProblem, VisitRoundSummary
from apps.visits.plan_steps import decide_step
from apps.visits.programme_forms import (
    DecideForm,
    PlanChangeForm,
    PlanForm,
    ProgrammeSettingsForm,
    ProgressForm,
    ReturnVisitForm,
    SummaryForm,
)
from linli import clock


def _project(request: HttpRequest) -> Project:
    projects = access.archive_projects(request.user)
    if not projects:
        raise PermissionDenied
    pid = request.GET.get("project") or request.POST.get("project")
    if pid and str(pid).isdigit():
        for p in projects:
            if p.pk == int(pid):
                return p
        raise Http404
    return projects[0]


def _labels(project: Project, text: str) -> tuple[list[int], list[str]]:
    labels = [x.strip() for x in text.replace("，", ",").replace("\n", ",").split(",") if x.strip()]
    found = dict(Household.objects.filter(project=project, label__in=labels).values_list("label", "pk"))
    return [found[x] for x in labels if x in found], [x for x in labels if x not in found]


PROGRAMME_HEADERS = ["楼栋", "房号", "空巢老人", "入住日期", "上次定期走访", "上次走访", "下次走访到期", "依据", "逾期"]


@login_required
def programme_view(request: HttpRequest) -> HttpResponse | FileResponse:
    """走访计划执行：each household's next visit due date, the overdue list, coverage (R-M9-12/-14/-18).
    ``?elderly=1``: the visit schedule of the elderly living alone only (空巢老人, R-M7-08)."""
    project = _project(request)
    today = clock.today(project.tz)
    prog = programme.settings_for(project)
    qs = programme.households_due(project, today, prog).select_related("building")
    only_overdue = request.GET.get("overdue") == "1"
    if only_overdue:
        qs = qs.filter(overdue=True)
    only_elderly = request.GET.get("elderly") == "1"
    if only_elderly:
        qs = qs.filter(elderly_alone=True)
    building = request.GET.get("building", "")
    if building.isdigit():
        qs = qs.filter(building_id=int(building))
    qs = qs.order_by("label")  # the label index: the first page stops after 50 rows (bench)
    if request.GET.get("format") == "xlsx":
        def rows() -> Any:
            for hh in qs.iterator(chunk_size=1000):
                due, why = programme.due_date(hh, prog)
                yield [hh.building.name, hh.label, "是" if hh.elderly_alone else "", hh.move_in_date,
                       hh.last_periodic, hh.last_any, due, why, "逾期" if hh.overdue else ""]
        return xlsx_response(f"走访覆盖-{project.code}-{today:%Y%m%d}.xlsx", PROGRAMME_HEADERS, rows(),
                             sheet="走访覆盖")
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    for hh in page:
        hh.due, hh.due_reason = programme.due_date(hh, prog)
    start, end = programme.coverage_period(today, prog)
    return render(request, "visits/programme.html", {
        "project": project, "projects": access.archive_projects(request.user), "page": page, "prog": prog,
        "today": today, "only_overdue": only_overdue, "only_elderly": only_elderly, "building": building,
        "by_building": programme.coverage(project, start, end, by="building"),
        "by_butler": programme.coverage(project, start, end, by="butler"), "period": (start, end),
        "overdue_count": programme.households_due(project, today, prog).filter(overdue=True).count(),
        "elderly_count": Household.objects.filter(project=project, status=OccupancyStatus.OCCUPIED,
                                                  elderly_alone=True).count(),
        "can_configure": has_cap(request.user, Cap.MANAGE_CONFIG, project),
    })


@login_required
def programme_settings(request: HttpRequest) -> HttpResponse:
    """走访周期设置 (P-17, P-18, R-M9-18) — 管理处经理."""
    project = _project(request)
    if not has_cap(request.user, Cap.MANAGE_CONFIG, project):
        raise PermissionDenied
    prog = programme.settings_for(project)
    form = ProgrammeSettingsForm(request.POST or None, initial={
        "cycle_mode": prog.cycle_mode, "cycle_months": prog.cycle_months, "new_owner_days": prog.new_owner_days,
        "elderly_interval_days": prog.elderly_interval_days, "warn_days": prog.warn_days, "starts_on": prog.starts_on})
    if request.method == "POST":
        if form.is_valid():
            try:
                actions.save_programme_settings(project=project, acting_user=access.acting_user(request),
                                                now=clock.now(), **form.cleaned_data)
            except DomainError as exc:
                flash_refusal(request, exc, form=form)
            else:
                messages.success(request, _("走访周期设置已保存"))
                return redirect(f"/visits/programme/?project={project.pk}")
        else:
            messages.error(request, _("请更正下列错误"))
    return render(request, "visits/programme_settings.html", {"form": form, "project": project},
                  status=400 if request.method == "POST" else 200)


# ---------------------------------------------------------------- plans


@login_required
def plan_list(request: HttpRequest) -> HttpResponse:
    project = _project(request)
    can_plan = has_cap(request.user, Cap.PLAN_VISITS, project)
    form = PlanForm(request.POST or None, staff=queries.staff_of([project], active_only=True))
    if request.method == "POST":
        if not can_plan:
            raise PermissionDenied
        if form.is_valid():
            ids, missing = _labels(project, form.cleaned_data["households"])
            if missing:
                form.add_error("households", f"房号不存在：{'、'.join(missing[:5])}")
                messages.error(request, f"房号不存在：{'、'.join(missing[:5])}")
            else:
                try:
                    plan = actions.draw_up_plan(project=project, month=form.cleaned_data["month"],
                                                requirements=form.cleaned_data["requirements"],
                                                household_ids=ids + [int(x) for x in request.POST.getlist("hh")
                                                                     if x.isdigit()],
                                                visitor=form.cleaned_data["visitor"],
                                                acting_user=access.acting_user(request), now=clock.now())
                except DomainError as exc:
                    flash_refusal(request, exc, form=form)
                else:
                    messages.success(request, _("走访计划已编制，请报批"))
                    return redirect("visits:plan", pk=plan.pk)
        else:
            messages.error(request, _("请更正下列错误"))
    plans = VisitPlan.objects.filter(project=project).select_related("drawn_by", "approved_by")[:36]
    return render(request, "visits/plan_list.html", {"project": project, "projects": access.archive_projects(
        request.user), "plans": plans, "form": form, "can_plan": can_plan},
        status=400 if request.method == "POST" else 200)


def _plan(request: HttpRequest, pk: int) -> VisitPlan:
    plan = (VisitPlan.objects.filter(pk=pk, project__in=visible_projects(request.user))
            .select_related("project", "drawn_by", "approved_by").first())
    if plan is None or not access.can_read_archive(request.user, plan.project):
        raise Http404
    return plan


def _plan_page(request: HttpRequest, plan: VisitPlan, *, change_form: Any = None, decide_form: Any = None,
               summary_form: Any = None, status: int = 200) -> HttpResponse:
    staff = queries.staff_of([plan.project], active_only=True)
    summary = VisitRoundSummary.objects.filter(project=plan.project, month=plan.month).select_related(
        "prepared_by", "supervisor_signed_by", "manager_signed_by", "gm_signed_by").first()
    user = request.user
    return render(request, "visits/plan_detail.html", {
        "plan": plan, "items": plan.items.select_related("household", "visitor"),
        "compliance": programme.plan_compliance(plan.project, plan.month), "summary": summary,
        "change_form": change_form or PlanChangeForm(staff=staff), "decide_form": decide_form or DecideForm(),
        "summary_form": summary_form or SummaryForm(),
        "can_plan": has_cap(user, Cap.PLAN_VISITS, plan.project),
        "can_approve": has_cap(user, Cap.APPROVE_VISIT_PLANS, plan.project),
        "can_record": access.can_record(user, plan.project),
    }, status=status)


@login_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _plan_page(request, _plan(request, pk))


@login_required
@require_POST
def plan_change(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    form = PlanChangeForm(request.POST, staff=queries.staff_of([plan.project], active_only=True))
    if form.is_valid():
        add, missing = _labels(plan.project, form.cleaned_data["add"])
        remove, missing2 = _labels(plan.project, form.cleaned_data["remove"])
        if missing or missing2:
            text = f"房号不存在：{'、'.join((missing + missing2)[:5])}"
            form.add_error("add" if missing else "remove", text)
            messages.error(request, text)
        else:
            try:
                actions.change_plan(plan=plan, add_household_ids=add, remove_household_ids=remove,
                                    visitor=form.cleaned_data["visitor"],
                                    requirements=form.cleaned_data["requirements"],
                                    reason=form.cleaned_data["reason"], acting_user=access.acting_user(request),
                                    now=clock.now())
            except DomainError as exc:
                flash_refusal(request, exc, form=form)
            else:
                messages.success(request, _("计划已修改"))
                return redirect("visits:plan", pk=plan.pk)
    return _plan_page(request, plan, change_form=form, status=400)


@login_required
@require_POST
def plan_submit(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    try:
        actions.submit_plan(plan=plan, acting_user=access.acting_user(request), now=clock.now())
    except DomainError as exc:
        flash_refusal(request, exc)
    else:
        messages.success(request, _("已报物业总经理审批"))
    return redirect("visits:plan", pk=plan.pk)


@login_required
@require_POST
def plan_decide(request: HttpRequest, pk: int) -> HttpResponse:
    return decide_step(request, _plan(request, pk), decide=actions.decide_plan, done="visits:plan", page=_plan_page)


@login_required
@require_POST
def summary_prepare(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    form = SummaryForm(request.POST)
    if form.is_valid():
        try:
            actions.prepare_round_summary(project=plan.project, month=plan.month, summary=form.cleaned_data["summary"],
                                          acting_user=access.acting_user(request), now=clock.now())
        except DomainError as exc:
            flash_refusal(request, exc, form=form)
        else:
            messages.success(request, _("走访汇总已提交，待客服部主管签字"))
            return redirect("visits:plan", pk=plan.pk)
    return _plan_page(request, plan, summary_form=form, status=400)


@login_required
@require_POST
def summary_sign(request: HttpRequest, pk: int, stage: str) -> HttpResponse:
    summary = VisitRoundSummary.objects.filter(pk=pk, project__in=visible_projects(request.user)).first()
    if summary is None:
        raise Http404
    try:
        actions.sign_round_summary(summary=summary, stage=stage, acting_user=access.acting_user(request),
                                   now=clock.now())
    except DomainError as exc:
        flash_refusal(request, exc)
    else:
        messages.success(request, _("已签字"))
    plan = VisitPlan.objects.filter(project=summary.project, month=summary.month).first()
    return redirect("visits:plan", pk=plan.pk) if plan else redirect("visits:plans")


# ---------------------------------------------------------------- rectification


def _problem(request: HttpRequest, pk: int) -> VisitProblem:
    problem = VisitProblem.objects.filter(pk=pk, visit__project__in=visible_projects(request.user)).first()
    if problem is None:
        raise Http404
    return problem


@login_required
@require_POST
def problem_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """R-M9-08, R-M9-20: the responsible department reports its measures and progress."""
    problem = _problem(request, pk)
    form = ProgressForm(request.POST)
    try:
        actions.report_problem_progress(problem=problem, text=form.data.get("text", ""),
                                        acting_user=access.acting_user(request), now=clock.now())
    except DomainError as exc:
        flash_refusal(request, exc)
    else:
        messages.success(request, _("整改进展已反馈客服部"))
    return redirect("visits:detail", pk=problem.visit_id)


@login_required
@require_POST
def problem_return_visit(request: HttpRequest, pk: int) -> HttpResponse:
    """R-M9-06: the CS department return-visits the owner on the rectification."""
    problem = _problem(request, pk)
    form = ReturnVisitForm(request.POST)
    try:
        actions.return_visit_problem(problem=problem, satisfied=form.data.get("satisfied") == "yes",
                                     text=form.data.get("text", ""), method=form.data.get("method", "phone"),
                                     emergency_reason=form.data.get("emergency_reason", ""),
                                     acting_user=access.acting_user(request), now=clock.now())
    except DomainError as exc:
        flash_refusal(request, exc)
    else:
        messages.success(request, _("回访结果已记录"))
    return redirect("visits:detail", pk=problem.visit_id)




@login_required
@require_POST
def welcome(request: HttpRequest, household_id: int) -> HttpResponse:
    """R-M9-15: the welcome SMS after the move-in formalities, from the programme page."""
    hh = Household.objects.filter(pk=household_id, project__in=visible_projects(request.user)).select_related(
        "project", "building__steward").first()
    if hh is None:
        raise Http404
    try:
        n = actions.welcome_new_owner(household=hh, acting_user=access.acting_user(request), now=clock.now())
    except DomainError as exc:
        flash_refusal(request, exc)
    else:
        messages.success(request, f"欢迎短信已排队 {n} 条（免打扰时段顺延）")
    return redirect(f"/visits/programme/?project={hh.project_id}")


# ---------------------------------------------------------------- the planned-work calendar


@login_required
def agenda_view(request: HttpRequest) -> HttpResponse:
    """计划日历: one "due and overdue" view per project across inspections, visits and activities
    (every module registered in :mod:`apps.core.agenda`)."""
    projects = list(visible_projects(request.user).order_by("code"))
    if not projects:
        raise PermissionDenied
    pid = request.GET.get("project", "")
    project = next((p for p in projects if str(p.pk) == pid), None) if pid else projects[0]
    if project is None:
        raise Http404
    today = clock.today(project.tz)
    raw = request.GET.get("month", "")
    try:
        y, m = (int(x) for x in raw.split("-")[:2])
        month = dt.date(y, m, 1)
    except ValueError:
        month = today.replace(day=1)
    data = agenda.calendar_items(project, month, today)
    return render(request, "visits/agenda.html", {"project": project, "projects": projects, "month": month,
                                                  "today": today, **data})
