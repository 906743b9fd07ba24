"""Audit pages (thin: rules in actions.py, reads in queries.py, who may see what in access.py).

- ``/audits/``: audits the user may see, by project (history) and the ranking across projects;
- ``/audits/new/``: open an audit or company inspection (with its pre-checks, R-M13-04);
- ``/audits/<pk>/``: the audit screen — every item with its check method, evidence link, suggestion,
  answer form; confirm suggestions; complete; the report as PDF and Excel (R-M13-02, -03);
- ``/audits/standards/``: versions, Excel import with row errors, row edits while unused (R-M13-01).
"""
from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.audits import access, actions, queries
from apps.audits.forms import AnswerForm, CompleteForm, ImportForm, NcrForm, OpenAuditForm, RowForm, bind_refusal
from apps.audits.models import Audit, AuditFinding, AuditKind, AuditStatus, StandardRow, StandardVersion
from apps.core.errors import DomainError
from apps.core.exports import render_pdf, xlsx_response
from apps.core.flash import flash_refusal
from apps.org.models import Company, Project, User
from linli import clock


def _audit(request: HttpRequest, pk: int) -> Audit:
    audit = access.visible_audits(request.user).select_related("project", "version", "auditor").filter(pk=pk).first()
    if audit is None:
        raise Http404
    return audit


def _staff(audit: Audit) -> list[tuple[int, str]]:
    users = User.objects.filter(memberships__project=audit.project, is_active=True).distinct().order_by("username")
    return [(u.pk, str(u)) for u in users]


@login_required
def audit_list(request: HttpRequest) -> HttpResponse:
    projects = access.audit_projects(request.user)
    if not projects:
        raise PermissionDenied
    audits = access.visible_audits(request.user).select_related("project", "version", "auditor")
    project_id = request.GET.get("project", "")
    if project_id.isdigit():
        audits = audits.filter(project_id=int(project_id))
    kind = request.GET.get("kind", "")
    if kind in AuditKind.values:
        audits = audits.filter(kind=kind)
    return render(request, "audits/audit_list.html", {
        "audits": audits.order_by("-audited_on", "-id")[:200], "projects": projects, "kinds": AuditKind.choices,
        "project_id": int(project_id) if project_id.isdigit() else None, "kind": kind,
        "ranking": queries.ranking(access.visible_audits(request.user), kind or AuditKind.SUPERVISION),
        "can_conduct": bool(access.conduct_projects(request.user)),
        "can_manage_standard": access.can_manage_standard(request.user),
    })


@login_required
def audit_new(request: HttpRequest) -> HttpResponse:
    projects = access.conduct_projects(request.user)
    if not projects:
        raise PermissionDenied
    company_ids = {p.company_id for p in projects}
    versions = StandardVersion.objects.filter(company_id__in=company_ids)
    today = clock.local(clock.now()).date()
    form = OpenAuditForm(request.POST or None, projects=Project.objects.filter(pk__in=[p.pk for p in projects]),
                         versions=versions, initial={"audited_on": today, "period_end": today,
                                                     "period_start": today.replace(day=1)})
    status = 400 if request.method == "POST" else 200
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            audit = actions.open_audit(project=d["project"], kind=d["kind"], version=d.get("version"),
                                       audited_on=d["audited_on"], period_start=d["period_start"],
                                       period_end=d["period_end"], acting_user=access.acting_user(request),
                                       now=clock.now())
        except DomainError as exc:
            bind_refusal(form, exc)
            status = exc.status
        else:
            messages.success(request, _("审核已开始，系统预检结果已列出，请逐项确认或推翻"))
            return redirect("audits:detail", pk=audit.pk)
    return render(request, "audits/audit_new.html", {"form": form}, status=status)


def _detail(request: HttpRequest, audit: Audit, bound: dict[int, AnswerForm] | None = None,
            complete_form: CompleteForm | None = None, status: int = 200,
            ncr_form: NcrForm | None = None) -> HttpResponse:
    findings = queries.findings_of(audit)
    card = queries.score_audit(audit, findings)
    can_conduct = access.can_conduct(request.user, audit.project) and audit.status == AuditStatus.OPEN
    staff = _staff(audit) if can_conduct else None
    forms_by_id = {}
    if can_conduct:
        for f in findings:
            forms_by_id[f.pk] = (bound or {}).get(f.pk) or AnswerForm(
                prefix=f"f{f.pk}", staff=staff,
                initial={"result": f.result or (f.suggested if f.suggested in ("conform", "nonconform") else ""),
                         "count": f.count, "note": f.note, "evidence_url": f.evidence_url})
    numbers = queries.ncr_numbers(findings)
    can_raise_ncr = access.can_conduct(request.user, audit.project)
    for ind in card.indicators:
        for row in ind.rows:
            for f in row.findings:
                f.form = forms_by_id.get(f.pk)  # type: ignore[attr-defined]
                f.ncr_number = numbers.get(f.ncr_id or 0, "")  # type: ignore[attr-defined]
                raisable = can_raise_ncr and f.result == "nonconform" and not f.ncr_id
                bound_ncr = ncr_form if ncr_form is not None and ncr_form.prefix == f"n{f.pk}" else None
                f.ncr_form = (bound_ncr or NcrForm(prefix=f"n{f.pk}")) if raisable else None  # type: ignore[attr-defined]
    return render(request, "audits/audit_detail.html", {
        "audit": audit, "card": card, "can_conduct": can_conduct,
        "complete_form": complete_form or CompleteForm(),
    }, status=status)


