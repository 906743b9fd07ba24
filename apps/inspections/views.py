"""Inspection pages (thin: rules in actions.py, reads in queries.py). Usable on a 360-px phone: the
entry form takes photos from the camera and signatures drawn on the screen (signature_pad, as the
repairs app). Another project's record → 404."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.core import files
from apps.core.errors import DomainError
from apps.core.exports import render_pdf, xlsx_response
from apps.core.flash import flash_refusal
from apps.inspections import access, actions, queries
from apps.inspections.forms import (
    EmergencyPlanForm,
    EvaluationForm,
    FindingFormSet,
    HandOnForm,
    InspectionForm,
    PoolLimitsForm,
    PoolReadingForm,
    RoundForm,
    WarningNightForm,
)
from apps.inspections.models import CheckKind, EmergencyPlan, Evaluation, Finding, Inspection, PoolReading
from apps.org.access import visible_projects
from apps.org.models import Department, Project, User
from linli import clock


def _project(request: HttpRequest) -> tuple[Project, list[Project]]:
    projects = access.readable_projects(request.user)
    if not projects:
        raise PermissionDenied
    pid = request.GET.get("project") or request.POST.get("project")
    if pid and str(pid).isdigit():
        for p in projects:
            if p.pk == int(pid):
                return p, projects
        raise Http404
    return projects[0], projects


def _month(request: HttpRequest, today: dt.date) -> dt.date:
    raw = request.GET.get("month", "")
    try:
        year, month = (int(x) for x in raw.split("-")[:2])
        return dt.date(year, month, 1)
    except ValueError:
        return today.replace(day=1)


templates_for = queries.templates_for


def staff_of(project: Project) -> QuerySet[User]:
    return User.objects.filter(memberships__project=project, is_active=True).distinct().order_by("username")


EXPORT_HEADERS = ["项目", "检查时间", "检查类别", "日检层次", "检查范围/岗位", "检查人", "状态", "被检查人", "不合格数", "跟踪中"]


@login_required
def index(request: HttpRequest) -> HttpResponse | FileResponse:
    """The month's checks, the rounds due, the night-post-check status (AS-38); ``?format=xlsx`` exports."""
    project, projects = _project(request)
    today = clock.today(project.tz)
    month = _month(request, today)
    start, end = queries.month_bounds(month)
    tz = project.tz
    qs = queries.list_inspections(Inspection.objects.filter(
        project=project, inspected_at__gte=dt.datetime.combine(start, dt.time(0), tzinfo=tz),
        inspected_at__lt=dt.datetime.combine(end + dt.timedelta(days=1), dt.time(0), tzinfo=tz)))
    kind = request.GET.get("kind", "")
    if kind:
        qs = qs.filter(kind=kind)
    if request.GET.get("format") == "xlsx":
        def rows() -> Any:
            i: Any
            for i in qs.iterator(chunk_size=500):
                yield [i.project.name, i.inspected_at, i.get_kind_display(), i.get_level_display() if i.level else "",
                       i.scope, str(i.inspector), i.get_status_display(), i.checked_person, i.finding_count,
                       i.open_count]
        return xlsx_response(f"检查记录-{project.code}-{start:%Y%m}.xlsx", EXPORT_HEADERS, rows(), sheet="检查记录",
                             tz=tz)
    return render(request, "inspections/index.html", {
        "project": project, "projects": projects, "month": start, "inspections": qs, "kind": kind,
        "rounds": queries.due_rounds(project)[:50], "today": today,
        "night": queries.night_month(project, start, today=today),
        "can_record": access.can_record(request.user, project), "can_manage": access.can_manage(request.user, project),
    })


