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
from apps.visits import access, actions, queries
from apps.visits.models import Visit
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


@router.get("/", response={200: list[VisitOut], **ERRORS}, summary="走访档案（R-M6-06），筛选同页面")
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


@router.post("/", response={201: VisitOut, **ERRORS}, summary="记录走访（R-M9-03），归档于项目客服部（支持 Idempotency-Key）")
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
            opinions=payload.opinions, problems=problems, acting_user=access.acting_user(request), now=clock.now())
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
             summary="走访中提出的投诉转投诉工单（R-M9-11）")
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
