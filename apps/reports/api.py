"""REST endpoints of the reports app (mounted at /api/v1/reports). Thin: kpis / dashboard / actions decide.

- ``GET /kpis`` — the KPIs of a scope (from, to, projects, department, category, channel, kind);
- ``GET /dashboard`` — the dashboard data (trend, breakdowns, heat map, overdue), with drill URLs;
- ``GET /drill`` — the tickets behind one figure (kpi, part, by/key …), paged;
- ``GET /`` and ``GET /{id}`` — fixed reports (frozen figures once approved);
- ``POST /{id}/refresh`` — recompute a draft's figures;
- ``POST /{id}/submit``, ``GET /{id}/review``, ``POST /{id}/approve`` — review and approval (the
  submitter never approves; empty text refused; figure mismatches must be acknowledged).
"""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, Literal, cast

from django.db import transaction
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from apps.core.api_errors import ERRORS, ApiError
from apps.core.api_pagination import LinliPagination, Serialised
from apps.core.validation import SaneDate
from apps.org import access
from apps.org.models import User
from apps.org.roles import Cap
from apps.reports import actions, dashboard, desk_rates, kpis, ledgers, queries, reading, targets, utilities
from apps.reports.models import CaseLibraryEntry, Report, ReportStatus, StairwayLightCount
from apps.tickets.choices import Channel, Kind
from linli import clock

router = Router(tags=["reports"])
if TYPE_CHECKING:  # the codes are built at run time for the OpenAPI enums; to the type checker they are text
    KpiCode = str
    KindCode = str
    ChannelCode = str
else:
    KpiCode = Literal[tuple(kpis.REGISTRY)]
    KindCode = Literal[tuple(Kind.values)]
    ChannelCode = Literal[tuple(Channel.values)]


class ReportScopeIn(Schema):
    """The scope of the figures; a missing period means the last 180 days."""

    from_: SaneDate | None = Field(None, alias="from", description="统计期起（含），YYYY-MM-DD")
    to: SaneDate | None = Field(None, description="统计期止（含），YYYY-MM-DD")
    projects: str = Field("", pattern=r"^([0-9]{1,9}(,[0-9]{1,9})*)?$", description="项目 id，逗号分隔；空 = 全部可见项目")
    department: int | None = Field(None, ge=1, le=2**31 - 1)
    category: int | None = Field(None, ge=1, le=2**31 - 1)
    channel: ChannelCode | None = None
    kind: KindCode | None = None

    def params(self) -> dict[str, str]:
        p = {"projects": self.projects, "channel": self.channel or "", "kind": self.kind or ""}
        if self.from_:
            p["from"] = self.from_.isoformat()
        if self.to:
            p["to"] = self.to.isoformat()
        if self.department:
            p["department"] = str(self.department)
        if self.category:
            p["category"] = str(self.category)
        return p


class ReportKpiOut(Schema):
    code: str
    label: str
    rule: str
    unit: str
    definition: str
    counts: dict[str, int]
    value: float | None
    extra: dict[str, Any]
    target: dict[str, Any] | None
    met_target: bool | None


class ReportKpisOut(Schema):
    scope: dict[str, str]
    kpis: list[ReportKpiOut]


class ReportDrillTicketOut(Schema):
    id: int
    number: str
    project_id: int
    kind: str
    channel: str
    status: str
    received_at: dt.datetime
    closed_at: dt.datetime | None


class ReportDrillOut(Schema):
    count: int
    tickets: list[ReportDrillTicketOut]


class FixedReportOut(Schema):
    id: int
    title: str
    duty_code: str
    project_id: int | None
    period_start: dt.date
    period_end: dt.date
    version: int
    status: str
    due_at: dt.datetime
    rule_id: str
    recipients: str
    submitted_at: dt.datetime | None
    reviewed_at: dt.datetime | None = None
    approved_at: dt.datetime | None
    intranet_posted_at: dt.datetime | None = None
    notice_posted_at: dt.datetime | None = None
    published_at: dt.datetime | None
    frozen: bool


class FixedReportDetailOut(FixedReportOut):
    figures: dict[str, Any]
    sections: dict[str, str]
    approval_flags: list[dict[str, str]]