@login_required
def new(request: HttpRequest) -> HttpResponse:
    """记录检查 on a phone: photos, one nonconformity a line, signatures (R-M18-01/-03/-04)."""
    project, _projects = _project(request)
    if not access.can_record(request.user, project):
        raise PermissionDenied
    projects = Project.objects.filter(pk=project.pk)
    staff, departments = staff_of(project), Department.objects.filter(project=project)
    initial = {"project": project, "kind": request.GET.get("kind", "daily"),
               "inspected_at": clock.local(clock.now(), project.tz).strftime("%Y-%m-%dT%H:%M")}
    form = InspectionForm(request.POST or None, request.FILES or None, projects=projects,
                          templates=templates_for(project), initial=initial)
    formset = FindingFormSet(request.POST or None, prefix="f", form_kwargs={"staff": staff, "departments": departments})
    if request.method == "POST":
        with timezone.override(project.tz):
            valid = form.is_valid() and formset.is_valid()
        if valid:
            d = form.cleaned_data
            findings = [{**f.cleaned_data} for f in formset.forms
                        if f.cleaned_data and (f.cleaned_data.get("description") or "").strip()]
            try:
                insp = actions.record_inspection(
                    project=project, kind=d["kind"], level=d["level"] or "", template=d["template"],
                    inspected_at=d["inspected_at"], scope=d["scope"], summary=d["summary"],
                    all_normal=d["all_normal"], findings=findings, photos=request.FILES.getlist("photos"),
                    inspector_signature=d["inspector_signature"] or None, checked_person=d["checked_person"],
                    checked_signature=d["checked_signature"] or None, complete=d["complete"],
                    acting_user=access.acting_user(request), now=clock.now())
            except DomainError as exc:
                flash_refusal(request, exc, form=form)
            else:
                messages.success(request, _("检查记录已保存"))
                return redirect("inspections:detail", pk=insp.pk)
        else:
            messages.error(request, _("请更正下列错误"))
    return render(request, "inspections/form.html", {"form": form, "formset": formset, "project": project},
                  status=400 if request.method == "POST" else 200)


def _inspection(request: HttpRequest, pk: int) -> Inspection:
    insp = (Inspection.objects.filter(pk=pk, project__in=visible_projects(request.user))
            .select_related("project", "inspector", "template").first())
    if insp is None or not access.can_read(request.user, insp.project):
        raise Http404
    return insp


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    insp = _inspection(request, pk)
    findings = insp.findings.select_related("responsible", "department", "ticket", "ncr")
    return render(request, "inspections/detail.html", {
        "i": insp, "findings": findings, "photos": insp.photos.all(), "hand_on_form": HandOnForm(),
        "can_record": access.can_record(request.user, insp.project),
    })


@login_required
def photo(request: HttpRequest, pk: int, photo_id: int) -> HttpResponseBase:
    insp = _inspection(request, pk)
    p = insp.photos.filter(pk=photo_id).first()
    if p is None:
        raise Http404
    return files.serve(p.file, thumb=request.GET.get("thumb") == "1", download_name=f"inspection-{insp.pk}-photo")


@login_required
def signature(request: HttpRequest, pk: int, which: str) -> HttpResponseBase:
    insp = _inspection(request, pk)
    f = {"inspector": insp.inspector_signature, "checked": insp.checked_signature}.get(which)
    if not f:
        raise Http404
    return files.serve(f, download_name=f"inspection-{insp.pk}-{which}")


@login_required
@require_POST
def complete(request: HttpRequest, pk: int) -> HttpResponse:
    insp = _inspection(request, pk)
    try:
        actions.complete_inspection(inspection=insp, acting_user=access.acting_user(request), now=clock.now(),
                                    inspector_signature=request.POST.get("inspector_signature") or None,
                                    checked_person=request.POST.get("checked_person", ""),
                                    checked_signature=request.POST.get("checked_signature") or None)
    except DomainError as exc:
        flash_refusal(request, exc)
    else:
        messages.success(request, _("检查已完成"))
    return redirect("inspections:detail", pk=insp.pk)


def _finding(request: HttpRequest, pk: int) -> Finding:
    f = (Finding.objects.filter(pk=pk, inspection__project__in=visible_projects(request.user))
         .select_related("inspection__project").first())
    if f is None:
        raise Http404
    return f


@login_required
@require_POST
def hand_on(request: HttpRequest, pk: int) -> HttpResponse:
    """不合格项转内部工单或不合格报告."""
    finding = _finding(request, pk)
    form = HandOnForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择转为内部工单或不合格报告"))
        return redirect("inspections:detail", pk=finding.inspection_id)
    try:
        if form.cleaned_data["to"] == "ncr":
            report = actions.finding_to_ncr(finding=finding, beyond_authority_reason=form.cleaned_data["reason"],
                                            acting_user=access.acting_user(request), now=clock.now())
            messages.success(request, f"已提出不合格报告 {report.number}")
        else:
            ticket = actions.finding_to_ticket(finding=finding, acting_user=access.acting_user(request),
                                               now=clock.now())
            messages.success(request, f"已转为内部工单 {ticket.number}")
    except DomainError as exc:
        flash_refusal(request, exc)
    return redirect("inspections:detail", pk=finding.inspection_id)


@login_required
@require_POST
def close(request: HttpRequest, pk: int) -> HttpResponse:
    finding = _finding(request, pk)
    try:
        actions.close_finding(finding=finding, note=request.POST.get("note", ""),
                              acting_user=access.acting_user(request), now=clock.now())
    except DomainError as exc:
        flash_refusal(request, exc)
    else:
        messages.success(request, _("不合格项已关闭"))
    return redirect("inspections:detail", pk=finding.inspection_id)


