"""REST endpoints of the visits app (mounted at /api/v1/visits). Thin: reads from queries, who may see
what from access, writes through actions; a visit of another project answers 404 like a missing one.

The list answers a plain JSON array (``limit`` rows, newest first), as it always has: it is not paged
with ``{"count", "page", "page_size", "results"}`` (the API contract does not change)."""
from __future__ import annotations

import datetime as dt
import json
from typing import Any, Literal

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import prefetch_related_objects
from django.http import HttpRequest
from ninja import Header, Query, Router, Schema, Status

from apps.core.api_errors import ERRORS, ApiError
from apps.core.validation import PastMoment, PlannedMoment, SaneDate
from apps.estates.models import Household, Person
from apps.org.access import visible_projects
from apps.org.models import Department, Project, User
from apps.tickets.models import Category
from apps.visits import access, actions, annual, programme, queries
from apps.visits.models import AnnualVisitPlan, EarlyCare, Visit, VisitPlan, VisitRoundSummary
from linli import clock

router = Router(tags=["visits"])


class VisitProblemOut(Schema):
    id: int
    description: str
    category: str | None
    status: str
    status_label: str
    answer: str
    cannot_reason: str
    department: str | None
    ticket_number: str | None


class VisitOut(Schema):
    id: int
    project_id: int
    household: str
    category: str
    category_label: str
    method: str
    method_label: str
    visitor: str
    visited_at: dt.datetime
    visited_on: dt.date
    communicated: str
    opinions: str
    filed_department: str
    voided: bool
    emergency_reason: str = ""
    problems: list[VisitProblemOut]


class VisitProblemIn(Schema):
    description: str
    status: str = "open"
    answer: str = ""
    category_id: int | None = None
    department_id: int | None = None


class VisitIn(Schema):
    project_id: int
    household_id: int
    person_id: int | None = None
    category: str
    method: str
    visitor_id: int | None = None
    visited_at: PastMoment
    communicated: str
    opinions: str
    problems: list[VisitProblemIn] = []
    emergency_reason: str = ""  # R-M17-01: required for a phone visit inside the quiet hours


class VisitSettleIn(Schema):
    outcome: str
    text: str


class VisitTicketIn(Schema):
    agreed_feedback_at: PlannedMoment | None = None
    complainant_surname: str = ""
    phone: str = ""


class VisitTicketOut(Schema):
    ticket_id: int
    number: str


def _out(visit: Visit) -> dict[str, Any]:
    return {
        "id": visit.pk, "project_id": visit.project_id, "household": visit.household.label,
        "category": visit.category, "category_label": visit.get_category_display(), "method": visit.method,
        "method_label": visit.get_method_display(), "visitor": str(visit.visitor), "visited_at": visit.visited_at,
        "visited_on": visit.visited_on, "communicated": visit.communicated, "opinions": visit.opinions,
        "filed_department": visit.filed_department.name, "voided": visit.voided,
        "emergency_reason": visit.emergency_reason,
        "problems": [{"id": p.pk, "description": p.description, "category": str(p.category) if p.category else None,
                      "status": p.status, "status_label": p.get_status_display(), "answer": p.answer,
                      "cannot_reason": p.cannot_reason, "department": p.department.name if p.department else None,
                      "ticket_number": p.ticket.number if p.ticket else None}
                     for p in visit.problems.all()],
    }


def _visit(request: HttpRequest, visit_id: int) -> Visit:
    """The visit with its problems prefetched as the list does (``_out`` then runs no further query)."""
    try:
        visit = access.get_visit(request.user, visit_id)
    except access.VisitNotFound:
        raise ApiError(404, "not_found", "走访记录不存在") from None
    prefetch_related_objects([visit], *queries.PROBLEM_PREFETCH)
    return visit


CategoryParam = Literal["periodic", "special", "complaint_return", "paid_service_return", "repair_return"]
MethodParam = Literal["phone", "face_to_face", "patrol", "online"]
StatusParam = Literal["on_spot", "open", "solved", "cannot_solve", "unsolved"]


