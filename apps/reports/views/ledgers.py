"""Pages for the ledgers (R-M5-16) and the steward's weekly analysis (R-M5-11)."""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils.translation import gettext

from apps.core.exports import xlsx_response
from apps.estates import actions as estates_actions
from apps.org import access
from apps.reports import kpis, ledgers
from apps.reports.views.stats import _bad, _require_reports, _scope
from linli import clock

LEDGERS = {"complaint": ("投诉台账", ledgers.complaint_ledger), "repair": ("报修台账", ledgers.repair_ledger)}


def ledger_export(request: HttpRequest, kind: str) -> HttpResponseBase:
    """投诉台账 / 报修台账 of the chosen projects and dates as a streamed .xlsx (R-M5-16)."""
    projects = _require_reports(request)
    if kind not in LEDGERS:
        raise Http404
    try:
        scope = _scope(request, projects, default_days=31)
    except kpis.ScopeError as exc:
        return _bad(request, str(exc))
    title, build = LEDGERS[kind]
    user: Any = request.user  # signed in: _require_reports let them through
    in_scope = [p for p in projects if p.pk in scope.project_ids]
    grants = estates_actions.print_grants(user, in_scope)  # issue 14 item 9: masked unless granted
    headers, rows = build(scope, {pk for pk, g in grants.items() if g is not None})
    response = xlsx_response(f"{kind}-ledger.xlsx", headers, rows, sheet=title,
                             title=f"{title} {scope.first_day} 至 {scope.last_day}")
    counts = ledgers.ledger_rows_per_project(kind, scope)
    estates_actions.log_exports(user, {p: counts[p.pk] for p in in_scope if counts.get(p.pk)}, grants, screen=f"导出：{title}",
                                reason=f"导出{title}")
    return response


def steward_week(request: HttpRequest) -> HttpResponse:
    """楼宇员每周分析 (R-M5-11): the signed-in steward's buildings, one week (``?week=YYYY-MM-DD``)."""
    if not request.user.is_authenticated:
        raise Http404
    text = request.GET.get("week", "")
    try:
        day = dt.date.fromisoformat(text) if text else clock.today()
    except ValueError:
        return _bad(request, "日期格式应为 YYYY-MM-DD")
    week = ledgers.steward_weekly(request.user, day)
    return render(request, "reports/steward_week.html", {"week": week,
                                                          "week_end": week.week_start + dt.timedelta(days=6)})


def quality_queue(request: HttpRequest) -> HttpResponse:
    """R-M4-03: company-level complaints verified by the project, awaiting 品质管理部's return visit."""
    projects = _require_reports(request)
    tickets = ledgers.quality_return_visit_queue([p.pk for p in projects])
    return render(request, "reports/quality_queue.html", {"tickets": tickets})


def immediate_visits(request: HttpRequest) -> HttpResponse:
    """R-M4-06: record-form and class-1 complaints waiting for their immediate return visit."""
    projects = _require_reports(request)
    tickets = ledgers.immediate_return_visits([p.pk for p in projects])
    return render(request, "reports/quality_queue.html",
                  {"tickets": tickets, "heading": gettext("记录表/一类客户投诉待立即回访")})


def retention_review(request: HttpRequest) -> HttpResponse:
    """R-M6-05: complaint records past the company's retention period, for a person to review (nothing is
    deleted automatically; an empty setting keeps them for ever and lists nothing)."""
    _require_reports(request)
    company = _company_of(request)
    tickets = ledgers.records_past_retention(company, clock.now()) if company is not None else []
    return render(request, "reports/quality_queue.html",
                  {"tickets": tickets, "heading": gettext("超过保存期限、待审阅的用户投诉记录")})


def _company_of(request: HttpRequest) -> Any:
    projects = list(access.visible_projects(request.user).select_related("company").order_by("pk")[:1])
    return projects[0].company if projects else None