@login_required
def night(request: HttpRequest) -> HttpResponse:
    """夜间查岗 (R-M18-04, AS-38): the month's checks and warning nights, flagged; warnings are entered here."""
    project, projects = _project(request)
    today = clock.today(project.tz)
    month = _month(request, today)
    form = WarningNightForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                actions.enter_warning_night(project=project, night=form.cleaned_data["night_of"],
                                            kind=form.cleaned_data["kind"], acting_user=access.acting_user(request),
                                            now=clock.now())
            except DomainError as exc:
                flash_refusal(request, exc, form=form)
            else:
                messages.success(request, _("预警已登记：当晚须进行夜间查岗"))
                return redirect(f"/inspections/night/?project={project.pk}&month={month:%Y-%m}")
        else:
            messages.error(request, _("请更正下列错误"))
    checks = (Inspection.objects.filter(project=project, kind="night_post", night_of__gte=month,
                                        night_of__lte=queries.month_bounds(month)[1])
              .select_related("inspector").order_by("night_of"))
    return render(request, "inspections/night.html", {
        "project": project, "projects": projects, "month": month, "status": queries.night_month(
            project, month, today=today), "checks": checks, "form": form,
        "can_record": access.can_record(request.user, project)}, status=400 if request.method == "POST" else 200)


@login_required
def pool(request: HttpRequest) -> HttpResponse:
    """游泳池卫生管理记录 (R-M18-16): impossible values refused, out-of-range flagged at once."""
    project, projects = _project(request)
    now = clock.now()
    form = PoolReadingForm(request.POST or None, initial={
        "taken_at": clock.local(now, project.tz).strftime("%Y-%m-%dT%H:%M")})
    if request.method == "POST":
        with timezone.override(project.tz):
            valid = form.is_valid()
        if valid:
            try:
                reading = actions.record_pool_reading(project=project, acting_user=access.acting_user(request),
                                                      now=now, **form.cleaned_data)
            except DomainError as exc:
                flash_refusal(request, exc, form=form)
            else:
                if reading.flagged:
                    messages.warning(request, f"已记录，超限：{reading.flags}")
                else:
                    messages.success(request, _("已记录"))
                return redirect(f"/inspections/pool/?project={project.pk}")
        else:
            messages.error(request, _("请更正下列错误"))
    today = clock.today(project.tz)
    return render(request, "inspections/pool.html", {
        "project": project, "projects": projects, "form": form,
        "readings": PoolReading.objects.filter(project=project).select_related("recorded_by")[:50],
        "limits": queries.pool_limits(project), "day_flags": queries.pool_day(project, today), "today": today,
        "can_record": access.can_record(request.user, project)}, status=400 if request.method == "POST" else 200)


@login_required
def pool_limits(request: HttpRequest) -> HttpResponse:
    """泳池水质限值 (R-M18-16): the limits the pool log is flagged against; the 管理处经理 or 品质管理部
    changes them, everyone who reads the project's checks sees them."""
    project, projects = _project(request)
    limits = queries.pool_limits(project)
    can_manage = access.can_manage(request.user, project)
    fields = sorted(actions.POOL_LIMIT_FIELDS)
    form = PoolLimitsForm(request.POST or None, initial={f: getattr(limits, f) for f in fields})
    if request.method == "POST":
        done = _manager_post(request, project, form, can_manage, actions.save_pool_limits, _("泳池水质限值已保存"), "/inspections/pool/limits/")
        if done is not None:
            return done
    return render(request, "inspections/pool_limits.html", {
        "project": project, "projects": projects, "form": form, "limits": limits, "can_manage": can_manage,
        "own": limits.project_id == project.pk}, status=400 if request.method == "POST" else 200)


@login_required
def rounds(request: HttpRequest) -> HttpResponse:
    """检查安排: rounds with due dates and the person responsible (管理处经理, 品质部)."""
    project, projects = _project(request)
    form = RoundForm(request.POST or None, templates=templates_for(project), staff=staff_of(project))
    if request.method == "POST":
        if not access.can_manage(request.user, project):
            raise PermissionDenied
        if form.is_valid():
            try:
                actions.schedule_round(project=project, acting_user=access.acting_user(request), now=clock.now(),
                                       **form.cleaned_data)
            except DomainError as exc:
                flash_refusal(request, exc, form=form)
            else:
                messages.success(request, _("检查已安排"))
                return redirect(f"/inspections/rounds/?project={project.pk}")
        else:
            messages.error(request, _("请更正下列错误"))
    return render(request, "inspections/rounds.html", {
        "project": project, "projects": projects, "form": form, "rounds": queries.due_rounds(project),
        "today": clock.today(project.tz), "can_manage": access.can_manage(request.user, project)},
        status=400 if request.method == "POST" else 200)


