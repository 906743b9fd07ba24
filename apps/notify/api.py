"""REST endpoints of the notify app (mounted at /api/v1/notifications): the caller's own inbox."""
import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from apps.core.api_errors import ERRORS, ApiError
from apps.core.api_pagination import LimitOffsetPagination, Serialised
from apps.core.validation import SaneDate
from apps.estates.models import Building
from apps.notify import actions, notices, queries
from apps.notify.models import OwnerNotice
from apps.org import access
from apps.org.models import Project
from apps.org.roles import Cap
from linli import clock

router = Router(tags=["notify"])


class NotificationOut(Schema):
    id: int
    kind: str
    subject: str
    body: str
    link: str
    project_id: int | None
    created_at: dt.datetime
    read_at: dt.datetime | None
    unread: bool
    urgent: bool


class InboxQuery(Schema):
    unread: bool = False


class MarkedOut(Schema):
    marked: int


def _out(n: Any) -> dict[str, Any]:
    return {"id": n.pk, "kind": n.kind, "subject": n.subject, "body": n.body, "link": n.link,
            "project_id": n.project_id, "created_at": n.created_at, "read_at": n.read_at, "unread": n.read_at is None,
            "urgent": n.urgent}


class InboxPagination(LimitOffsetPagination):
    """django-ninja's pagination with the inbox's own figure: how many of the user's notices are unread."""

    class Output(LimitOffsetPagination.Output):
        unread_count: int

    def paginate_queryset(self, queryset: Any, pagination: LimitOffsetPagination.Input, request: HttpRequest,
                          **params: Any) -> dict[str, Any]:
        page = super().paginate_queryset(queryset, pagination, request, **params)
        return {**page, "unread_count": queries.unread_count(request.user)}


@router.get("", response={200: list[NotificationOut], **ERRORS}, summary="我的站内通知（可只看未读）")
@paginate(InboxPagination)
def list_notifications(request: HttpRequest, filters: Query[InboxQuery]) -> Serialised:
    """``{count, limit, offset, unread_count, items}``, newest first."""
    return Serialised(queries.inbox(request.user, unread_only=filters.unread), _out)


@router.post("/read-all", response={200: MarkedOut, **ERRORS}, summary="全部标为已读")
def read_all(request: HttpRequest) -> Any:
    return {"marked": actions.mark_all_read(request.user, now=clock.now())}


@router.post("/{notification_id}/read", response={200: NotificationOut, **ERRORS}, summary="标为已读")
def read_one(request: HttpRequest, notification_id: int) -> Any:
    try:
        note = actions.mark_read(request.user, notification_id, now=clock.now())
    except queries.NotifyError as exc:
        raise ApiError(exc.status, exc.code, str(exc), exc.fields) from exc
    return _out(note)


# ---------------------------------------------------------------- owner mass notices (R-M17-02/-03/-06/-07)


class OwnerNoticeIn(Schema):
    project_id: int
    kind: str = Field(..., max_length=20)
    body: str = Field(..., max_length=500)
    building_id: int | None = None
    event_date: SaneDate | None = None
    approval_ref: str = Field("", max_length=100)
    approved_on: SaneDate | None = None


class OwnerNoticeOut(Schema):
    id: int
    project_id: int
    building_id: int | None
    kind: str
    body: str
    event_date: dt.date | None
    approval_ref: str
    approved_on: dt.date | None
    short_notice: bool
    recipients: int
    no_phone: int
    created_at: dt.datetime


def _notice_projects(request: HttpRequest) -> list[Any]:
    return [p for p in Project.objects.order_by("pk") if access.has_cap(request.user, Cap.REPLY, p)]


@router.get("/owner-notices", response={200: list[OwnerNoticeOut], **ERRORS}, summary="业主群发通知（最近100条）")
def owner_notice_list(request: HttpRequest) -> Any:
    projects = _notice_projects(request)
    if not projects:
        raise ApiError(403, "forbidden", "没有向业主群发通知的权限")
    return list(OwnerNotice.objects.filter(project__in=projects).order_by("-created_at", "-pk")[:100])


class FeeReminderDueOut(Schema):
    project_id: int
    project_name: str


@router.get("/owner-notices/fee-reminders-due", response={200: list[FeeReminderDueOut], **ERRORS},
            summary="本月尚未向全体业主发送缴费提醒的项目")
def owner_notice_fee_due(request: HttpRequest) -> Any:
    projects = _notice_projects(request)
    if not projects:
        raise ApiError(403, "forbidden", "没有向业主群发通知的权限")
    return [{"project_id": p.pk, "project_name": p.name} for p in notices.fee_reminders_due(projects, clock.now())]


@router.post("/owner-notices", response={201: OwnerNoticeOut, **ERRORS}, summary="向业主群发通知")
def owner_notice_send(request: HttpRequest, payload: OwnerNoticeIn) -> Any:
    """Door code ≥ 7 days ahead, activity ≥ 3 days ahead after approval, fee reminder once a month;
    refusals carry the field (422) or 409 for a second fee reminder in a month."""
    project = next((p for p in _notice_projects(request) if p.pk == payload.project_id), None)
    if project is None:
        raise ApiError(404, "not_found", "项目不存在或无权发送", {"project_id": ["项目不存在或无权发送"]})
    building = None
    if payload.building_id is not None:
        building = Building.objects.filter(pk=payload.building_id, project=project).first()
        if building is None:
            raise ApiError(404, "not_found", "楼栋不存在", {"building_id": ["楼栋不存在"]})
    notice = notices.send_owner_notice(project=project, kind=payload.kind, body=payload.body, building=building,
                                       event_date=payload.event_date, approval_ref=payload.approval_ref,
                                       approved_on=payload.approved_on, acting_user=request.user, now=clock.now())
    return Status(201, notice)
