"""Statistics pages (thin): dashboard + JSON, drill-down lists, KPI/report exports, printable forms.

The rules live in kpis.py / dashboard.py / views/printing.py; these views check access, parse the
query string (bad input → a Chinese message, HTTP 400) and render or stream the result.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse

from apps.core.exports import SHANGHAI, render_pdf, xlsx_response
from apps.estates import actions as estates_actions
from apps.org import access
from apps.org.models import Department
from apps.org.roles import Cap
from apps.reports import access as report_access
from apps.reports import dashboard, kpis, reading, targets
from apps.reports.views import printing as forms_print
from apps.tickets.access import TicketNotFound, access_ticket, visible_tickets
from apps.tickets.choices import Channel, Kind
from apps.tickets.complaint_level import complaint_level_label
from apps.tickets.inventory_sheet import build_inventory_sheet as build
from apps.tickets.models import Category, Ticket
from linli import clock


def _require_reports(request: HttpRequest) -> list:
    if not request.user.is_authenticated or not access.has_cap(request.user, Cap.VIEW_REPORTS):
        raise Http404
    return list(access.visible_projects(request.user).order_by("pk"))


def _scope(request: HttpRequest, projects: list, *, default_days: int = 180) -> kpis.Scope:
    params = request.GET.copy()
    if not params.get("projects") and not access.is_company_level(request.user):
        current = getattr(request, "project", None)
        if current is not None and current in projects:
            params["projects"] = str(current.pk)
    return kpis.scope_from_params(params, now=clock.now(), allowed_project_ids=[p.pk for p in projects],
                                  default_days=default_days)


def _bad(request: HttpRequest, message: str) -> HttpResponse:
    if request.headers.get("accept", "").startswith("application/json") or request.path.endswith("/data/"):
        return JsonResponse({"detail": message, "code": "invalid"}, status=400)
    return render(request, "reports/bad_request.html", {"message": message}, status=400)


def dashboard_page(request: HttpRequest) -> HttpResponse:
    projects = _require_reports(request)
    try:
        scope = _scope(request, projects)
    except kpis.ScopeError as exc:
        return _bad(request, str(exc))
    company_ids = {p.company_id for p in projects}
    return render(request, "reports/dashboard.html", {
        "scope": scope, "projects": projects, "selected": set(scope.project_ids),
        "departments": Department.objects.filter(company_id__in=company_ids).order_by("project_id", "name"),
        "categories": Category.objects.filter(parent__isnull=True, active=True).filter(
            company_id__in=company_ids) | Category.objects.filter(parent__isnull=True, active=True, company__isnull=True),
        "channels": Channel.choices, "kinds": Kind.choices, "unit": request.GET.get("unit", "month"),
        "data_url": f"{reverse('reports:dashboard_data')}?{request.GET.urlencode()}",
        "company_level": access.is_company_level(request.user),
        "service_targets": targets.service_targets(scope),  # R-M5-13 (server-rendered, also in the data)
    })


def dashboard_data(request: HttpRequest) -> HttpResponse:
    projects = _require_reports(request)
    try:
        scope = _scope(request, projects)
    except kpis.ScopeError as exc:
        return JsonResponse({"detail": str(exc), "code": "invalid"}, status=400)
    unit = request.GET.get("unit", "month")
    if unit not in ("week", "month"):
        return JsonResponse({"detail": "趋势单位应为 week 或 month", "code": "invalid"}, status=400)
    return JsonResponse(dashboard.dashboard_data(scope, unit=unit), json_dumps_params={"ensure_ascii": False})


def _ticket_link(ticket: Ticket) -> str | None:
    try:
        return reverse("tickets:detail", args=[ticket.pk])
    except NoReverseMatch:
        return None


DRILL_COLUMNS = ["编号", "项目", "类型", "投诉方式", "受理时间", "类别", "责任部门", "状态", "级别", "关闭时间"]


def _drill_row(t: Ticket) -> list[Any]:
    return [t.number, t.project.name, t.get_kind_display(), t.get_channel_display(), t.received_at,
            str(t.category) if t.category else "", t.department.name if t.department else "", t.get_status_display(),
            complaint_level_label(t), t.closed_at]


def drill(request: HttpRequest) -> HttpResponseBase:
    """The exact tickets counted in one figure (KPI part, optionally one chart bar / table row)."""
    projects = _require_reports(request)
    try:
        scope = _scope(request, projects, default_days=30)
        qs = kpis.drill_queryset(request.GET, scope)
    except kpis.ScopeError as exc:
        return _bad(request, str(exc))
    qs = qs.select_related("project", "category", "category__parent", "department").order_by("received_at", "pk")
    code = request.GET.get("kpi") or "received"
    k = kpis.REGISTRY[code]
    if request.GET.get("format") == "xlsx":
        per_project: dict[int, int] = {}

        def drill_rows() -> Any:
            for t in qs.iterator(2000):
                per_project[t.project_id] = per_project.get(t.project_id, 0) + 1
                yield _drill_row(t)

        response = xlsx_response(f"drill-{code}.xlsx", DRILL_COLUMNS, drill_rows(),
                                 sheet=k.label, title=f"{k.label}：{scope.first_day} 至 {scope.last_day}")
        user: Any = request.user
        estates_actions.log_exports(user, {p: per_project[p.pk] for p in projects if p.pk in per_project}, {},
                                    screen=f"导出：{k.label}明细", reason="导出统计明细")
        return response
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    rows = [(t, _ticket_link(t)) for t in page.object_list]
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "reports/drill.html", {
        "kpi": k, "part": request.GET.get("part", ""), "scope": scope, "page": page, "rows": rows, "total": page.paginator.count,
        "query": query.urlencode(), "tickets_url": dashboard.tickets_list_url(
            scope, by=request.GET.get("by"), key=request.GET.get("key")),
    })


KPI_COLUMNS = ["指标", "数值", "单位", "分子/计数", "分母", "目标", "达标", "依据", "定义"]


def _kpi_rows(scope: kpis.Scope) -> list[list[Any]]:
    rows = []
    for r in kpis.all_kpis(scope):
        target = f"{r.target['op']} {r.target['value']}" if r.target else ""
        met = "" if r.met_target is None else ("是" if r.met_target else "否")
        num = r.counts.get("numerator", r.counts.get("all", r.counts.get("denominator")))
        value = r.value if r.code != "handling_hours" else f"平均 {r.value} / P90 {r.extra.get('p90_hours')}"
        rows.append([r.label, value, r.unit, num, r.counts.get("denominator", ""), target, met, r.rule,
                     r.definition])
    return rows


def kpi_export(request: HttpRequest) -> HttpResponseBase:
    """The KPI table of a scope as .xlsx or PDF (issue 7 item 4)."""
    projects = _require_reports(request)
    try:
        scope = _scope(request, projects)
    except kpis.ScopeError as exc:
        return _bad(request, str(exc))
    fmt = request.GET.get("format", "xlsx")
    title = f"统计指标 {scope.first_day} 至 {scope.last_day}"
    rows = _kpi_rows(scope)
    if fmt == "xlsx":
        response: HttpResponseBase = xlsx_response("kpis.xlsx", KPI_COLUMNS, rows, sheet="统计指标", title=title)
    elif fmt == "pdf":
        names = [p.name for p in projects if p.pk in scope.project_ids]
        html = render_to_string("reports/kpi_print.html", {"title": title, "columns": KPI_COLUMNS,
                                                           "rows": rows, "projects": names})
        response = _pdf(html, "kpis.pdf")
    else:
        return _bad(request, "导出格式应为 xlsx 或 pdf")
    _log_statistics_export(request, projects, scope, rows=len(rows), screen=f"导出：统计指标（{fmt}）")
    return response


def _log_statistics_export(request: HttpRequest, projects: list, scope: kpis.Scope, *, rows: int, screen: str) -> None:
    """Issue 14 item 9 (R-M7-01): statistics exports carry figures, never owners' names or phones; they
    are logged as masked exports, one read-log row per project of the scope."""
    user: Any = request.user
    estates_actions.log_exports(user, {p: rows for p in projects if p.pk in scope.project_ids}, {}, screen=screen,
                                reason="导出统计数据")


def _pdf(html: str, filename: str) -> HttpResponse:
    response = HttpResponse(render_pdf(html), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def report_xlsx(request: HttpRequest, pk: int) -> HttpResponseBase:
    """A report's frozen (or draft) figures as a workbook: KPI rows, then each table."""
    report = get_object_or_404(report_access.visible_reports(request.user), pk=pk)
    shown = report_for_export(request, report, screen="导出：报告（xlsx）")
    return xlsx_response(f"report-{report.pk}-v{report.version}.xlsx", ["项目", "名称", "数值", "单位", "说明"],
                         forms_print.report_rows(shown), sheet="报告", title=f"{report.title} v{report.version}")