class ReportApproveIn(Schema):
    acknowledge_mismatches: bool = Field(False, description="正文数字与报告数据不一致时，批准人确认已核对")


class ReportReviewOut(Schema):
    """What the approver must look at before approving."""

    text_missing: bool
    mismatches: list[dict[str, str]]


def _scope(request: HttpRequest, params: dict[str, str]) -> kpis.Scope:
    if not access.has_cap(request.user, Cap.VIEW_REPORTS):
        raise ApiError(403, "forbidden", "没有查看统计的权限")
    projects = {p.pk for p in access.visible_projects(request.user)}
    wanted = {int(x) for x in params.get("projects", "").split(",") if x}
    if not wanted <= projects:
        raise ApiError(404, "not_found", "项目不存在或无权查看", {"projects": ["项目不存在或无权查看"]})
    try:
        return kpis.scope_from_params(params, now=clock.now(), allowed_project_ids=projects, default_days=180)
    except kpis.ScopeError as exc:  # well-formed values that contradict each other (from after to, > 3 years)
        raise ApiError(409, "conflict", str(exc)) from exc


@router.get("/kpis", response={200: ReportKpisOut, **ERRORS}, summary="统计指标（含定义与目标）")
def kpi_list(request: HttpRequest, filters: Query[ReportScopeIn]) -> Any:
    scope = _scope(request, filters.params())
    return {"scope": scope.params(), "kpis": [r.as_dict() for r in kpis.all_kpis(scope)]}


@router.get("/dashboard", response={200: dict[str, Any], **ERRORS}, summary="统计看板数据（可下钻）")
def dashboard_json(request: HttpRequest, filters: Query[ReportScopeIn], unit: Literal["week", "month"] = "month") -> Any:
    return dashboard.dashboard_data(_scope(request, filters.params()), unit=unit)


@router.get("/drill", response={200: ReportDrillOut, **ERRORS}, summary="某个数字背后的工单清单")
def drill(request: HttpRequest, filters: Query[ReportScopeIn], kpi: KpiCode = "received",
          part: Literal["", "all", "numerator", "denominator", "hot", "major", *Kind.values] = "",  # type: ignore[valid-type]
          by: Literal["", "kind", "channel", "category", "department", "building", "project", "subject",
                      "escalation_level"] = "",
          key: str = Query("", pattern=r"^([0-9]{1,9}|none|[a-z_]{1,30})?$"),
          limit: int = Query(100, ge=1, le=1000), offset: int = Query(0, ge=0, le=10**7)) -> Any:
    scope = _scope(request, filters.params())
    try:
        qs = kpis.drill_queryset({"kpi": kpi, "part": part, "by": by, "key": key}, scope)
    except kpis.ScopeError as exc:  # e.g. a part this KPI does not have
        raise ApiError(409, "conflict", str(exc)) from exc
    qs = qs.order_by("received_at", "pk")
    return {"count": qs.count(), "tickets": list(qs[offset:offset + limit])}


@router.get("/records/retention", response={200: ReportDrillOut, **ERRORS},
            summary="超过保存期限、待审阅的用户投诉记录（不自动删除）")
def retention_review(request: HttpRequest) -> Any:
    """R-M6-05: the complaints (closed or 未关闭) ended longer ago than the company's retention period."""
    if not access.has_cap(request.user, Cap.VIEW_REPORTS):
        raise ApiError(403, "forbidden", "没有查看统计的权限")
    first = access.visible_projects(request.user).select_related("company").order_by("pk").first()
    if first is None:
        return {"count": 0, "tickets": []}
    rows = list(ledgers.records_past_retention(first.company, clock.now()))
    return {"count": len(rows), "tickets": rows}


class DeskRateTicketOut(Schema):
    id: int
    number: str
    received_at: dt.datetime
    status: str
    counted_in_numerator: bool


class DeskRateOut(Schema):
    code: str
    label: str
    formula: str
    numerator: int
    denominator: int
    value: float | None
    tickets: list[DeskRateTicketOut]


class DeskRatesOut(Schema):
    project_id: int
    month: str
    validity_rate: DeskRateOut
    timely_rate: DeskRateOut


