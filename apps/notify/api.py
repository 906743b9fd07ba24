"""REST endpoints of the notify app (mounted at /api/v1/notifications): the caller's own inbox."""
import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from apps.core.api_errors import ERRORS, ApiError
from apps.core.api_pagination import LimitOffsetPagination, Serialised
from apps.core.validation import SaneDate
from apps.estates.masking import mask_phone
from apps.estates.models import Building, DecorationRecord
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
    elderly_only: bool = Field(False, description="节日问候：只发给标记为空巢老人的住户")


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
    elderly_only: bool = False
    recipients: int
    no_phone: int
    emails: int = Field(0, description="缴费提醒：同时排队的邮件数")
    faxes: int = Field(0, description="缴费提醒：待前台人工传真数（见 /owner-notices/faxes）")
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
                                       approved_on=payload.approved_on, elderly_only=payload.elderly_only,
                                       acting_user=request.user, now=clock.now())
    return Status(201, notice)


# ---------------------------------------------------------------- faxes sent by hand (R-M17-07)


class OwnerFaxOut(Schema):
    id: int
    project_id: int
    household: str
    fax: str = Field(description="遮蔽后的传真号码；reveal 后为完整号码（记入顾客资料查阅记录）")
    body: str
    created_at: dt.datetime


class OwnerFaxDoneIn(Schema):
    failed: str = Field("", max_length=200, description="留空=已传真；填写=传真失败的原因")


def _fax_out(d: Any, number: str | None = None) -> dict[str, Any]:
    return {"id": d.pk, "project_id": d.project_id, "household": d.person.household.label if d.person else "",
            "fax": number if number is not None else mask_phone(d.address), "body": d.body,
            "created_at": d.created_at}


def _waiting_fax(request: HttpRequest, delivery_id: int) -> Any:
    projects = _notice_projects(request)
    if not projects:
        raise ApiError(403, "forbidden", "没有向业主群发通知的权限")
    delivery = actions.manual_faxes(projects).filter(pk=delivery_id).first()
    if delivery is None:
        raise ApiError(404, "not_found", "传真不存在或已登记")
    return delivery


@router.get("/owner-notices/faxes", response={200: list[OwnerFaxOut], **ERRORS},
            summary="待前台人工发送的缴费提醒传真（系统无传真网关）")
def owner_fax_list(request: HttpRequest) -> Any:
    projects = _notice_projects(request)
    if not projects:
        raise ApiError(403, "forbidden", "没有向业主群发通知的权限")
    return [_fax_out(d) for d in actions.manual_faxes(projects)]


@router.post("/owner-notices/faxes/{delivery_id}/reveal", response={200: OwnerFaxOut, **ERRORS},
             summary="显示完整传真号码（记入顾客资料查阅记录）")
def owner_fax_reveal(request: HttpRequest, delivery_id: int) -> Any:
    delivery = _waiting_fax(request, delivery_id)
    try:
        number = notices.reveal_fax_number(delivery, request.user, screen="API 待发传真")
    except notices.FaxRevealRefused as exc:
        raise ApiError(403, "forbidden", exc.message) from None
    return _fax_out(delivery, number)


@router.post("/owner-notices/faxes/{delivery_id}/done", response={200: OwnerFaxOut, **ERRORS},
             summary="登记传真已发送或发送失败")
def owner_fax_done(request: HttpRequest, delivery_id: int, payload: OwnerFaxDoneIn) -> Any:
    delivery = _waiting_fax(request, delivery_id)
    actions.record_fax_sent(delivery, acting_user=request.user, now=clock.now(), failed=payload.failed)
    return _fax_out(delivery)


# ---------------------------------------------------------------- decoration progress (R-M17-08)


class DecorationProgressOut(Schema):
    record_id: int
    project_id: int
    household: str
    kind: str
    note: str
    recorded_at: dt.datetime


class DecorationToldOut(Schema):
    record_id: int
    queued: int


@router.get("/decoration-progress", response={200: list[DecorationProgressOut], **ERRORS},
            summary="装修进度/问题待告知业主")
def decoration_progress_list(request: HttpRequest) -> Any:
    projects = _notice_projects(request)
    if not projects:
        raise ApiError(403, "forbidden", "没有告知业主装修进度的权限")
    return [{"record_id": r.pk, "project_id": r.project_id, "household": r.household.label, "kind": r.kind,
             "note": r.note, "recorded_at": r.recorded_at}
            for p in projects for r in notices.untold_decoration_records(p)]


@router.post("/decoration-progress/{record_id}/tell", response={200: DecorationToldOut, **ERRORS},
             summary="短信告知业主装修进度/问题")
def decoration_progress_tell(request: HttpRequest, record_id: int) -> Any:
    record = (DecorationRecord.objects.select_related("household", "project")
              .filter(pk=record_id, project__in=_notice_projects(request)).first())
    if record is None:
        raise ApiError(404, "not_found", "装修档案不存在或无权操作")
    queued = notices.tell_decoration_progress(record, acting_user=request.user, now=clock.now())
    return {"record_id": record.pk, "queued": queued}
