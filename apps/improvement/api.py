"""REST endpoints of the improvement plans (满意度提升计划, SPEC M15), mounted at /api/v1/improvement.
Thin: who may see and change from :mod:`.access`, reads from :mod:`.queries`, every write through
:mod:`.actions` (the same as the pages at /improvement/). Refusals answer ``{"error": {code, message,
fields}}``:

- 403 ``forbidden`` — the role may not read or change plans (only 品质部, 客服经理, 管理处经理 and
  物业总经理 change them);
- 404 ``not_found`` — the plan or row is missing or of another company;
- 409 ``duplicate`` — the year already has a plan for that line;
- 422 ``invalid`` — the input is wrong (an unknown survey item code, a row done without evidence …).
"""
import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from apps.core.api_errors import ERRORS, ApiError
from apps.core.api_pagination import LinliPagination
from apps.core.validation import SaneDate
from apps.improvement import access, actions, queries
from apps.improvement.models import ImprovementPlan, PlanAction
from apps.org.access import company_of, visible_projects
from apps.org.models import Company, User
from apps.tickets.models import Category
from apps.visits.models import VisitProblem
from linli import clock

router = Router(tags=["improvement"])

PlanKindName = Literal["line", "lifecycle"]
PlanLineName = Literal["", "security", "engineering", "cleaning", "cs"]
StageName = Literal["", "new_owner", "running_in", "not_moved_in", "legacy"]
StatusName = Literal["planned", "in_progress", "done", "dropped"]


class ImprovementPlanOut(Schema):
    id: int
    year: int
    kind: str
    kind_label: str
    line: str
    line_label: str
    title: str
    source_survey_id: int | None
    actions: int
    done: int
    flagged: int

    @staticmethod
    def resolve_kind_label(obj: ImprovementPlan) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_line_label(obj: ImprovementPlan) -> str:
        return str(obj.get_line_display()) if obj.line else ""

    @staticmethod
    def resolve_actions(obj: Any) -> int:
        return int(getattr(obj, "n_actions", 0))

    @staticmethod
    def resolve_done(obj: Any) -> int:
        return int(getattr(obj, "n_done", 0))

    @staticmethod
    def resolve_flagged(obj: Any) -> int:
        return int(getattr(obj, "n_flagged", 0))


class ImprovementPlanIn(Schema):
    year: int = Field(..., ge=2000, le=2100)
    kind: PlanKindName
    line: PlanLineName = ""
    title: str = Field("", max_length=100)


class ImprovementActionOut(Schema):
    id: int
    number: int
    item: str
    causes: str
    summary: str
    support: str
    stage: str
    strategy: str
    action_strategy: str
    department: str
    due_on: dt.date | None
    responsible: str
    status: str
    status_label: str
    progress: str
    evidence: str
    survey_items: list[str]
    complaint_category_ids: list[int]
    visit_problem_ids: list[int]
    missing_due: bool
    missing_responsible: bool


class ImprovementMeetingOut(Schema):
    id: int
    held_on: dt.date
    minutes: str
    numbers: list[int]
    recorded_by: str


class ImprovementEffectOut(Schema):
    code: str
    previous: Decimal | None
    latest: Decimal | None
    change: Decimal | None


class ImprovementPlanDetailOut(Schema):
    plan: ImprovementPlanOut
    rows: list[ImprovementActionOut]
    meetings: list[ImprovementMeetingOut]
    compared_campaigns: list[str]
    effects: list[ImprovementEffectOut]


class ImprovementActionIn(Schema):
    item: str = Field(..., max_length=300)
    summary: str = Field(..., max_length=5000)
    causes: str = Field("", max_length=5000)
    support: str = Field("", max_length=200)
    stage: StageName = ""
    strategy: str = Field("", max_length=200)
    action_strategy: str = Field("", max_length=200)
    department: str = Field("", max_length=100)
    due_on: SaneDate | None = None
    responsible: str = Field("", max_length=50)
    survey_items: list[str] = Field([], max_length=50)
    complaint_category_ids: list[int] = Field([], max_length=50)
    visit_problem_ids: list[int] = Field([], max_length=50)


