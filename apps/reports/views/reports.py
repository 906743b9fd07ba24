"""Report and case-library pages (thin: the rules are in actions.py / queries.py)."""
from __future__ import annotations

from collections.abc import Callable
from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.views.decorators.http import require_POST

from apps.core.exports import render_pdf
from apps.org import access
from apps.org.models import User
from apps.org.roles import Cap
from apps.reports import access as report_access
from apps.reports import actions, queries
from apps.reports.forms import CaseForm, PublishForm, SectionsForm
from apps.reports.models import CaseLibraryEntry, Report
from apps.reports.views import printing as forms_print
from apps.reports.views.stats import report_for_export, report_for_page, report_grant
from linli import clock


def _user(request: HttpRequest) -> User:
    """The signed-in staff member (every page here is ``login_required``)."""
    return cast(User, request.user)


@login_required
def report_list(request: HttpRequest) -> HttpResponse:
    if not access.has_cap(request.user, Cap.VIEW_REPORTS):
        raise Http404
    now = clock.now()
    projects = list(access.visible_projects(request.user))
    company = projects[0].company if projects else None
    statuses = queries.duty_statuses(company, projects, now) if company else []
    if not access.is_company_level(request.user):
        statuses = [d for d in statuses if d.project is not None]
    remind = queries.settings_for(company).remind_days_before if company else 3
    rows = [{"s": d, "late": d.late(now), "soon": d.due_soon(now, remind)} for d in statuses]
    reports = report_access.visible_reports(request.user).order_by("-created_at")[:50]
    return render(request, "reports/report_list.html", {
        "rows": rows, "reports": reports, "now": now, "print_projects": projects,
        "today": now.astimezone(projects[0].tz if projects else clock.SHANGHAI).date(),
    })


@login_required
def report_compliance(request: HttpRequest) -> HttpResponse:
    """年度报告完成情况 (R-M5-03, R-M5-06, R-M5-18, AS-39): for one project (or the company-wide analysis)
    and one year, the reports the company's settings expect, which were submitted and which are missing
    — overdue or still to come."""
    if not access.has_cap(request.user, Cap.VIEW_REPORTS):
        raise Http404
    now = clock.now()
    projects = [p for p in access.visible_projects(request.user) if access.has_cap(request.user, Cap.VIEW_REPORTS, p)]
    if not projects:
        raise Http404
    company = projects[0].company
    company_level = access.is_company_level(request.user)
    this_year = now.astimezone(clock.SHANGHAI).year
    try:
        year = int(request.GET.get("year") or this_year)
    except ValueError:
        year = this_year
    year = min(max(year, 2000), this_year + 1)
    choice = request.GET.get("project") or str(projects[0].pk)
    project = None if (choice == "company" and company_level) else next(
        (p for p in projects if str(p.pk) == choice), projects[0])
    rows = []
    for c in queries.year_overview(company, year, project):
        overdue = c.overdue(now)
        rows.append({"c": c, "overdue": [(p, c.due[p]) for p in overdue],
                     "to_come": [(p, c.due[p]) for p in c.missing if p not in overdue]})
    return render(request, "reports/report_compliance.html", {
        "rows": rows, "year": year, "years": list(range(this_year - 4, this_year + 2)), "projects": projects,
        "project": project, "company_level": company_level, "now": now,
    })


@login_required
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_object_or_404(report_access.visible_reports(request.user), pk=pk)
    sections_form = None
    if request.method == "POST" and not report.frozen:
        sections_form = SectionsForm(request.POST)
        if sections_form.is_valid():
            sections = sections_form.cleaned_data
            if report_grant(request, report) is None:  # saved from the masked form: stars keep the original
                sections = forms_print.keep_unmasked(sections, report.sections)
            actions.update_draft(report, sections=sections, acting_user=_user(request), now=clock.now())
            messages.success(request, "已保存")
            return redirect("reports:detail", pk=report.pk)
    # issue 14 item 9 (R-M7-01): phone and ID numbers masked as in the exports unless granted; logged
    shown, masked = report_for_page(request, report)
    if sections_form is None:
        sections_form = SectionsForm(initial=shown.sections)
    return render(request, "reports/report_detail.html", {
        "report": shown, "masked": masked, "sections_form": sections_form, "publish_form": PublishForm(),
        # separation of duties: the submitter is never offered the approval (issue 23 item 4)
        "can_approve": actions.may_approve(_user(request), report),
        # R-M5-08: department-head review first, then the 分管领导; then intranet and notice postings
        "can_review": actions.may_review(_user(request), report),
        "needs_review": report.duty_code in actions.REVIEWED_FIRST and report.reviewed_at is None,
        "has_postings": report.duty_code in actions.REVIEWED_FIRST,
        "own_submission": report.status == "in_review" and report.submitted_by_id == request.user.pk,
        "mismatches": actions.figure_mismatches(report) if report.status == "in_review" else [],
        "text_missing": not actions.report_text(report).strip(),
    })