@login_required
def audit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _audit(request, pk))


@login_required
@require_POST
def answer(request: HttpRequest, pk: int, finding_id: int) -> HttpResponse:
    audit = _audit(request, pk)
    finding = get_object_or_404(AuditFinding.objects.select_related("item"), pk=finding_id, audit=audit)
    if not access.can_conduct(request.user, audit.project):
        raise PermissionDenied
    form = AnswerForm(request.POST, prefix=f"f{finding.pk}", staff=_staff(audit))
    if form.is_valid():
        d = form.cleaned_data
        try:
            actions.answer_item(finding=finding, result=d["result"], count=d.get("count") or 1, note=d["note"],
                                evidence_url=d["evidence_url"], override_reason=d["override_reason"],
                                responsible=User.objects.filter(pk=d["responsible"]).first() if d.get("responsible") else None,
                                revise_reason=d["revise_reason"],
                                acting_user=access.acting_user(request), now=clock.now())
        except DomainError as exc:
            bind_refusal(form, exc)
            messages.error(request, f"{finding.item.code}：{exc.message}")
            return _detail(request, audit, bound={finding.pk: form}, status=exc.status)
        messages.success(request, _("已记录 %(code)s") % {"code": finding.item.code})
        return redirect(f"{audit.get_absolute_url()}#item-{finding.pk}")
    messages.error(request, f"{finding.item.code}：" + _("输入有误"))
    return _detail(request, audit, bound={finding.pk: form}, status=400)


@login_required
@require_POST
def confirm(request: HttpRequest, pk: int) -> HttpResponse:
    audit = _audit(request, pk)
    try:
        n = actions.confirm_suggestions(audit=audit, acting_user=access.acting_user(request), now=clock.now())
    except DomainError as exc:
        flash_refusal(request, exc)
    else:
        messages.success(request, _("已确认 %(n)s 项系统预检结果") % {"n": n})
    return redirect("audits:detail", pk=audit.pk)


@login_required
@require_POST
def complete(request: HttpRequest, pk: int) -> HttpResponse:
    audit = _audit(request, pk)
    form = CompleteForm(request.POST)
    form.is_valid()
    try:
        actions.complete_audit(audit=audit, summary=form.cleaned_data.get("summary", ""),
                               acting_user=access.acting_user(request), now=clock.now())
    except DomainError as exc:
        bind_refusal(form, exc)
        messages.error(request, exc.message)
        return _detail(request, audit, complete_form=form, status=exc.status)
    messages.success(request, _("审核已完成"))
    return redirect("audits:detail", pk=audit.pk)


@login_required
@require_POST
def raise_ncr(request: HttpRequest, pk: int, finding_id: int) -> HttpResponse:
    """不符合项提出不合格报告 (through apps.quality's NCR action)."""
    audit = _audit(request, pk)
    finding = get_object_or_404(AuditFinding.objects.select_related("item"), pk=finding_id, audit=audit)
    if not access.can_conduct(request.user, audit.project):
        raise PermissionDenied
    form = NcrForm(request.POST, prefix=f"n{finding.pk}")
    if form.is_valid():
        try:
            report = actions.raise_ncr_for_finding(
                finding=finding, beyond_authority_reason=form.cleaned_data["beyond_authority_reason"],
                acting_user=access.acting_user(request), now=clock.now())
        except DomainError as exc:
            bind_refusal(form, exc)
            messages.error(request, f"{finding.item.code}：{exc.message}")
            return _detail(request, audit, ncr_form=form, status=exc.status)
        messages.success(request, _("已提出不合格报告 %(number)s，等待管理者代表签发") % {"number": report.number})
        return redirect(f"{audit.get_absolute_url()}#item-{finding.pk}")
    messages.error(request, f"{finding.item.code}：" + _("输入有误"))
    return _detail(request, audit, ncr_form=form, status=400)