def _desk_rate(rate: Any) -> dict[str, Any]:
    return {"code": rate.code, "label": rate.label, "formula": rate.formula, "numerator": rate.numerator,
            "denominator": rate.denominator, "value": rate.value,
            "tickets": [{"id": t.pk, "number": t.number, "received_at": t.received_at, "status": t.status,
                         "counted_in_numerator": good} for t, good in rate.rows]}


@router.get("/desk-rates", response={200: DeskRatesOut, **ERRORS}, summary="前台每月统计：投诉有效率与处理及时率")
def desk_rates_json(request: HttpRequest, project: int = Query(..., ge=1, le=2**31 - 1),
                    month: str = Query("", pattern=r"^([0-9]{4}-[0-9]{2})?$", description="YYYY-MM；空 = 上月")) -> Any:
    """R-M5-10: the front desk (whoever receives tickets in the project) and readers of its statistics; the
    formulas are the company's (settings 统计指标目标值)."""
    chosen = next((p for p in desk_rates.projects_for(request.user) if p.pk == project), None)
    if chosen is None:
        raise ApiError(404, "not_found", "项目不存在或您无权查看")
    now = clock.now()
    first = desk_rates.parse_month(month or None, now.astimezone(chosen.tz).date())
    if first is None:
        raise ApiError(422, "validation_error", "月份不正确", fields={"month": ["月份应为 YYYY-MM，且不早于2000年、不晚于下月"]})
    rates = desk_rates.monthly_rates(chosen, first, now=now)
    return {"project_id": chosen.pk, "month": f"{first:%Y-%m}", "validity_rate": _desk_rate(rates.validity),
            "timely_rate": _desk_rate(rates.timely)}


class UtilityHalfYearOut(Schema):
    """One finished half-year of a project's 半年度水电统计 (R-M5-17): due time, and the report if made."""

    year: int
    half: int
    label: str
    due_at: dt.datetime
    late: bool
    reported_at: dt.datetime | None
    reported_by: str
    water_m3: float | None
    water_target_m3: float | None
    electricity_kwh: float | None
    electricity_target_kwh: float | None
    water_variance_percent: float | None
    electricity_variance_percent: float | None
    analysis: str
    recipient: str


class UtilityIn(Schema):
    project_id: int = Field(ge=1, le=2**31 - 1)
    year: int = Field(ge=2000, le=2100)
    half: Literal[1, 2] = Field(description="1 上半年 / 2 下半年")
    water_m3: float = Field(ge=0, le=10**10)
    water_target_m3: float = Field(ge=0, le=10**10)
    electricity_kwh: float = Field(ge=0, le=10**10)
    electricity_target_kwh: float = Field(ge=0, le=10**10)
    analysis: str = Field(min_length=1, max_length=10000)


def _utility_project(request: HttpRequest, project_id: int) -> Any:
    project = access.visible_projects(request.user).filter(pk=project_id).first()
    if project is None or not access.has_cap(request.user, Cap.VIEW_REPORTS, project):
        raise ApiError(404, "not_found", "项目不存在或您无权查看")
    return project


def _utility_rows(project: Any, now: dt.datetime) -> list[dict[str, Any]]:
    out = []
    for h in utilities.half_years(project, now):
        row = h.row
        variance = actions.utility_variance(row) if row is not None else {"water": None, "electricity": None}
        out.append({"year": h.year, "half": h.half, "label": h.label, "due_at": h.due_at, "late": h.late(now),
                    "reported_at": row.reported_at if row else None,
                    "reported_by": str(row.reported_by) if row else "",
                    "water_m3": float(row.water_m3) if row else None,
                    "water_target_m3": float(row.water_target_m3) if row else None,
                    "electricity_kwh": float(row.electricity_kwh) if row else None,
                    "electricity_target_kwh": float(row.electricity_target_kwh) if row else None,
                    "water_variance_percent": variance["water"], "electricity_variance_percent": variance["electricity"],
                    "analysis": row.analysis if row else "", "recipient": utilities.RECIPIENT})
    return out


@router.get("/utilities", response={200: list[UtilityHalfYearOut], **ERRORS}, summary="半年度水电统计（近两年）")
def utility_list(request: HttpRequest, project: int = Query(..., ge=1, le=2**31 - 1)) -> Any:
    return _utility_rows(_utility_project(request, project), clock.now())