class ImprovementProgressIn(Schema):
    status: StatusName
    progress: str = Field("", max_length=2000)
    evidence: str = Field("", max_length=2000)
    due_on: SaneDate | None = None
    responsible: str | None = Field(None, max_length=50)


class ImprovementMeetingIn(Schema):
    held_on: SaneDate
    minutes: str = Field(..., max_length=10000)
    numbers: list[int] = Field([], max_length=200)


def _user(request: HttpRequest) -> User:
    if not isinstance(request.user, User):
        raise ApiError(403, "forbidden", "没有权限执行此操作")
    return request.user


def _companies(request: HttpRequest) -> list[int]:
    return sorted({p.company_id for p in visible_projects(request.user)})


def _viewer(request: HttpRequest) -> None:
    if not access.can_view(request.user):
        raise ApiError(403, "forbidden", "没有查看满意度提升计划的权限")


def _plan(request: HttpRequest, plan_id: int) -> ImprovementPlan:
    _viewer(request)
    plan = queries.plans(_companies(request)).filter(pk=plan_id).first()
    if plan is None:
        raise ApiError(404, "not_found", "提升计划不存在")
    return plan


def _row(a: PlanAction) -> dict[str, Any]:
    return {"id": a.pk, "number": a.number, "item": a.item, "causes": a.causes, "summary": a.summary,
            "support": a.support, "stage": a.stage, "strategy": a.strategy, "action_strategy": a.action_strategy,
            "department": a.department, "due_on": a.due_on, "responsible": a.responsible, "status": a.status,
            "status_label": str(a.get_status_display()), "progress": a.progress, "evidence": a.evidence,
            "survey_items": list(a.survey_items),
            "complaint_category_ids": [c.pk for c in a.complaint_categories.all()],
            "visit_problem_ids": [p.pk for p in a.visit_problems.all()],
            "missing_due": a.due_on is None, "missing_responsible": not (a.responsible.strip() or a.owner_id)}


def _detail(plan: ImprovementPlan) -> dict[str, Any]:
    rows = queries.rows(plan)
    compared, effects = queries.effects(plan, rows)
    meetings = plan.meetings.prefetch_related("actions").select_related("recorded_by")
    return {"plan": plan, "rows": [_row(a) for a in rows],
            "meetings": [{"id": m.pk, "held_on": m.held_on, "minutes": m.minutes,
                          "numbers": sorted(a.number for a in m.actions.all()), "recorded_by": str(m.recorded_by)}
                         for m in meetings],
            "compared_campaigns": [c.title for c in compared],
            "effects": [{"code": e.code, "previous": e.previous, "latest": e.latest, "change": e.change}
                        for e in effects.values()]}


@router.get("/plans", response={200: list[ImprovementPlanOut], **ERRORS},
            summary="满意度提升计划（条线计划、客户生命周期行动计划），含行数、已完成、缺完成时间或责任人的行数")
@paginate(LinliPagination)
def plan_list(request: HttpRequest, year: int | None = Query(None, ge=2000, le=2100),
              kind: PlanKindName | None = None) -> QuerySet[ImprovementPlan]:
    _viewer(request)
    qs = queries.plans(_companies(request))
    if year is not None:
        qs = qs.filter(year=year)
    if kind is not None:
        qs = qs.filter(kind=kind)
    return qs


@router.post("/plans", response={201: ImprovementPlanDetailOut, **ERRORS},
             summary="编制年度提升计划（每年每条线一份；客户生命周期计划一份）")
def plan_create(request: HttpRequest, payload: ImprovementPlanIn) -> Any:
    _viewer(request)
    company = Company.objects.filter(pk=company_of(request.user) or 0).first()
    if company is None:
        raise ApiError(403, "forbidden", "没有所属公司")
    plan = actions.create_plan(company=company, year=payload.year, kind=payload.kind, line=payload.line,
                               title=payload.title, acting_user=_user(request), now=clock.now())
    return Status(201, _detail(_plan(request, plan.pk)))


