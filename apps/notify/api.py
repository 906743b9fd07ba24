"""REST endpoints of the notify app (mounted at /api/v1/notifications): the caller's own inbox."""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from apps.core.api_errors import ERRORS, ApiError
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


class NotificationPage(Schema):
    count: int
    unread_count: int
    items: list[NotificationOut]


class InboxQuery(Schema):
    unread: bool = False
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0)


class MarkedOut(Schema):
    marked: int


def _out(n: Any) -> dict[str, Any]:
    return {"id": n.pk, "kind": n.kind, "subject": n.subject, "body": n.body, "link": n.link,
            "project_id": n.project_id, "created_at": n.created_at, "read_at": n.read_at, "unread": n.read_at is None,
            "urgent": n.urgent}


@router.get("", response={200: NotificationPage, **ERRORS}, summary="我的站内通知（可只看未读）")
def list_notifications(request: HttpRequest, filters: Query[InboxQuery]) -> Any:
    qs = queries.inbox(request.user, unread_only=filters.unread)
    items = list(qs[filters.offset:filters.offset + filters.limit])
    return {"count": qs.count(), "unread_count": queries.unread_count(request.user), "items": [_out(n) for n in items]}


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