@router.get("/", response={200: list[VisitOut], **ERRORS}, summary="走访档案，筛选同页面")
def visit_list(request: HttpRequest, project: int | None = None,
               year: int | None = Query(None, ge=2000, le=2100), date_from: SaneDate | None = None,
               date_to: SaneDate | None = None, category: CategoryParam | None = None,
               method: MethodParam | None = None, visitor: int | None = None, status: StatusParam | None = None,
               household: str = Query("", max_length=50), limit: int = Query(100, ge=1, le=500)) -> Any:
    raw = {"project": project, "year": year, "date_from": date_from, "date_to": date_to, "category": category,
           "method": method, "visitor": visitor, "status": status, "household": household}
    q = queries.parse_query({k: "" if v is None else str(v) for k, v in raw.items()})
    if q.errors:
        raise ApiError(422, "invalid", "；".join(q.errors))
    qs = queries.api_visits(queries.filter_visits(access.visible_visits(request.user), q))
    return [_out(v) for v in qs[:limit]]


@router.get("/{visit_id}", response={200: VisitOut, **ERRORS}, summary="走访记录")
def visit_detail(request: HttpRequest, visit_id: int) -> Any:
    return _out(_visit(request, visit_id))


def _get(model: Any, pk: int | None, field: str, label: str, message: str = "", **scope: Any) -> Any:
    if pk is None:
        return None
    obj = model.objects.filter(pk=pk, **scope).first()
    if obj is None:
        message = message or f"{label}不存在"
        raise ApiError(422, "invalid", message, {field: [message]})
    return obj


def _json(data: Any) -> Any:
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


@router.post("/", response={201: VisitOut, **ERRORS}, summary="记录走访，归档于项目客服部（支持 Idempotency-Key）")
def visit_create(request: HttpRequest, payload: VisitIn,
                 idempotency_key: str | None = Header(None, alias="Idempotency-Key",
                                                      description="重试同一提交时使用相同的键，不会重复记录")) -> Any:
    def produce() -> Any:
        project = Project.objects.filter(pk=payload.project_id, pk__in=visible_projects(request.user)).first()
        if project is None:
            raise ApiError(404, "not_found", "项目不存在", {"project_id": ["项目不存在"]})
        if len(payload.problems) > actions.MAX_PROBLEMS:
            message = f"一次走访最多记录{actions.MAX_PROBLEMS}个问题"
            raise ApiError(422, "invalid", message, {"problems": [message]})
        problems = [{"description": p.description, "status": p.status, "answer": p.answer,
                     "category": _get(Category, p.category_id, f"problems.{i}.category_id", "问题分类"),
                     "department": _get(Department, p.department_id, f"problems.{i}.department_id", "责任部门")}
                    for i, p in enumerate(payload.problems)]
        visit = actions.record_visit(
            project=project, household=_get(Household, payload.household_id, "household_id", "房屋", project=project),
            person=_get(Person, payload.person_id, "person_id", "被访人", project=project),
            # a staff member of the project: the same answer for a missing user and one of another project
            visitor=_get(User, payload.visitor_id, "visitor_id", "走访人", "走访人不是本项目员工",
                         memberships__project=project), category=payload.category,
            method=payload.method, visited_at=payload.visited_at, communicated=payload.communicated,
            opinions=payload.opinions, problems=problems, emergency_reason=payload.emergency_reason,
            acting_user=access.acting_user(request), now=clock.now())
        return _json(_out(_visit(request, visit.pk)))

    return Status(201, produce())  # once per Idempotency-Key: apps.api.idempotency


@router.post("/problems/{problem_id}/settle", response={200: VisitOut, **ERRORS},
             summary="办结走访问题：已解决 / 无法解决（须原因）")
def problem_settle(request: HttpRequest, problem_id: int, payload: VisitSettleIn) -> Any:
    try:
        problem = access.get_problem(request.user, problem_id)
        actions.settle_problem(problem=problem, outcome=payload.outcome, text=payload.text,
                               acting_user=access.acting_user(request), now=clock.now())
    except access.VisitNotFound:
        raise ApiError(404, "not_found", "走访问题不存在") from None
    return _out(_visit(request, problem.visit_id))


@router.post("/problems/{problem_id}/ticket", response={201: VisitTicketOut, **ERRORS},
             summary="走访中提出的投诉转投诉工单")
