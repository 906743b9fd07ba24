"""REST endpoints of the activities app (mounted at /api/v1/activities). Thin: writes through actions,
the same refusals as the pages (AS-31: a notice before approval → 409; a budget above the approver's
limit → 403)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Router, Schema, Status

from apps.activities import actions
from apps.activities.models import Activity, ActivityPlan
from apps.core.api_errors import ERRORS, ApiError
from apps.org.access import has_cap, visible_projects
from apps.org.models import Project, User
from apps.org.roles import Cap
from linli import clock

router = Router(tags=["activities"])


def _user(request: HttpRequest) -> User:
    if not isinstance(request.user, User):
        raise ApiError(401, "unauthenticated", "未登录或令牌无效")
    return request.user


def _readable(request: HttpRequest, project: Project) -> bool:
    return any(has_cap(request.user, c, project) for c in (Cap.PLAN_ACTIVITIES, Cap.APPROVE_ACTIVITIES,
                                                             Cap.VIEW_REPORTS))


def _project(request: HttpRequest, project_id: int) -> Project:
    p = Project.objects.filter(pk=project_id, pk__in=visible_projects(request.user)).first()
    if p is None or not _readable(request, p):
        raise ApiError(404, "not_found", "项目不存在", {"project_id": ["项目不存在"]})
    return p


def _activity(request: HttpRequest, pk: int) -> Activity:
    a = Activity.objects.filter(pk=pk, project__in=visible_projects(request.user)).select_related("project").first()
    if a is None or not _readable(request, a.project):
        raise ApiError(404, "not_found", "活动不存在")
    return a


class ActivityPlanIn(Schema):
    project_id: int
    period: Literal["annual", "quarterly"]
    year: int
    quarter: int | None = None
    title: str


class ActivityPlanOut(Schema):
    id: int
    project_id: int
    period: str
    year: int
    quarter: int | None
    title: str


class ActivityIn(Schema):
    title: str
    kind: str = "culture"
    held_on: dt.date
    place: str = ""
    implementation_plan: str
    budget: Decimal = Decimal(0)


class ActivityOut(Schema):
    id: int
    plan_id: int
    project_id: int
    title: str
    kind: str
    held_on: dt.date
    budget: Decimal
    status: str
    plan_approved_at: dt.datetime | None
    cost_approved_at: dt.datetime | None
    notice_published_at: dt.datetime | None
    notice_days_ahead: int | None
    notice_late: bool
    participants: int | None
    feedback: str
    invited_not_moved_in: int


@router.post("/plans", response={201: ActivityPlanOut, **ERRORS}, summary="编制年度/季度社区活动计划")
def plan_create(request: HttpRequest, payload: ActivityPlanIn) -> Any:
    p = _project(request, payload.project_id)
    return Status(201, actions.draw_up_plan(project=p, period=payload.period, year=payload.year,
                                            quarter=payload.quarter, title=payload.title, acting_user=_user(request),
                                            now=clock.now()))


@router.get("/plans", response={200: list[ActivityPlanOut], **ERRORS}, summary="社区活动计划")
def plan_list(request: HttpRequest, project: int) -> Any:
    return list(ActivityPlan.objects.filter(project=_project(request, project))[:50])


@router.post("/plans/{int:plan_id}/activities", response={201: ActivityOut, **ERRORS}, summary="计划中增加活动（含实施方案）")
def activity_create(request: HttpRequest, plan_id: int, payload: ActivityIn) -> Any:
    plan = ActivityPlan.objects.filter(pk=plan_id, project__in=visible_projects(request.user)).select_related(
        "project").first()
    if plan is None or not _readable(request, plan.project):
        raise ApiError(404, "not_found", "活动计划不存在")
    return Status(201, actions.add_activity(plan=plan, acting_user=_user(request), now=clock.now(), **payload.dict()))


@router.get("/", response={200: list[ActivityOut], **ERRORS}, summary="社区活动")
def activity_list(request: HttpRequest, project: int) -> Any:
    return list(Activity.objects.filter(project=_project(request, project))[:200])


@router.get("/{int:activity_id}", response={200: ActivityOut, **ERRORS}, summary="社区活动")
def activity_detail(request: HttpRequest, activity_id: int) -> Any:
    return _activity(request, activity_id)


@router.post("/{int:activity_id}/approve-plan", response={200: ActivityOut, **ERRORS}, summary="批准实施方案")
def approve_plan(request: HttpRequest, activity_id: int) -> Any:
    return actions.approve_implementation(activity=_activity(request, activity_id), acting_user=_user(request),
                                          now=clock.now())


@router.post("/{int:activity_id}/approve-cost", response={200: ActivityOut, **ERRORS},
             summary="费用审批（超出审批人权限则拒绝）")
def approve_cost(request: HttpRequest, activity_id: int) -> Any:
    return actions.approve_cost(activity=_activity(request, activity_id), acting_user=_user(request), now=clock.now())


class ActivityNoticeIn(Schema):
    text: str
    post_to_board: bool = False


@router.post("/{int:activity_id}/notice", response={200: ActivityOut, **ERRORS},
             summary="发布活动通知：方案批准前拒绝；不足3天发布记为不合格")
def notice(request: HttpRequest, activity_id: int, payload: ActivityNoticeIn) -> Any:
    return actions.publish_activity_notice(activity=_activity(request, activity_id), text=payload.text,
                                           post_to_board=payload.post_to_board, acting_user=_user(request),
                                           now=clock.now())


class ActivityTextIn(Schema):
    text: str


@router.post("/{int:activity_id}/invite-not-moved-in", response={200: ActivityOut, **ERRORS},
             summary="短信邀请未入住业主")
def invite(request: HttpRequest, activity_id: int, payload: ActivityTextIn) -> Any:
    a = _activity(request, activity_id)
    actions.invite_not_moved_in(activity=a, text=payload.text, acting_user=_user(request), now=clock.now())
    return _activity(request, activity_id)


class RecordIn(Schema):
    summary: str
    participants: int
    participant_notes: str = ""
    feedback: str = ""


@router.post("/{int:activity_id}/record", response={200: ActivityOut, **ERRORS},
             summary="活动记录（参加人数、业主反馈；照片在页面上传）")
def record(request: HttpRequest, activity_id: int, payload: RecordIn) -> Any:
    return actions.record_activity(activity=_activity(request, activity_id), acting_user=_user(request),
                                   now=clock.now(), **payload.dict())


class GreetingIn(Schema):
    project_id: int
    kind: Literal["festival", "weather"]
    text: str


class GreetingOut(Schema):
    id: int
    recipients: int
    no_phone: int


@router.post("/greetings", response={201: GreetingOut, **ERRORS}, summary="节日问候/温馨提示短信（免打扰时段顺延）")
def greeting(request: HttpRequest, payload: GreetingIn) -> Any:
    p = _project(request, payload.project_id)
    return Status(201, actions.send_greeting(project=p, kind=payload.kind, text=payload.text,
                                             acting_user=_user(request), now=clock.now()))


class BoardIn(Schema):
    project_id: int
    kind: Literal["estate_plan_change", "management_team", "adopted_suggestion", "rules_promotion", "activity_photos"]
    title: str
    body: str


class BoardOut(Schema):
    id: int
    title: str


@router.post("/board-items", response={201: BoardOut, **ERRORS}, summary="张贴到业主公告栏")
def board_item(request: HttpRequest, payload: BoardIn) -> Any:
    p = _project(request, payload.project_id)
    return Status(201, actions.post_board_item(project=p, kind=payload.kind, title=payload.title, body=payload.body,
                                               acting_user=_user(request), now=clock.now()))