@router.get("/plans/{plan_id}", response={200: ImprovementPlanDetailOut, **ERRORS},
            summary="一份提升计划：各行（缺完成时间/责任人标记、关联调查项目与投诉类别）、会议纪要、关联项目在最近两次调查中的变化")
def plan_detail(request: HttpRequest, plan_id: int) -> Any:
    return _detail(_plan(request, plan_id))


@router.post("/plans/{plan_id}/actions", response={201: ImprovementActionOut, **ERRORS},
             summary="增加计划行（可关联调查项目代码、投诉类别、走访问题）")
def action_add(request: HttpRequest, plan_id: int, payload: ImprovementActionIn) -> Any:
    plan = _plan(request, plan_id)
    categories = list(Category.objects.filter(pk__in=payload.complaint_category_ids))
    if len(categories) != len(set(payload.complaint_category_ids)):
        raise ApiError(422, "invalid", "投诉类别不存在", {"complaint_category_ids": ["投诉类别不存在"]})
    problems = list(VisitProblem.objects.filter(pk__in=payload.visit_problem_ids,
                                                visit__project__in=visible_projects(request.user))
                    .select_related("visit__project"))
    if len(problems) != len(set(payload.visit_problem_ids)):
        raise ApiError(422, "invalid", "走访问题不存在", {"visit_problem_ids": ["走访问题不存在"]})
    row = actions.add_action(plan=plan, item=payload.item, summary=payload.summary, causes=payload.causes,
                             support=payload.support, due_on=payload.due_on, responsible=payload.responsible,
                             stage=payload.stage, strategy=payload.strategy, action_strategy=payload.action_strategy,
                             department=payload.department, survey_items=payload.survey_items,
                             complaint_categories=categories, visit_problems=problems,
                             acting_user=_user(request), now=clock.now())
    return Status(201, _row(row))


def _action(plan: ImprovementPlan, action_id: int) -> PlanAction:
    row = plan.actions.filter(pk=action_id).first()
    if row is None:
        raise ApiError(404, "not_found", "计划行不存在")
    return row


@router.post("/plans/{plan_id}/actions/{action_id}/progress", response={200: ImprovementActionOut, **ERRORS},
             summary="登记计划行进度（标为已完成须有完成证据）")
def action_progress(request: HttpRequest, plan_id: int, action_id: int, payload: ImprovementProgressIn) -> Any:
    plan = _plan(request, plan_id)
    row = actions.update_action(action=_action(plan, action_id), status=payload.status, progress=payload.progress,
                                evidence=payload.evidence, due_on=payload.due_on, responsible=payload.responsible,
                                acting_user=_user(request), now=clock.now())
    return _row(row)


@router.post("/plans/{plan_id}/meetings", response={201: ImprovementMeetingOut, **ERRORS},
             summary="提升会议纪要，关联讨论的计划行（按序号）")
def meeting_add(request: HttpRequest, plan_id: int, payload: ImprovementMeetingIn) -> Any:
    plan = _plan(request, plan_id)
    wanted = sorted(set(payload.numbers))
    rows = list(plan.actions.filter(number__in=wanted))
    missing = [n for n in wanted if n not in {r.number for r in rows}]
    if missing:
        message = "计划中没有这些序号：" + "、".join(str(n) for n in missing[:10])
        raise ApiError(422, "invalid", message, {"numbers": [message]})
    m = actions.record_meeting(plan=plan, held_on=payload.held_on, minutes=payload.minutes, actions=rows,
                               acting_user=_user(request), now=clock.now())
    return Status(201, {"id": m.pk, "held_on": m.held_on, "minutes": m.minutes,
                        "numbers": sorted(r.number for r in rows), "recorded_by": str(m.recorded_by)})