def problem_ticket(request: HttpRequest, problem_id: int, payload: VisitTicketIn,
                   idempotency_key: str | None = Header(None, alias="Idempotency-Key",
                                                        description="重试同一提交时使用相同的键，不会重复建单")) -> Any:
    def produce() -> Any:
        try:
            problem = access.get_problem(request.user, problem_id)
        except access.VisitNotFound:
            raise ApiError(404, "not_found", "走访问题不存在") from None
        ticket = actions.raise_ticket_from_problem(problem=problem, acting_user=access.acting_user(request),
                                                   now=clock.now(),
                                                   agreed_feedback_at=payload.agreed_feedback_at,
                                                   complainant_surname=payload.complainant_surname,
                                                   phone=payload.phone)
        return {"ticket_id": ticket.pk, "number": ticket.number}

    return Status(201, produce())  # once per Idempotency-Key: apps.api.idempotency


# ---------------------------------------------------------------- the visit programme (M9)


def _project(request: HttpRequest, project_id: int) -> Project:
    project = Project.objects.filter(pk=project_id, pk__in=visible_projects(request.user)).first()
    if project is None or not access.can_read_archive(request.user, project):
        raise ApiError(404, "not_found", "项目不存在", {"project": ["项目不存在"]})
    return project


class DueOut(Schema):
    household_id: int
    household: str
    building: str
    elderly_alone: bool
    last_periodic_visit: dt.date | None
    last_visit: dt.date | None
    due_on: dt.date
    due_reason: str
    overdue: bool


class CoverageRow(Schema):
    key: int | None
    label: str
    total: int
    visited: int
    rate: float


class CoverageOut(Schema):
    project_id: int
    period_start: dt.date
    period_end: dt.date
    by_building: list[CoverageRow]
    by_butler: list[CoverageRow]


class ProgrammeSettingsIO(Schema):
    cycle_mode: Literal["calendar_quarter", "every_n_months"] = "calendar_quarter"
    cycle_months: int = 3
    new_owner_days: int = 3
    elderly_interval_days: int = 30
    warn_days: int = 7
    starts_on: dt.date | None = None


@router.get("/programme/due", response={200: list[DueOut], **ERRORS},
            summary="每户下次走访到期日与逾期名单（定期周期、新业主首次走访、空巢老人）")
def programme_due(request: HttpRequest, project: int, overdue: bool = False, building: int | None = None,
                  offset: int = Query(0, ge=0, le=2**31 - 1), limit: int = Query(100, ge=1, le=1000),
                  elderly: bool = False) -> Any:
    """``elderly=true``: the visit schedule of the elderly living alone only (空巢老人, R-M7-08, R-M9-18)."""
    proj = _project(request, project)
    prog = programme.settings_for(proj)
    qs = programme.households_due(proj, clock.today(proj.tz), prog).select_related("building")
    if overdue:
        qs = qs.filter(overdue=True)
    if elderly:
        qs = qs.filter(elderly_alone=True)
    if building is not None:
        qs = qs.filter(building_id=building)
    out = []
    for hh in qs.order_by("label")[offset:offset + limit]:
        due, why = programme.due_date(hh, prog)
        out.append({"household_id": hh.pk, "household": hh.label, "building": hh.building.name,
                    "elderly_alone": hh.elderly_alone, "last_periodic_visit": hh.last_periodic,
                    "last_visit": hh.last_any, "due_on": due, "due_reason": why, "overdue": hh.overdue})
    return out


@router.get("/programme/coverage", response={200: CoverageOut, **ERRORS}, summary="走访覆盖率：按楼栋、按管家")
def programme_coverage(request: HttpRequest, project: int) -> Any:
    proj = _project(request, project)
    prog = programme.settings_for(proj)
    start, end = programme.coverage_period(clock.today(proj.tz), prog)
    return {"project_id": proj.pk, "period_start": start, "period_end": end,
            "by_building": programme.coverage(proj, start, end, by="building"),
            "by_butler": programme.coverage(proj, start, end, by="butler")}


@router.get("/programme/settings", response={200: ProgrammeSettingsIO, **ERRORS}, summary="走访周期设置")
def programme_settings_get(request: HttpRequest, project: int) -> Any:
    return programme.settings_for(_project(request, project)).__dict__