@router.post("/utilities", response={201: list[UtilityHalfYearOut], **ERRORS}, summary="上报半年度水电统计")
def utility_report(request: HttpRequest, payload: UtilityIn) -> Any:
    """R-M5-17: a finished half-year, once per project; 409 when refused (not finished, already reported)."""
    project = _utility_project(request, payload.project_id)
    now = clock.now()
    data = payload.dict()
    data.pop("project_id")
    try:
        with transaction.atomic():
            values: dict[str, Any] = {k: (str(v) if isinstance(v, float) else v) for k, v in data.items()}
            actions.record_utility_statistics(project=project, acting_user=cast(User, request.user), now=now,
                                              **values)
    except actions.ReportError as exc:
        raise ApiError(409, "conflict", str(exc)) from exc
    return Status(201, _utility_rows(project, now))


# ------------------------------------------------------------------ service targets and stairway lights (R-M5-13)


class ServiceTargetOut(Schema):
    """One service measure against the company's target (R-M5-13, P-30): value and target in percent."""

    code: str
    label: str
    unit: str
    definition: str
    value: float | None
    target: dict[str, Any] | None
    met_target: bool | None
    counts: dict[str, int]


@router.get("/targets", response={200: list[ServiceTargetOut], **ERRORS},
            summary="服务指标与目标：报修指标、报修48小时内回访、楼道灯完好率")
def service_targets_json(request: HttpRequest, filters: Query[ReportScopeIn]) -> Any:
    return targets.service_targets(_scope(request, filters.params()))


class StairwayLightOut(Schema):
    """One month's 楼道灯完好情况 of a project (R-M5-13, R-M8-06)."""

    id: int
    project_id: int
    month: dt.date
    lights_total: int
    lights_working: int
    rate: float | None
    note: str
    recorded_at: dt.datetime
    recorded_by: str


class StairwayLightIn(Schema):
    project_id: int = Field(ge=1, le=2**31 - 1)
    month: SaneDate = Field(description="当月任一天（按月登记）")
    lights_total: int = Field(ge=1, le=1_000_000)
    lights_working: int = Field(ge=0, le=1_000_000)
    note: str = Field("", max_length=500)


def _light(row: StairwayLightCount) -> dict[str, Any]:
    return {"id": row.pk, "project_id": row.project_id, "month": row.month, "lights_total": row.lights_total,
            "lights_working": row.lights_working, "rate": row.rate, "note": row.note,
            "recorded_at": row.recorded_at, "recorded_by": str(row.recorded_by)}


@router.get("/stairway-lights", response={200: list[StairwayLightOut], **ERRORS}, summary="楼道灯完好情况（近24个月）")
def stairway_light_list(request: HttpRequest, project: int = Query(..., ge=1, le=2**31 - 1)) -> Any:
    chosen = _utility_project(request, project)
    rows = StairwayLightCount.objects.filter(project=chosen).select_related("recorded_by").order_by("-month")[:24]
    return [_light(r) for r in rows]


@router.post("/stairway-lights", response={201: StairwayLightOut, **ERRORS}, summary="登记楼道灯完好情况（每月一次）")
def stairway_light_record(request: HttpRequest, payload: StairwayLightIn) -> Any:
    """422 for bad counts or month, 409 when the month is already recorded."""
    project = _utility_project(request, payload.project_id)
    try:
        row = actions.record_stairway_lights(project=project, month=payload.month, lights_total=payload.lights_total,
                                             lights_working=payload.lights_working, note=payload.note,
                                             acting_user=cast(User, request.user), now=clock.now())
    except actions.ReportError as exc:
        raise ApiError(exc.status, exc.code, exc.message, exc.fields) from exc
    return Status(201, _light(row))


def _reports(request: HttpRequest) -> Any:
    if not access.has_cap(request.user, Cap.VIEW_REPORTS):
        raise ApiError(403, "forbidden", "没有查看报告的权限")
    qs = Report.objects.filter(project__in=access.visible_projects(request.user))
    if access.is_company_level(request.user):
        qs = qs | Report.objects.filter(project__isnull=True)
    return qs


