"""约定反馈时间 (R-M1-09, R-M2-06): the time agreed with the owner for the answer on handling measures,
changed after intake. The reply deadline is the earlier of the agreed time and the channel's limit;
a later time the customer asked for counts only as an agreed extension with its reason (AS-43).
Whoever receives, routes or replies may record it; every change keeps who, when and why."""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import transaction

from apps.org.access import has_cap
from apps.org.roles import Cap
from apps.tickets import deadlines as dl
from apps.tickets.actions.base import _event, _forbid, _jsonable, _lock, _refuse, _require, _save
from apps.tickets.choices import OPEN_STATUSES, Stage, TicketEventKind
from apps.tickets.models import Deadline, Ticket

if TYPE_CHECKING:
    from apps.org.models import User


@transaction.atomic()
def agree_feedback_time(*, ticket: Ticket, agreed_feedback_at: dt.datetime, extension_reason: str = "",
                        acting_user: User, now: dt.datetime) -> Ticket:
    """Record a new agreed feedback time on an open ticket and recompute its open reply deadline.
    ``extension_reason`` (the customer asked for a later time) makes a time after the channel limit
    the deadline; without it such a time is kept as agreed but the limit stays the deadline."""
    _require(acting_user, Cap.VIEW_TICKETS, ticket, "无权查看工单")
    if not any(has_cap(acting_user, c, ticket.project) for c in (Cap.RECEIVE_TICKETS, Cap.DISPATCH, Cap.REPLY)):
        raise _forbid("只有受理、派工或回复人员可以约定反馈时间")
    _lock(ticket)
    if ticket.status not in OPEN_STATUSES:
        raise _refuse("工单已结束，不能再约定反馈时间", code="not_open", status=409)
    if agreed_feedback_at <= now:
        raise _refuse("约定的反馈时间须晚于现在", field="agreed_feedback_at")
    reason = (extension_reason or "").strip()[:200]
    old_at, old_reason = ticket.agreed_feedback_at, ticket.agreed_extension_reason
    if (old_at, old_reason) == (agreed_feedback_at, reason):
        return ticket
    ticket.agreed_feedback_at, ticket.agreed_extension_reason = agreed_feedback_at, reason
    local = agreed_feedback_at.astimezone(ticket.project.tz)
    message = f"约定反馈时间：{local:%Y-%m-%d %H:%M}" + (f"（业主要求延后：{reason}）" if reason else "")
    _save(ticket, ["agreed_feedback_at", "agreed_extension_reason"], acting_user=acting_user, reason=message)
    dl.restamp_agreed_reply(ticket)
    d = (Deadline.objects.filter(ticket=ticket, stage=Stage.REPLY, cycle=ticket.cycle)
         .order_by("-pk").only("due_at", "limit_due_at", "agreed").first())
    capped = d is not None and d.limit_due_at is not None and agreed_feedback_at > d.limit_due_at and not d.agreed
    if capped:
        message += "；晚于渠道回复时限且未登记业主要求延后，仍按渠道时限回复"
    _event(ticket, TicketEventKind.EDITED, acting_user=acting_user, now=now, message=message,
           changes={"agreed_feedback_at": [_jsonable(old_at), _jsonable(agreed_feedback_at)],
                    "agreed_extension_reason": [old_reason, reason]}, capped=capped)
    return ticket