@router.put("/programme/settings", response={200: ProgrammeSettingsIO, **ERRORS},
            summary="修改走访周期设置（管理处经理）")
def programme_settings_put(request: HttpRequest, project: int, payload: ProgrammeSettingsIO) -> Any:
    proj = _project(request, project)
    actions.save_programme_settings(project=proj, acting_user=access.acting_user(request), now=clock.now(),
                                    **payload.dict())
    return programme.settings_for(proj).__dict__


class WelcomeOut(Schema):
    sent: int


@router.post("/programme/welcome/{int:household_id}", response={200: WelcomeOut, **ERRORS},
             summary="入伙后欢迎短信（告知管家电话）")
def programme_welcome(request: HttpRequest, household_id: int) -> Any:
    hh = Household.objects.filter(pk=household_id, project__in=visible_projects(request.user)).select_related(
        "project", "building__steward").first()
    if hh is None:
        raise ApiError(404, "not_found", "房屋不存在")
    return {"sent": actions.welcome_new_owner(household=hh, acting_user=access.acting_user(request),
                                              now=clock.now())}


class VisitPlanIn(Schema):
    project_id: int
    month: dt.date
    requirements: str
    household_ids: list[int] = []
    visitor_id: int | None = None


class PlanChangeIn(Schema):
    add_household_ids: list[int] = []
    remove_household_ids: list[int] = []
    visitor_id: int | None = None
    requirements: str = ""
    reason: str = ""


class PlanDecisionIn(Schema):
    approve: bool
    note: str = ""


class PlanItemOut(Schema):
    household_id: int
    household: str
    visitor: str | None


class VisitPlanOut(Schema):
    id: int
    project_id: int
    month: dt.date
    requirements: str
    status: str
    status_label: str
    version: int
    changed_after_approval: bool
    approved_by: str | None
    approved_at: dt.datetime | None
    items: list[PlanItemOut]
    compliance: list[dict[str, Any]]


def _plan_out(plan: VisitPlan) -> dict[str, Any]:
    items = plan.items.select_related("household", "visitor")
    return {"id": plan.pk, "project_id": plan.project_id, "month": plan.month, "requirements": plan.requirements,
            "status": plan.status, "status_label": plan.get_status_display(), "version": plan.version,
            "changed_after_approval": plan.changed_after_approval,
            "approved_by": str(plan.approved_by) if plan.approved_by_id else None, "approved_at": plan.approved_at,
            "items": [{"household_id": i.household_id, "household": i.household.label,
                       "visitor": str(i.visitor) if i.visitor else None} for i in items],
            "compliance": programme.plan_compliance(plan.project, plan.month)}


def _plan(request: HttpRequest, plan_id: int) -> VisitPlan:
    plan = (VisitPlan.objects.filter(pk=plan_id, project__in=visible_projects(request.user))
            .select_related("project", "approved_by").first())
    if plan is None or not access.can_read_archive(request.user, plan.project):
        raise ApiError(404, "not_found", "走访计划不存在")
    return plan


def _visitor(project: Project, visitor_id: int | None) -> User | None:
    return _get(User, visitor_id, "visitor_id", "走访人", "走访人须为本项目客服人员", memberships__project=project)


@router.get("/programme/plans", response={200: list[VisitPlanOut], **ERRORS}, summary="月度走访计划")
def plan_list(request: HttpRequest, project: int) -> Any:
    proj = _project(request, project)
    return [_plan_out(p) for p in VisitPlan.objects.filter(project=proj).select_related("project", "approved_by")[:24]]


@router.post("/programme/plans", response={201: VisitPlanOut, **ERRORS}, summary="编制月度走访计划（客服部主管）")
def plan_create(request: HttpRequest, payload: VisitPlanIn) -> Any:
    proj = _project(request, payload.project_id)
    plan = actions.draw_up_plan(project=proj, month=payload.month, requirements=payload.requirements,
                                household_ids=payload.household_ids, visitor=_visitor(proj, payload.visitor_id),
                                acting_user=access.acting_user(request), now=clock.now())
    return Status(201, _plan_out(_plan(request, plan.pk)))


