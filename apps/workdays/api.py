"""REST endpoints of the workdays app (mounted at /api/v1/calendar). Thin: each calls queries or actions.

- ``GET /projects/{id}/days?month=YYYY-MM`` — every day of a month: working or not, kind, name,
  and whether the month is provisional (P-25).
- ``POST /projects/{id}/deadlines`` — compute the limits of stages for a hypothetical ticket
  (the same engine intake uses; nothing is stored).

Errors: 401 not logged in; 404 project unknown or not visible; 422 bad month/kind/channel/urgency/
stage/start (``{"error": {"code", "message", "fields"}}``).
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema

from apps.core.api_errors import ERRORS, ApiError
from apps.core.validation import SaneMoment
from apps.org import access
from apps.org.models import Project
from apps.org.roles import Cap
from apps.workdays import policies as pol
from apps.workdays import queries
from apps.workdays.keys import Channel, Kind, Urgency

router = Router(tags=["workdays"])


class CalendarDayOut(Schema):
    date: dt.date
    working: bool
    kind: str
    name: str
    overridden: bool


class CalendarMonthOut(Schema):
    project_id: int
    month: str
    provisional: bool
    days: list[CalendarDayOut]


class CalendarMonthQuery(Schema):
    month: str


class CalendarDeadlineIn(Schema):
    kind: str
    channel: str = ""
    urgency: str = Urgency.NORMAL
    start: SaneMoment
    stages: list[str]
    category: str | None = None


class CalendarDeadlineOut(Schema):
    stage: str
    due_at: dt.datetime | None
    provisional: bool
    rule: str
    policy_id: int | None
    limit: str


def _project(request: HttpRequest, project_id: int) -> Project:
    project = access.visible_projects(request.user).filter(pk=project_id).first()
    if project is None or not (access.has_cap(request.user, Cap.VIEW_TICKETS, project)
                               or access.has_cap(request.user, Cap.MANAGE_CONFIG, project)):
        raise ApiError(404, "not_found", "项目不存在或无权查看")
    return project


@router.get("/projects/{project_id}/days", response={200: CalendarMonthOut, **ERRORS}, summary="某月每天是否工作日（含调休、暂定标记）")
def month_days(request: HttpRequest, project_id: int, q: Query[CalendarMonthQuery]) -> Any:
    project = _project(request, project_id)
    try:
        year, month = (int(x) for x in q.month.split("-"))
        dt.date(year, month, 1)
    except (ValueError, TypeError) as exc:
        raise ApiError(422, "invalid", "月份格式应为 YYYY-MM", {"month": ["格式应为 YYYY-MM，如 2026-10"]}) from exc
    weeks, provisional = queries.month_grid(project, year, month)
    days = [c for w in weeks for c in w if c.in_month]
    return {"project_id": project.pk, "month": f"{year:04d}-{month:02d}", "provisional": provisional,
            "days": [{"date": c.date, "working": c.working, "kind": c.kind, "name": c.name,
                      "overridden": c.overridden} for c in days]}


@router.post("/projects/{project_id}/deadlines", response={200: list[CalendarDeadlineOut], **ERRORS},
             summary="按项目的时限规则计算各环节时限（不保存）")
def compute_deadlines(request: HttpRequest, project_id: int, payload: CalendarDeadlineIn) -> Any:
    project = _project(request, project_id)
    fields: dict[str, list[str]] = {}
    if payload.kind not in Kind.values:
        fields["kind"] = ["不是允许的诉求类型"]
    if payload.channel and payload.channel not in Channel.values:
        fields["channel"] = ["不是允许的投诉方式"]
    if payload.urgency not in Urgency.values:
        fields["urgency"] = ["应为 normal 或 urgent"]
    bad = [s for s in payload.stages if s not in pol.STAGES]
    if bad:
        fields["stages"] = [f"未知环节：{'、'.join(bad)}"]
    if not payload.stages:
        fields["stages"] = ["至少需要一个环节"]
    if payload.start.tzinfo is None:
        fields["start"] = ["须带时区，如 2026-03-10T10:00:00+08:00"]
    if fields:
        raise ApiError(422, "invalid", "参数不正确", fields)
    items = queries.deadlines_for(project, kind=payload.kind, channel=payload.channel, urgency=payload.urgency,
                                   start=payload.start, stages=payload.stages, category=payload.category or None)
    return [{"stage": i.stage, "due_at": i.due_at, "provisional": i.provisional, "rule": i.rule,
             "policy_id": i.policy_id, "limit": pol.describe(i.clock, i.amount)} for i in items]