def report_for_export(request: HttpRequest, report: Any, *, screen: str) -> Any:
    """Issue 14 item 9 (R-M7-01/R-M7-03): a report's xlsx or PDF, masked and logged as on every path
    (:mod:`apps.reports.reading`)."""
    return reading.report_for_export(request.user, report, screen=screen)


def report_grant(request: HttpRequest, report: Any) -> Any:
    """The grant under which the user sees ``report``'s numbers in full, or None (masked)."""
    return reading.grant_for(request.user, report)


def report_for_page(request: HttpRequest, report: Any) -> tuple[Any, bool]:
    """Issue 14 item 9 (R-M7-01/R-M7-03): the report page shows the report as the API and the exports do
    (:func:`apps.reports.reading.report_for_read`): masked unless granted, a read in full logged."""
    return reading.report_for_read(request.user, report)


# ------------------------------------------------------------------ printable forms


def _printable(request: HttpRequest, template: str, context: dict[str, Any], filename: str) -> HttpResponse:
    if request.GET.get("format") == "pdf":
        return _pdf(render_to_string(template, {**context, "pdf": True}), filename)
    return render(request, template, context)


def ticket_form(request: HttpRequest, pk: int) -> HttpResponse:
    """《顾客意见(投诉/建议)处理表》 for one ticket."""
    try:
        ticket = access_ticket(request.user, pk)
    except TicketNotFound:
        raise Http404 from None
    user: Any = request.user  # signed in: access_ticket found the ticket for them
    grant = estates_actions.print_grant(user, ticket.project)
    # R-M1-06, R-M2-17, R-M2-20: ?layout=register|user_record|record_form prints the ticket's other layouts
    layout = forms_print.ticket_layout(request.GET.get("layout"))
    title = "处理表" if layout == "handling" else forms_print.TICKET_LAYOUTS[layout][0]
    response = _printable(request, "reports/form_ticket.html", forms_print.ticket_form(ticket, unmasked=grant is not None, layout=layout),
                          f"{ticket.number}-{title}.pdf")
    estates_actions.log_print(user, ticket.project, grant=grant, rows=1, household=ticket.household,
                              person=ticket.person, screen=f"打印：{'顾客意见处理表' if layout == 'handling' else title} {ticket.number}")
    return response