@router.get("/programme/plans/{plan_id}", response={200: VisitPlanOut, **ERRORS}, summary="走访计划")
def plan_detail(request: HttpRequest, plan_id: int) -> Any:
    return _plan_out(_plan(request, plan_id))


@router.post("/programme/plans/{plan_id}/change", response={200: VisitPlanOut, **ERRORS},
             summary="修改走访计划；已批准的计划须写原因并重新审批")
def plan_change(request: HttpRequest, plan_id: int, payload: PlanChangeIn) -> Any:
    plan = _plan(request, plan_id)
    actions.change_plan(plan=plan, add_household_ids=payload.add_household_ids,
                        remove_household_ids=payload.remove_household_ids,
                        visitor=_visitor(plan.project, payload.visitor_id), requirements=payload.requirements,
                        reason=payload.reason, acting_user=access.acting_user(request), now=clock.now())
    return _plan_out(_plan(request, plan_id))


@router.post("/programme/plans/{plan_id}/submit", response={200: VisitPlanOut, **ERRORS}, summary="报物业总经理审批")
def plan_submit(request: HttpRequest, plan_id: int) -> Any:
    actions.submit_plan(plan=_plan(request, plan_id), acting_user=access.acting_user(request), now=clock.now())
    return _plan_out(_plan(request, plan_id))


@router.post("/programme/plans/{plan_id}/decide", response={200: VisitPlanOut, **ERRORS}, summary="物业总经理审批：批准或退回")
def plan_decide(request: HttpRequest, plan_id: int, payload: PlanDecisionIn) -> Any:
    actions.decide_plan(plan=_plan(request, plan_id), approve=payload.approve, note=payload.note,
                        acting_user=access.acting_user(request), now=clock.now())
    return _plan_out(_plan(request, plan_id))


class SummaryIn(Schema):
    project_id: int
    month: dt.date
    summary: str


class SummaryOut(Schema):
    id: int
    month: dt.date
    summary: str
    visit_count: int
    problem_count: int
    supervisor_signed_at: dt.datetime | None
    manager_signed_at: dt.datetime | None
    gm_signed_at: dt.datetime | None


@router.post("/programme/summaries", response={201: SummaryOut, **ERRORS}, summary="客服专员提交走访汇总（三级签字）")
def summary_create(request: HttpRequest, payload: SummaryIn) -> Any:
    proj = _project(request, payload.project_id)
    row = actions.prepare_round_summary(project=proj, month=payload.month, summary=payload.summary,
                                        acting_user=access.acting_user(request), now=clock.now())
    return Status(201, row)


@router.post("/programme/summaries/{summary_id}/sign/{stage}", response={200: SummaryOut, **ERRORS},
             summary="走访汇总签字：supervisor（客服部主管）→ manager（经理）→ gm（物业总经理）")
def summary_sign(request: HttpRequest, summary_id: int, stage: Literal["supervisor", "manager", "gm"]) -> Any:
    row = VisitRoundSummary.objects.filter(pk=summary_id, project__in=visible_projects(request.user)).first()
    if row is None:
        raise ApiError(404, "not_found", "走访汇总不存在")
    return actions.sign_round_summary(summary=row, stage=stage, acting_user=access.acting_user(request),
                                      now=clock.now())


class FollowUpIn(Schema):
    text: str
    satisfied: bool | None = None
    method: str = "phone"  # a return visit (回访整改结果): phone or face_to_face
    emergency_reason: str = ""  # R-M17-01: required for a phone return visit inside the quiet hours


class FollowUpOut(Schema):
    id: int
    kind: str
    text: str
    satisfied: bool | None
    at: dt.datetime


def _problem(request: HttpRequest, problem_id: int) -> Any:
    try:
        return access.get_problem(request.user, problem_id)
    except access.VisitNotFound:
        raise ApiError(404, "not_found", "走访问题不存在") from None


@router.post("/problems/{problem_id}/progress", response={201: FollowUpOut, **ERRORS},
             summary="责任部门反馈整改措施与进展")
def problem_progress(request: HttpRequest, problem_id: int, payload: FollowUpIn) -> Any:
    row = actions.report_problem_progress(problem=_problem(request, problem_id), text=payload.text,
                                          acting_user=access.acting_user(request), now=clock.now())
    return Status(201, row)