@login_required
def bulletin(request: HttpRequest) -> HttpResponse:
    """月检通报 (R-M18-08) of the projects the user may read; ``?format=pdf`` prints it."""
    projects = access.readable_projects(request.user)
    if not projects:
        raise PermissionDenied
    today = clock.today()
    month = _month(request, today)
    context = {"b": queries.bulletin(projects, month), "projects": projects, "month": month}
    if request.GET.get("format") == "pdf":
        response = HttpResponse(render_pdf(render_to_string("inspections/bulletin_print.html", context)),
                                content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="bulletin-{month:%Y%m}.pdf"'
        return response
    return render(request, "inspections/bulletin.html", context)




@login_required
def evaluations(request: HttpRequest) -> HttpResponse:
    """年度与外部评价 (R-M18-11): ISO audits, management review, ratings, customer, government and
    certification-body evaluations with their result and proof; the 管理处经理 or 品质管理部 records them."""
    project, projects = _project(request)
    can_manage = access.can_manage(request.user, project)
    form = EvaluationForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        done = _manager_post(request, project, form, can_manage, actions.record_evaluation, _("评价记录已保存"), "/inspections/evaluations/")
        if done is not None:
            return done
    rows = Evaluation.objects.filter(project=project).order_by("-held_on", "-pk")[:200]
    return render(request, "inspections/evaluations.html", {
        "project": project, "projects": projects, "form": form, "evaluations": rows, "can_manage": can_manage,
        "year": clock.today(project.tz).year}, status=400 if request.method == "POST" else 200)


def _manager_post(request: HttpRequest, project: Project, form: forms.Form, can_manage: bool,
                  action: Callable[..., object], success: str, url: str) -> HttpResponse | None:
    """A project setting or record the 管理处经理 or 品质管理部 posts (pool limits, evaluations, emergency
    plans): 403 for others; the action's refusal beside the field; a redirect back to the page when saved,
    None when the page is shown again with its errors."""
    if not can_manage:
        raise PermissionDenied
    if not form.is_valid():
        messages.error(request, _("请更正下列错误"))
        return None
    try:
        action(project=project, acting_user=access.acting_user(request), now=clock.now(), **form.cleaned_data)
    except DomainError as exc:
        flash_refusal(request, exc, form=form)
        return None
    messages.success(request, success)
    return redirect(f"{url}?project={project.pk}")


@login_required
def evaluation_attachment(request: HttpRequest, pk: int) -> HttpResponseBase:
    ev = Evaluation.objects.filter(pk=pk, project__in=visible_projects(request.user)).select_related("project").first()
    if ev is None or ev.project is None or not access.can_read(request.user, ev.project) or not ev.attachment:
        raise Http404
    return files.serve(ev.attachment, download_name=f"evaluation-{ev.pk}")


@login_required
def emergency_plans(request: HttpRequest) -> HttpResponse:
    """应急预案 (R-M18-15): the current version of each type of plan with its organisation, people and
    measures, earlier versions, and the drills recorded as inspections of kind 应急预案演练."""
    project, projects = _project(request)
    can_manage = access.can_manage(request.user, project)
    form = EmergencyPlanForm(request.POST or None, initial={"issued_on": clock.today(project.tz)})
    if request.method == "POST":
        done = _manager_post(request, project, form, can_manage, actions.issue_emergency_plan, _("应急预案已发布"), "/inspections/emergency-plans/")
        if done is not None:
            return done
    plans = list(EmergencyPlan.objects.filter(project=project).order_by("emergency", "-issued_on", "-pk")[:500])
    current: dict[str, EmergencyPlan] = {}
    for plan in plans:
        current.setdefault(plan.emergency, plan)
    drills = (Inspection.objects.filter(project=project, kind=CheckKind.EMERGENCY_DRILL)
              .select_related("inspector").order_by("-inspected_at", "-pk")[:20])
    return render(request, "inspections/emergency_plans.html", {
        "project": project, "projects": projects, "form": form, "current": list(current.values()),
        "older": [p for p in plans if current[p.emergency] is not p], "drills": drills, "can_manage": can_manage,
    }, status=400 if request.method == "POST" else 200)