def _project_and_day(request: HttpRequest) -> tuple[Any, dt.date]:
    projects = {p.pk: p for p in access.visible_projects(request.user)}
    raw = request.GET.get("project")
    try:
        project = projects[int(raw)] if raw else getattr(request, "project", None)
    except (ValueError, KeyError):
        raise kpis.ScopeError("项目不存在或无权查看") from None
    if project is None or project.pk not in projects:
        raise kpis.ScopeError("请选择项目")
    try:
        day = dt.date.fromisoformat(request.GET["day"]) if request.GET.get("day") else \
            clock.now().astimezone(project.tz).date()
    except ValueError:
        raise kpis.ScopeError("日期格式应为 YYYY-MM-DD") from None
    return project, day


def worklog_page(request: HttpRequest) -> HttpResponse:
    """《工作信息记录本》: the tickets of one day in one project, as the paper book had them."""
    if not request.user.is_authenticated:
        raise Http404
    try:
        project, day = _project_and_day(request)
    except kpis.ScopeError as exc:
        return _bad(request, str(exc))
    grant = estates_actions.print_grant(request.user, project)
    ctx = forms_print.worklog(visible_tickets(request.user).filter(project=project), project=project, day=day,
                              unmasked=grant is not None)
    response = _printable(request, "reports/form_worklog.html", ctx, f"工作信息记录本-{day}.pdf")
    estates_actions.log_print(request.user, project, grant=grant, rows=len(ctx["rows"]),
                              screen=f"打印：工作信息记录本 {day}")
    return response


def inventory_print(request: HttpRequest) -> HttpResponse:
    """The daily inventory (日盘点) printout, from apps.tickets.inventory_view (R-M1-11)."""
    if not request.user.is_authenticated:
        raise Http404
    try:
        project, day = _project_and_day(request)
    except kpis.ScopeError as exc:
        return _bad(request, str(exc))
    sheet = build(visible_tickets(request.user).filter(project=project), project=project, day=day, now=clock.now())
    grant = estates_actions.print_grant(request.user, project)
    response = _printable(request, "reports/form_inventory.html", {
        "sheet": sheet, "project": project, "day": day, "printed_at": clock.now().astimezone(SHANGHAI),
        "unmasked": grant is not None}, f"日盘点-{day}.pdf")
    estates_actions.log_print(request.user, project, grant=grant, rows=sum(sheet.totals.values()),
                              screen=f"打印：日盘点表 {day}")
    return response