# ------------------------------------------------------------------ case library (R-M6-01)


class CaseOut(Schema):
    """A case of the company's 顾客投诉案例库: personal data already removed (R-M6-01)."""

    id: int
    kind: str
    kind_label: str
    title: str
    category: str
    background: str
    handling: str
    lessons: str
    corrective_measures: str
    tags: str
    project_id: int | None
    project_name: str
    source_ticket_number: str
    created_at: dt.datetime


class CaseIn(Schema):
    project_id: int = Field(ge=1, le=2**31 - 1)
    kind: str = Field("typical", max_length=20, description="typical 典型 / hot 热点 / major 重大 / important 重要")
    title: str = Field(max_length=200)
    background: str = Field(max_length=10000)
    handling: str = Field(max_length=10000)
    lessons: str = Field("", max_length=10000)
    corrective_measures: str = Field("", max_length=10000)
    category: str = Field("", max_length=100)
    tags: str = Field("", max_length=200)
    source_ticket_number: str = Field("", max_length=40)
    personal_names: list[str] = Field(default_factory=list, description="另需隐去的姓名（投诉人本人及其住户的姓名会自动隐去）")


def _case_out(c: CaseLibraryEntry) -> dict[str, Any]:
    return {"id": c.pk, "kind": c.kind, "kind_label": c.get_kind_display(), "title": c.title, "category": c.category,
            "background": c.background, "handling": c.handling, "lessons": c.lessons,
            "corrective_measures": c.corrective_measures, "tags": c.tags, "project_id": c.project_id,
            "project_name": c.project.name if c.project is not None else "", "source_ticket_number": c.source_ticket_number,
            "created_at": c.created_at}


@router.get("/cases", response={200: list[CaseOut], **ERRORS}, summary="顾客投诉案例库（本公司）")
@paginate(LinliPagination)
def case_list(request: HttpRequest, q: str = Query("", max_length=100), kind: str = Query("", max_length=20),
              **kwargs: Any) -> Any:
    cases = queries.company_cases(request.user, q=q, kind=kind)
    return Serialised(cases, _case_out)


@router.get("/cases/{case_id}", response={200: CaseOut, **ERRORS}, summary="案例")
def case_detail(request: HttpRequest, case_id: int) -> Any:
    case = queries.company_cases(request.user).filter(pk=case_id).first()
    if case is None:
        raise ApiError(404, "not_found", "案例不存在")
    return _case_out(case)


@router.post("/cases", response={201: CaseOut, **ERRORS}, summary="加入案例库（个人信息自动隐去）")
def case_create(request: HttpRequest, payload: CaseIn) -> Any:
    project = access.visible_projects(request.user).filter(pk=payload.project_id).select_related("company").first()
    if project is None:
        raise ApiError(404, "not_found", "项目不存在")
    if not queries.may_write_cases(request.user, project):
        raise ApiError(403, "forbidden", "只有主管以上人员和品质管理部可以编写案例")
    data = payload.dict()
    data.pop("project_id")
    case = actions.create_case(company=project.company, project=project, acting_user=cast(User, request.user),
                               now=clock.now(), **data)
    return Status(201, _case_out(CaseLibraryEntry.objects.select_related("project").get(pk=case.pk)))


@router.get("/", response={200: list[FixedReportOut], **ERRORS}, summary="固定报告列表")
def report_list(request: HttpRequest, status: Literal["", *ReportStatus.values] = "",  # type: ignore[valid-type]
                duty: str = Query("", max_length=40)) -> Any:
    qs = _reports(request)
    if status:
        qs = qs.filter(status=status)
    if duty:
        qs = qs.filter(duty_code=duty)
    return list(qs.order_by("-period_start", "duty_code", "-version")[:200])


def _report(request: HttpRequest, report_id: int) -> Report:
    report = _reports(request).filter(pk=report_id).first()
    if report is None:
        raise ApiError(404, "not_found", "报告不存在")
    return report