@router.post("/problems/{problem_id}/return-visit", response={201: FollowUpOut, **ERRORS},
             summary="回访整改结果：满意则办结，不满意则继续整改")
def problem_return_visit(request: HttpRequest, problem_id: int, payload: FollowUpIn) -> Any:
    if payload.satisfied is None:
        raise ApiError(422, "invalid", "请填写业主是否满意", {"satisfied": ["请填写业主是否满意"]})
    row = actions.return_visit_problem(problem=_problem(request, problem_id), satisfied=payload.satisfied,
                                       text=payload.text, method=payload.method,
                                       emergency_reason=payload.emergency_reason,
                                       acting_user=access.acting_user(request), now=clock.now())
    return Status(201, row)


# ---------------------------------------------------------------- early occupancy (R-M9-16, R-M9-17)


class EarlyCareIn(Schema):
    project_id: int
    kind: Literal["interview", "alarm", "gate_cards", "onsite_desk"]
    held_at: PastMoment
    note: str
    household_id: int | None = None
    place: str = ""
    served: int | None = None
    feedback: str = ""


class EarlyCareOut(Schema):
    id: int
    project_id: int
    kind: str
    kind_label: str
    household_id: int | None
    household: str | None
    held_at: dt.datetime
    place: str
    served: int | None
    note: str
    feedback: str
    follow_up: str
    followed_up_at: dt.datetime | None
    awaiting_follow_up: bool


class EarlyCareFollowUpIn(Schema):
    text: str


def _care_out(c: Any) -> dict[str, Any]:
    return {"id": c.pk, "project_id": c.project_id, "kind": c.kind, "kind_label": c.get_kind_display(),
            "household_id": c.household_id, "household": c.household.label if c.household else None,
            "held_at": c.held_at, "place": c.place, "served": c.served, "note": c.note, "feedback": c.feedback,
            "follow_up": c.follow_up, "followed_up_at": c.followed_up_at, "awaiting_follow_up": c.awaiting_follow_up}


@router.get("/programme/early-care", response={200: list[EarlyCareOut], **ERRORS},
            summary="磨合期业户关怀记录（访谈、开通报警系统、门岗派卡、现场办公）")
def early_care_list(request: HttpRequest, project: int, awaiting: bool = False,
                    offset: int = Query(0, ge=0, le=2**31 - 1), limit: int = Query(100, ge=1, le=500)) -> Any:
    proj = _project(request, project)
    return [_care_out(c) for c in programme.early_care_rows(proj, awaiting=awaiting)[offset:offset + limit]]


@router.post("/programme/early-care", response={201: EarlyCareOut, **ERRORS}, summary="记录磨合期业户关怀（客服人员）")
def early_care_create(request: HttpRequest, payload: EarlyCareIn) -> Any:
    proj = _project(request, payload.project_id)
    care = actions.record_early_care(
        project=proj, kind=payload.kind, held_at=payload.held_at, note=payload.note,
        household=_get(Household, payload.household_id, "household_id", "房屋", "房屋不属于该项目", project=proj),
        place=payload.place, served=payload.served, feedback=payload.feedback,
        acting_user=access.acting_user(request), now=clock.now())
    return Status(201, _care_out(care))


@router.post("/programme/early-care/{care_id}/follow-up", response={200: EarlyCareOut, **ERRORS},
             summary="跟进磨合期访谈的业户反馈")
def early_care_follow_up(request: HttpRequest, care_id: int, payload: EarlyCareFollowUpIn) -> Any:
    from_db = EarlyCare.objects.filter(pk=care_id, project__in=visible_projects(request.user)).select_related(
        "project", "household").first()
    if from_db is None or not access.can_read_archive(request.user, from_db.project):
        raise ApiError(404, "not_found", "记录不存在")
    care = actions.follow_up_early_care(care=from_db, text=payload.text, acting_user=access.acting_user(request),
                                        now=clock.now())
    return _care_out(care)


class NotMovedInHouseholdOut(Schema):
    household_id: int
    household: str
    building: str
    reason: str
    last_call_at: dt.datetime | None
    calls: int


