"""Staff endpoints of the owners' committee (mounted at /api/v1/owners-committee; staff token or
session, never an owner token): list a project's 业委会成员, appoint one, end an appointment — the same
actions and the same ``Cap.MANAGE_COMMITTEE`` as the staff page."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema, Status

from apps.core.api_errors import ERRORS, ApiError
from apps.org.models import Project, User
from apps.owners import actions, queries
from apps.owners.models import CommitteeMember
from linli import clock

router = Router(tags=["owners committee (staff)"])


class CommitteeMemberOut(Schema):
    id: int
    project_id: int
    name: str
    title: str
    phone_tail: str
    appointed_at: dt.datetime
    ended_at: dt.datetime | None


class CommitteeAppointIn(Schema):
    project_id: int = Field(ge=1, le=2**31 - 1)
    phone: str = Field(max_length=20)
    name: str = Field("", max_length=50)
    title: str = Field("", max_length=30)


class CommitteeEndIn(Schema):
    ended_on: dt.date


def _out(m: CommitteeMember) -> dict[str, Any]:
    return {
        "id": m.pk,
        "project_id": m.project_id,
        "name": m.name,
        "title": m.title,
        "phone_tail": m.phone[-4:],
        "appointed_at": m.appointed_at,
        "ended_at": m.ended_at,
    }


def _user(request: HttpRequest) -> User:
    if not isinstance(request.user, User):
        raise ApiError(401, "unauthorized", "请先登录")
    return request.user


def _project(request: HttpRequest, project_id: int) -> Project:
    project = queries.committee_projects(_user(request)).filter(pk=project_id).first()
    if project is None:
        raise ApiError(404, "not_found", "项目不存在", {"project_id": ["项目不存在或无权管理业委会成员"]})
    return project


@router.get(
    "/members", response={200: list[CommitteeMemberOut], **ERRORS}, summary="业委会成员（现任；ended=true 为已卸任）"
)
def member_list(request: HttpRequest, project: int = Query(..., ge=1, le=2**31 - 1), ended: bool = False) -> Any:
    return [_out(m) for m in queries.committee_of(_project(request, project), ended=ended)[:200]]


@router.post("/members", response={201: CommitteeMemberOut, **ERRORS}, summary="登记业委会成员（客服主管/经理）")
def member_appoint(request: HttpRequest, payload: CommitteeAppointIn) -> Any:
    project = _project(request, payload.project_id)
    member = actions.appoint_committee_member(
        project=project,
        phone=payload.phone,
        name=payload.name,
        title=payload.title,
        acting_user=_user(request),
        now=clock.now(),
    )
    return Status(201, _out(member))


@router.post("/members/{member_id}/end", response={200: CommitteeMemberOut, **ERRORS}, summary="业委会成员卸任")
def member_end(request: HttpRequest, payload: CommitteeEndIn, member_id: int = Path(..., ge=1, le=2**31 - 1)) -> Any:
    user = _user(request)
    member = (
        CommitteeMember.objects.filter(pk=member_id, project__in=queries.committee_projects(user))
        .select_related("project")
        .first()
    )
    if member is None:
        raise ApiError(404, "not_found", "业委会成员不存在")
    return _out(
        actions.end_committee_member(member=member, ended_on=payload.ended_on, acting_user=user, now=clock.now())
    )