def _report_rows(card: queries.Scorecard) -> list[list[Any]]:
    rows: list[list[Any]] = []
    for ind in card.indicators:
        for row in ind.rows:
            for f in row.findings:
                rows.append([ind.name, row.code, row.label, f.item.code, f.item.text, row.check_method,
                             f.get_result_display(), f.count if f.result == "nonconform" else "", f.note,
                             row.deduction if f is row.findings[0] else "", ind.score if row is ind.rows[0] and
                             f is row.findings[0] else "", f.override_reason])
    return rows


REPORT_HEADERS = ["一级指标", "条目", "二级/三级指标", "检查项", "检查标准", "检查方法", "结果", "不符合次数", "说明",
                  "条目扣分", "指标得分", "推翻预检的理由"]


@login_required
def report_xlsx(request: HttpRequest, pk: int) -> FileResponse:
    audit = _audit(request, pk)
    card = queries.score_audit(audit)
    rows = _report_rows(card) + [["合计", "", "", "", "", "", "", "", "", "", card.total, ""]]
    return xlsx_response(f"督导审核报告-{audit.project.code}-{audit.audited_on}.xlsx", REPORT_HEADERS, rows,
                         sheet="督导审核报告", title=f"{audit.project.name} {audit.get_kind_display()} {audit.audited_on}")


@login_required
def report_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    audit = _audit(request, pk)
    card = queries.score_audit(audit)
    html = render_to_string("audits/report_pdf.html", {"audit": audit, "card": card}, request=request)
    response = HttpResponse(render_pdf(html), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="audit-{audit.pk}.pdf"'
    return response


# ---------------------------------------------------------------- standards


@login_required
def standards(request: HttpRequest) -> HttpResponse:
    if not access.can_manage_standard(request.user):
        raise PermissionDenied
    company_id = access.company_of(request.user)
    versions = StandardVersion.objects.filter(company_id=company_id or 0).prefetch_related("indicators")
    form = ImportForm(request.POST or None, request.FILES or None)
    status = 400 if request.method == "POST" else 200
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            version = actions.import_standard(company=get_object_or_404(Company, pk=company_id or 0),
                                              purpose=d["purpose"], name=d["name"], version=d["version"],
                                              stream=d["file"], acting_user=access.acting_user(request),
                                              now=clock.now())
        except DomainError as exc:
            bind_refusal(form, exc)
            status = exc.status
        else:
            messages.success(request, _("已导入标准版本 %(v)s") % {"v": version.version})
            return redirect("audits:version", pk=version.pk)
    return render(request, "audits/standards.html", {"versions": versions, "form": form,
                                                     "headers": actions.IMPORT_HEADERS}, status=status)


def _version(request: HttpRequest, pk: int) -> StandardVersion:
    if not (access.can_manage_standard(request.user) or access.audit_projects(request.user)):
        raise PermissionDenied
    return get_object_or_404(StandardVersion, pk=pk, company_id=access.company_of(request.user) or 0)


@login_required
def version_detail(request: HttpRequest, pk: int) -> HttpResponse:
    version = _version(request, pk)
    indicators = version.indicators.prefetch_related("rows__items").order_by("order")
    return render(request, "audits/version_detail.html", {
        "version": version, "indicators": indicators, "in_use": version.in_use,
        "can_manage": access.can_manage_standard(request.user)})


@login_required
@require_POST
def version_default(request: HttpRequest, pk: int) -> HttpResponse:
    version = _version(request, pk)
    try:
        actions.make_default(version=version, acting_user=access.acting_user(request), now=clock.now())
    except DomainError as exc:
        flash_refusal(request, exc)
    else:
        messages.success(request, _("已设为默认版本"))
    return redirect("audits:version", pk=version.pk)


@login_required
def row_edit(request: HttpRequest, pk: int) -> HttpResponse:
    row = get_object_or_404(StandardRow.objects.select_related("indicator__version"), pk=pk,
                            indicator__version__company_id=access.company_of(request.user) or 0)
    if not access.can_manage_standard(request.user):
        raise PermissionDenied
    initial = {"check_method": row.check_method, "mode": row.mode, "per_item": row.per_item, "cap": row.cap,
               "count_deductions": ", ".join(f"{k}:{v}" for k, v in row.count_deductions.items())}
    form = RowForm(request.POST or None, initial=initial)
    status = 400 if request.method == "POST" else 200
    if request.method == "POST" and form.is_valid():
        d = dict(form.cleaned_data)
        reason = d.pop("reason")
        try:
            actions.update_row(row=row, changes=d, reason=reason, acting_user=access.acting_user(request),
                               now=clock.now())
        except DomainError as exc:
            bind_refusal(form, exc)
            status = exc.status
        else:
            messages.success(request, _("条目已修改"))
            return redirect("audits:version", pk=row.indicator.version_id)
    return render(request, "audits/row_edit.html", {"row": row, "form": form}, status=status)