class NotMovedInCallIn(Schema):
    household_id: int
    called_at: PastMoment
    reached: bool = True
    reason: str = ""
    note: str = ""
    person_id: int | None = None
    emergency_reason: str = ""  # R-M17-01: required for a call inside the quiet hours


class NotMovedInCallOut(Schema):
    id: int
    household_id: int
    household: str
    called_at: dt.datetime
    reached: bool
    reason: str
    note: str
    household_reason: str


@router.get("/programme/not-moved-in", response={200: list[NotMovedInHouseholdOut], **ERRORS},
            summary="入住动态表：未入住房屋、未入住原因与最近通话")
def not_moved_in_list(request: HttpRequest, project: int, offset: int = Query(0, ge=0, le=2**31 - 1),
                      limit: int = Query(100, ge=1, le=1000)) -> Any:
    proj = _project(request, project)
    return [{"household_id": h.pk, "household": h.label, "building": h.building.name, "reason": h.not_moved_in_reason,
             "last_call_at": h.last_call_at, "calls": h.calls}
            for h in programme.not_moved_in(proj)[offset:offset + limit]]


@router.post("/programme/not-moved-in/calls", response={201: NotMovedInCallOut, **ERRORS},
             summary="记录致电未入住业主及未入住原因（客服专员）")
def not_moved_in_call(request: HttpRequest, payload: NotMovedInCallIn) -> Any:
    hh = Household.objects.filter(pk=payload.household_id, project__in=visible_projects(request.user)).select_related(
        "project").first()
    if hh is None:
        raise ApiError(404, "not_found", "房屋不存在", {"household_id": ["房屋不存在"]})
    call = actions.record_not_moved_in_call(
        household=hh, called_at=payload.called_at, reached=payload.reached, reason=payload.reason, note=payload.note,
        emergency_reason=payload.emergency_reason,
        person=_get(Person, payload.person_id, "person_id", "业主", "业主不属于该房屋", household=hh),
        acting_user=access.acting_user(request), now=clock.now())
    hh.refresh_from_db(fields=["not_moved_in_reason"])
    return Status(201, {"id": call.pk, "household_id": hh.pk, "household": hh.label, "called_at": call.called_at,
                        "reached": call.reached, "reason": call.reason, "note": call.note,
                        "household_reason": hh.not_moved_in_reason})


# ---------------------------------------------------------------- the annual plan (R-M9-13)


class AnnualVisitTargetIO(Schema):
    measure: str
    quarter: int = 0
    value: int


class AnnualVisitPlanIn(Schema):
    project_id: int
    year: int
    duties: str
    targets: list[AnnualVisitTargetIO]


class AnnualVisitPlanChangeIn(Schema):
    duties: str = ""
    targets: list[AnnualVisitTargetIO] | None = None
    reason: str = ""


class AnnualVisitReviewIn(Schema):
    review: str


class AnnualVisitPlanOut(Schema):
    id: int
    project_id: int
    year: int
    duties: str
    status: str
    status_label: str
    version: int
    changed_after_approval: bool
    change_reason: str
    drawn_by: str
    approved_by: str | None
    approved_at: dt.datetime | None
    targets: list[AnnualVisitTargetIO]
    review: str
    reviewed_at: dt.datetime | None
    progress: list[dict[str, Any]]


def _annual_out(plan: AnnualVisitPlan, *, with_progress: bool = True) -> dict[str, Any]:
    targets = list(plan.targets.all())
    progress: list[dict[str, Any]] = []
    if with_progress:
        progress = (plan.review_figures if plan.reviewed_at is not None
                    else annual.progress(plan, clock.today(plan.project.tz), targets=targets))
    return {"id": plan.pk, "project_id": plan.project_id, "year": plan.year, "duties": plan.duties,
            "status": plan.status, "status_label": plan.get_status_display(), "version": plan.version,
            "changed_after_approval": plan.changed_after_approval, "change_reason": plan.change_reason,
            "drawn_by": str(plan.drawn_by), "approved_by": str(plan.approved_by) if plan.approved_by_id else None,
            "approved_at": plan.approved_at,
            "targets": [{"measure": t.measure, "quarter": t.quarter, "value": t.value} for t in targets],
            "review": plan.review, "reviewed_at": plan.reviewed_at, "progress": progress}


