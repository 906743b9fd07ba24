"""REST endpoints of the notify app (mounted at /api/v1/notifications): the caller's own inbox."""
import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.pagination import paginate

from apps.core.api_errors import ERRORS, ApiError
from apps.core.api_pagination import LimitOffsetPagination, Serialised
from apps.notify import actions, queries
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