def _shown(request: HttpRequest, report: Report) -> Any:
    """Issue 14 item 9 (R-M7-01/R-M7-03): the report as the page shows it to the same user — phone and ID
    numbers in its figures and texts masked unless the user holds a grant for the project; a read in
    full is in the read log (:func:`apps.reports.reading.report_for_read`)."""
    shown, _masked = reading.report_for_read(request.user, report,
                                             screen=f"查看（接口）：报告 {report.title}")
    return shown


@router.get("/{report_id}", response={200: FixedReportDetailOut, **ERRORS}, summary="报告（批准后为冻结的快照）",
            description="案例、问题和正文中的电话、身份证号码按页面同样的规则隐去；经授权查看全文的记入顾客资料查阅记录。")
def report_detail(request: HttpRequest, report_id: int) -> Any:
    return _shown(request, _report(request, report_id))


@router.post("/{report_id}/refresh", response={200: FixedReportDetailOut, **ERRORS}, summary="按当前数据刷新草稿")
def report_refresh(request: HttpRequest, report_id: int) -> Any:
    report = _report(request, report_id)
    try:
        refreshed = actions.refresh_figures(report, acting_user=cast(User, request.user), now=clock.now())
    except actions.ReportError as exc:
        raise ApiError(409, "conflict", str(exc)) from exc
    return _shown(request, refreshed)


def _act(request: HttpRequest, run: Any) -> Any:
    """Run one lifecycle action; answer with the report as the user may see it (masked unless granted)."""
    try:
        changed = run()
    except actions.ReportError as exc:
        raise ApiError(409, "conflict", str(exc)) from exc
    return _shown(request, changed)


@router.post("/{report_id}/submit", response={200: FixedReportDetailOut, **ERRORS}, summary="提交审核")
def report_submit(request: HttpRequest, report_id: int) -> Any:
    report = _report(request, report_id)
    return _act(request, lambda: actions.submit_for_review(report, acting_user=cast(User, request.user), now=clock.now()))


@router.get("/{report_id}/review", response={200: ReportReviewOut, **ERRORS}, summary="批准前核对（正文与数据）")
def report_review(request: HttpRequest, report_id: int) -> Any:
    report = _report(request, report_id)
    return {"text_missing": not actions.report_text(report).strip(),
            "mismatches": actions.figure_mismatches(report) if reading.grant_for(request.user, report)
            else reading.masked_json(actions.figure_mismatches(report))}


@router.post("/{report_id}/head-review", response={200: FixedReportDetailOut, **ERRORS},
             summary="部门负责人审核（管理服务报告）")
def report_head_review(request: HttpRequest, report_id: int) -> Any:
    """R-M5-08: the department head reviews before the 分管领导 approves (409 when refused)."""
    report = _report(request, report_id)
    return _act(request, lambda: actions.review_report(report, acting_user=cast(User, request.user), now=clock.now()))


@router.post("/{report_id}/posting/{milestone}", response={200: FixedReportDetailOut, **ERRORS},
             summary="管理服务报告：内网公布 / 张贴告示")
def report_posting(request: HttpRequest, report_id: int, milestone: Literal["intranet", "notice"]) -> Any:
    """R-M5-08: intranet posting (before the 18th), then the notice to customers (before the 20th)."""
    report = _report(request, report_id)
    return _act(request, lambda: actions.record_posting(report, milestone=milestone, acting_user=cast(User, request.user),
                                               now=clock.now()))


@router.post("/{report_id}/approve", response={200: FixedReportDetailOut, **ERRORS}, summary="批准并冻结")
def report_approve(request: HttpRequest, report_id: int, payload: ReportApproveIn) -> Any:
    """Refused (409) for the submitter, for an empty text and, unless acknowledged, for figures in the
    text that differ from the report's figures."""
    report = _report(request, report_id)
    if not access.has_cap(request.user, Cap.APPROVE_REPORTS, report.project):
        raise ApiError(403, "forbidden", "没有批准报告的权限")
    if report.duty_code in actions.LEADER_APPROVED and not actions.may_approve(cast(User, request.user), report) \
            and report.submitted_by_id != request.user.pk:
        raise ApiError(403, "forbidden", "该报告须由分管领导批准")
    return _act(request, lambda: actions.approve_report(report, acting_user=cast(User, request.user), now=clock.now(),
                                               acknowledge_mismatches=payload.acknowledge_mismatches))