def _annual(request: HttpRequest, plan_id: int) -> AnnualVisitPlan:
    plan = (AnnualVisitPlan.objects.filter(pk=plan_id, project__in=visible_projects(request.user))
            .select_related("project", "drawn_by", "approved_by").prefetch_related("targets").first())
    if plan is None or not access.can_read_annual(request.user, plan.project):
        raise ApiError(404, "not_found", "年度回访工作计划不存在")
    return plan


def _annual_project(request: HttpRequest, project_id: int) -> Project:
    project = Project.objects.filter(pk=project_id, pk__in=visible_projects(request.user)).first()
    if project is None or not access.can_read_annual(request.user, project):
        raise ApiError(404, "not_found", "项目不存在", {"project": ["项目不存在"]})
    return project


@router.get("/annual/plans", response={200: list[AnnualVisitPlanOut], **ERRORS},
            summary="年度回访工作计划（不含完成情况，详情见单个计划）")
def annual_list(request: HttpRequest, project: int) -> Any:
    proj = _annual_project(request, project)
    return [_annual_out(p, with_progress=False) for p in annual.plans_for([proj])[:20]]


@router.post("/annual/plans", response={201: AnnualVisitPlanOut, **ERRORS},
             summary="编制年度回访工作计划（办公室主任/管理处经理）")
def annual_create(request: HttpRequest, payload: AnnualVisitPlanIn) -> Any:
    proj = _annual_project(request, payload.project_id)
    plan = actions.draw_up_annual_plan(project=proj, year=payload.year, duties=payload.duties,
                                       targets=[t.dict() for t in payload.targets],
                                       acting_user=access.acting_user(request), now=clock.now())
    return Status(201, _annual_out(_annual(request, plan.pk)))


@router.get("/annual/plans/{plan_id}", response={200: AnnualVisitPlanOut, **ERRORS},
            summary="年度回访工作计划：目标与实际回访（年终总结后为总结时的数字）")
def annual_detail(request: HttpRequest, plan_id: int) -> Any:
    return _annual_out(_annual(request, plan_id))


@router.post("/annual/plans/{plan_id}/change", response={200: AnnualVisitPlanOut, **ERRORS},
             summary="修改年度回访工作计划；已批准的计划须写原因并重新审批")
def annual_change(request: HttpRequest, plan_id: int, payload: AnnualVisitPlanChangeIn) -> Any:
    actions.change_annual_plan(plan=_annual(request, plan_id), duties=payload.duties,
                               targets=None if payload.targets is None else [t.dict() for t in payload.targets],
                               reason=payload.reason, acting_user=access.acting_user(request), now=clock.now())
    return _annual_out(_annual(request, plan_id))


@router.post("/annual/plans/{plan_id}/submit", response={200: AnnualVisitPlanOut, **ERRORS},
             summary="年度计划报物业总经理审批")
def annual_submit(request: HttpRequest, plan_id: int) -> Any:
    actions.submit_annual_plan(plan=_annual(request, plan_id), acting_user=access.acting_user(request),
                               now=clock.now())
    return _annual_out(_annual(request, plan_id))


@router.post("/annual/plans/{plan_id}/decide", response={200: AnnualVisitPlanOut, **ERRORS},
             summary="物业总经理审批年度计划：批准或退回")
def annual_decide(request: HttpRequest, plan_id: int, payload: PlanDecisionIn) -> Any:
    actions.decide_annual_plan(plan=_annual(request, plan_id), approve=payload.approve, note=payload.note,
                               acting_user=access.acting_user(request), now=clock.now())
    return _annual_out(_annual(request, plan_id))


@router.post("/annual/plans/{plan_id}/review", response={200: AnnualVisitPlanOut, **ERRORS},
             summary="年终回访工作总结（12月起）")
def annual_review(request: HttpRequest, plan_id: int, payload: AnnualVisitReviewIn) -> Any:
    actions.review_annual_plan(plan=_annual(request, plan_id), review=payload.review,
                               acting_user=access.acting_user(request), now=clock.now())
    return _annual_out(_annual(request, plan_id))
