"""Assessment pages (thin: rules in actions.py, reads in queries.py, who may see what in access.py).

- ``/assessments/``: a month's sheets by project and department with totals; ``?format=xlsx`` exports
  them (员工月度考核表) per department;
- ``/assessments/new/``: open a sheet; ``/assessments/<pk>/``: entries, suggested entries to accept or
  dismiss, the manager's spot checks, submit / return / sign off (R-M14-01…-05);
- ``/assessments/settings/``: the project's starting score.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.assessments import access, actions, queries, seed
from apps.assessments.forms import (
    EntryForm,
    OpenSheetForm,
    ReasonForm,
    SignOffForm,
    StartingScoreForm,
    bind_refusal,
)
from apps.assessments.models import (
    AssessmentEntry,
    CatalogueItem,
    EntrySource,
    SheetStatus,
    StaffAssessment,
    SuggestedEntry,
)
from apps.core.errors import DomainError
from apps.core.exports import xlsx_response
from apps.core.flash import flash_refusal
from apps.org.models import Department, Project, User
from linli import clock


def _month(raw: str | None) -> dt.date:
    try:
        year, month = (raw or "")[:7].split("-")
        return dt.date(int(year), int(month), 1)
    except ValueError:
        return clock.local(clock.now()).date().replace(day=1)


def _sheet(request: HttpRequest, pk: int) -> StaffAssessment:
    sheet = queries.with_totals(access.visible_sheets(request.user)).filter(pk=pk).first()
    if sheet is None:
        raise Http404
    return sheet


EXPORT_HEADERS = ["项目", "部门", "员工", "工号", "考核月份", "起始分", "扣分合计", "得分", "状态", "考核人", "签核人",
                  "扣分项", "来源", "次数/项数", "每次扣分", "扣分", "发生日期", "事实描述"]


@login_required
def sheet_list(request: HttpRequest) -> HttpResponse | FileResponse:
    projects = access.assessment_projects(request.user)
    if not projects:
        raise PermissionDenied
    period = _month(request.GET.get("month"))
    sheets = queries.with_totals(access.visible_sheets(request.user).filter(period=period,
                                                                            project__in=[p.pk for p in projects]))
    project_id = request.GET.get("project", "")
    if project_id.isdigit():
        sheets = sheets.filter(project_id=int(project_id))
    department_id = request.GET.get("department", "")
    if department_id.isdigit():
        sheets = sheets.filter(department_id=int(department_id))
    sheets = sheets.order_by("project__code", "department__name", "employee__username")
    if request.GET.get("format") == "xlsx":
        entries = AssessmentEntry.objects.filter(sheet__in=sheets, removed_at__isnull=True).select_related("item")
        by_sheet: dict[int, list[AssessmentEntry]] = {}
        for e in entries.order_by("occurred_on", "id"):
            by_sheet.setdefault(e.sheet_id, []).append(e)

        def rows() -> Any:
            for s in sheets:
                head = [s.project.name, s.department.name if s.department else "", str(s.employee),
                        s.employee.employee_no, s.period.strftime("%Y-%m"), s.starting_score, s.deducted,  # type: ignore[attr-defined]
                        s.starting_score - s.deducted, s.get_status_display(), str(s.assessor),  # type: ignore[attr-defined]
                        str(s.signed_off_by or "")]
                lines: list[AssessmentEntry | None] = [*by_sheet.get(s.pk, [])] or [None]
                for e in lines:
                    yield head + ([f"{e.item.code} {e.item.behaviour}" if e.item else "", e.get_source_display(),
                                   e.quantity, e.value, e.points, e.occurred_on, e.note] if e else [""] * 7)

        return xlsx_response(f"员工月度考核表-{period:%Y-%m}.xlsx", EXPORT_HEADERS, rows(), sheet="员工月度考核表",
                             title=f"员工月度考核表 {period:%Y-%m}")
    departments = Department.objects.filter(project__in=[p.pk for p in projects]).order_by("project__code", "name")
    return render(request, "assessments/sheet_list.html", {
        "sheets": sheets, "projects": projects, "period": period, "departments": departments,
        "project_id": int(project_id) if project_id.isdigit() else None,
        "department_id": int(department_id) if department_id.isdigit() else None,
        "can_assess": any(access.can_assess(request.user, p) for p in projects),
        "principles": seed.PRINCIPLES, "query": request.GET.urlencode(),
    })


@login_required
def sheet_new(request: HttpRequest) -> HttpResponse:
    projects = [p for p in access.assessment_projects(request.user) if access.can_assess(request.user, p)]
    if not projects:
        raise PermissionDenied
    staff = User.objects.filter(memberships__project__in=[p.pk for p in projects], is_active=True).distinct()
    form = OpenSheetForm(request.POST or None, projects=Project.objects.filter(pk__in=[p.pk for p in projects]),
                         staff=staff, initial={"period": clock.local(clock.now()).strftime("%Y-%m")})
    status = 400 if request.method == "POST" else 200
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            sheet = actions.open_sheet(employee=d["employee"], project=d["project"], period=d["period"],
                                       acting_user=access.acting_user(request), now=clock.now())
        except DomainError as exc:
            bind_refusal(form, exc)
            status = exc.status
        else:
            messages.success(request, _("考核表已建立"))
            return redirect("assessments:detail", pk=sheet.pk)
    return render(request, "assessments/sheet_new.html", {"form": form}, status=status)


def _entry_form(request: HttpRequest, sheet: StaffAssessment, data: Any = None) -> EntryForm | None:
    user = request.user
    assess = access.can_assess(user, sheet.project) and sheet.status == SheetStatus.DRAFT
    spot = access.can_spot_check(user, sheet.project) and not sheet.frozen
    if user.pk == sheet.employee_id or not (assess or spot):
        return None
    sources = [c for c in EntrySource.choices if (c[0] == EntrySource.MANAGER_SPOT_CHECK and spot)
               or (c[0] != EntrySource.MANAGER_SPOT_CHECK and assess)]
    items = CatalogueItem.objects.filter(catalogue_id=sheet.catalogue_id)
    return EntryForm(data, items=items, sources=sources, initial={"occurred_on": sheet.period})


def _detail(request: HttpRequest, sheet: StaffAssessment, *, entry_form: EntryForm | None = None,
            status: int = 200) -> HttpResponse:
    user = request.user
    is_assessor = access.can_assess(user, sheet.project) and user.pk != sheet.employee_id
    is_manager = (access.can_spot_check(user, sheet.project) and user.pk not in (sheet.employee_id, sheet.assessor_id))
    return render(request, "assessments/sheet_detail.html", {
        "sheet": sheet, "entries": queries.entries_of(sheet), "score": sheet.starting_score - sheet.deducted,  # type: ignore[attr-defined]
        "entry_form": entry_form or _entry_form(request, sheet),
        "suggestions": queries.pending_suggestions(sheet) if is_assessor and not sheet.frozen else [],
        "items": CatalogueItem.objects.filter(catalogue_id=sheet.catalogue_id),
        "can_submit": is_assessor and sheet.status == SheetStatus.DRAFT,
        "can_remove": is_assessor and sheet.status == SheetStatus.DRAFT,
        "can_sign": is_manager and sheet.status == SheetStatus.SUBMITTED,
        "sign_form": SignOffForm(), "reason_form": ReasonForm(),
    }, status=status)


@login_required
def sheet_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _sheet(request, pk))


@login_required
@require_POST
def entry_add(request: HttpRequest, pk: int) -> HttpResponse:
    sheet = _sheet(request, pk)
    form = _entry_form(request, sheet, request.POST)
    if form is None:
        messages.error(request, _("考核表已签核冻结或您不能录入") if sheet.frozen else _("您不能在此考核表录入"))
        return _detail(request, sheet, status=409 if sheet.frozen else 403)
    if not form.is_valid():
        return _detail(request, sheet, entry_form=form, status=400)
    d = form.cleaned_data
    try:
        actions.add_entry(sheet=sheet, item=d.get("item"), source=d["source"], value=d.get("value"),
                          quantity=d["quantity"], occurred_on=d["occurred_on"], note=d["note"],
                          acting_user=access.acting_user(request), now=clock.now())
    except DomainError as exc:
        bind_refusal(form, exc)
        return _detail(request, sheet, entry_form=form, status=exc.status)
    messages.success(request, _("已录入"))
    return redirect("assessments:detail", pk=sheet.pk)


@login_required
@require_POST
def entry_remove(request: HttpRequest, pk: int, entry_id: int) -> HttpResponse:
    sheet = _sheet(request, pk)
    entry = get_object_or_404(AssessmentEntry, pk=entry_id, sheet=sheet)
    try:
        actions.remove_entry(entry=entry, reason=request.POST.get("reason", ""), acting_user=access.acting_user(request),
                             now=clock.now())
    except DomainError as exc:
        flash_refusal(request, exc)
    else:
        messages.success(request, _("记录已撤销"))
    return redirect("assessments:detail", pk=sheet.pk)


def _step(request: HttpRequest, pk: int, fn: Any, done: str, **kw: Any) -> HttpResponse:
    sheet = _sheet(request, pk)
    try:
        fn(sheet=sheet, acting_user=access.acting_user(request), now=clock.now(), **kw)
    except DomainError as exc:
        flash_refusal(request, exc)
        return _detail(request, _sheet(request, pk), status=exc.status)
    messages.success(request, done)
    return redirect("assessments:detail", pk=sheet.pk)


@login_required
@require_POST
def submit(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(request, pk, actions.submit_sheet, _("考核表已提交"))


@login_required
@require_POST
def sign_off(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(request, pk, actions.sign_off_sheet, _("考核表已签核"), note=request.POST.get("note", ""))


@login_required
@require_POST
def send_back(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(request, pk, actions.return_sheet, _("考核表已退回"), reason=request.POST.get("reason", ""))


@login_required
@require_POST
def suggestion_decide(request: HttpRequest, pk: int, suggestion_id: int) -> HttpResponse:
    sheet = _sheet(request, pk)
    suggestion = get_object_or_404(SuggestedEntry, pk=suggestion_id, employee_id=sheet.employee_id,
                                   period=sheet.period)
    try:
        if request.POST.get("decision") == "dismiss":
            actions.dismiss_suggestion(suggestion=suggestion, reason=request.POST.get("reason", ""),
                                       acting_user=access.acting_user(request), now=clock.now())
        else:
            item_id = request.POST.get("item", "")
            item = CatalogueItem.objects.filter(pk=int(item_id), catalogue_id=sheet.catalogue_id).first() \
                if item_id.isdigit() else None
            qty = request.POST.get("quantity", "1")
            actions.accept_suggestion(suggestion=suggestion, item=item, value=request.POST.get("value") or None,
                                      quantity=int(qty) if qty.isdigit() else 0, note=request.POST.get("note", ""),
                                      acting_user=access.acting_user(request), now=clock.now())
    except DomainError as exc:
        flash_refusal(request, exc)
        return _detail(request, _sheet(request, pk), status=exc.status)
    messages.success(request, _("建议已处理"))
    return redirect("assessments:detail", pk=sheet.pk)


@login_required
def settings_page(request: HttpRequest) -> HttpResponse:
    projects = [p for p in access.assessment_projects(request.user) if access.can_spot_check(request.user, p)]
    if not projects:
        raise PermissionDenied
    project = next((p for p in projects if str(p.pk) == request.GET.get("project", "")), projects[0])
    form = StartingScoreForm(request.POST or None,
                             initial={"starting_score": actions.starting_score(project.company_id, project.pk)})
    status = 400 if request.method == "POST" else 200
    if request.method == "POST" and form.is_valid():
        try:
            actions.set_starting_score(project=project, value=form.cleaned_data["starting_score"],
                                       acting_user=access.acting_user(request), now=clock.now())
        except DomainError as exc:
            bind_refusal(form, exc)
            status = exc.status
        else:
            messages.success(request, _("考核起始分已保存"))
            return redirect(f"{request.path}?project={project.pk}")
    return render(request, "assessments/settings.html", {"form": form, "project": project, "projects": projects},
                  status=status)