def _after(request: HttpRequest, report: Report, act: Callable[[], Report], done: str = "操作成功") -> HttpResponse:
    """Run one lifecycle action in the request's transaction; a refusal becomes a flash message."""
    try:
        with transaction.atomic():
            changed = act()
    except actions.ReportError as exc:
        messages.error(request, str(exc))
        return redirect("reports:detail", pk=report.pk)
    messages.success(request, done)
    return redirect("reports:detail", pk=changed.pk)


@login_required
@require_POST
def report_submit(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_object_or_404(report_access.visible_reports(request.user), pk=pk)
    return _after(request, report, lambda: actions.submit_for_review(report, acting_user=_user(request),
                                                                      now=clock.now()))


@login_required
@require_POST
def report_approve(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_object_or_404(report_access.visible_reports(request.user), pk=pk)
    acknowledged = request.POST.get("acknowledge_mismatches") == "1"
    return _after(request, report, lambda: actions.approve_report(
        report, acting_user=_user(request), now=clock.now(), acknowledge_mismatches=acknowledged))


@login_required
@require_POST
def report_review_by_head(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_object_or_404(report_access.visible_reports(request.user), pk=pk)
    return _after(request, report, lambda: actions.review_report(report, acting_user=_user(request), now=clock.now()),
                  "已审核，待分管领导批准")


@login_required
@require_POST
def report_posting(request: HttpRequest, pk: int, milestone: str) -> HttpResponse:
    report = get_object_or_404(report_access.visible_reports(request.user), pk=pk)
    return _after(request, report, lambda: actions.record_posting(report, milestone=milestone,
                                                                   acting_user=_user(request), now=clock.now()))


@login_required
@require_POST
def report_publish(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_object_or_404(report_access.visible_reports(request.user), pk=pk)
    form = PublishForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写公布位置或报送对象")
        return redirect("reports:detail", pk=report.pk)
    return _after(request, report, lambda: actions.record_publication(
        report, where=form.cleaned_data["where"], acting_user=_user(request), now=clock.now()))


@login_required
@require_POST
def report_refresh(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_object_or_404(report_access.visible_reports(request.user), pk=pk)
    return _after(request, report, lambda: actions.refresh_figures(report, acting_user=_user(request),
                                                                    now=clock.now()))


@login_required
@require_POST
def report_reissue(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_object_or_404(report_access.visible_reports(request.user), pk=pk)
    if not access.has_cap(request.user, Cap.VIEW_REPORTS, report.project):
        messages.error(request, "没有权限")
        return redirect("reports:detail", pk=report.pk)
    return _after(request, report, lambda: actions.reissue_report(report, acting_user=_user(request), now=clock.now()),
                  done="已生成更正版本草稿")


@login_required
def report_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_object_or_404(report_access.visible_reports(request.user), pk=pk)
    shown = report_for_export(request, report, screen="导出：报告（PDF）")
    html = render_to_string("reports/report_print.html", {"report": shown})
    response = HttpResponse(render_pdf(html), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="report-{report.pk}-v{report.version}.pdf"'
    return response


def _company_cases(request: HttpRequest):
    return queries.company_cases(request.user)


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    """R-M6-01: every company user can read the library; search by words, kind and category."""
    q, kind = request.GET.get("q", "").strip(), request.GET.get("kind", "")
    cases = queries.company_cases(request.user, q=q, kind=kind)
    page = Paginator(cases, 20).get_page(request.GET.get("page"))
    template = "reports/_case_rows.html" if getattr(request, "htmx", False) else "reports/case_list.html"
    can_write = queries.may_write_cases(request.user)
    return render(request, template, {"page": page, "q": q, "kind": kind, "can_write": can_write,
                                      "kinds": CaseLibraryEntry._meta.get_field("kind").choices})


@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "reports/case_detail.html", {"case": get_object_or_404(_company_cases(request), pk=pk)})


@login_required
def case_create(request: HttpRequest) -> HttpResponse:
    if not (access.has_cap(request.user, Cap.VIEW_REPORTS) and access.has_cap(request.user, Cap.VERIFY)):
        raise Http404
    form = CaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        project = getattr(request, "project", None)
        if project is None:
            messages.error(request, "请先选择项目")
        else:
            names = [n for n in data.pop("personal_names").replace("，", ",").split(",") if n.strip()]
            try:
                case = actions.create_case(company=project.company, project=project, personal_names=names,
                                           acting_user=_user(request), now=clock.now(), **data)
            except actions.ReportError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, "案例已加入案例库（个人信息已隐去）")
                return redirect("reports:case_detail", pk=case.pk)
    return render(request, "reports/case_form.html", {"form": form})
