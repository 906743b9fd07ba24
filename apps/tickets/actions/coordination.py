"""市政配套协调人 and the progress-notice reminder (R-M2-03).

- :func:`designate_coordinator`: a complaint about municipal facilities (市政配套) gets a designated
  person who coordinates and follows up; whoever routes tickets (派工) names a staff member of the
  project. The ticket is marked 市政配套 if it was not yet; the coordinator is told.
- :func:`remind_owner_update`: the sweep's step — when a progress notice to the owner on a complaint
  the developer or the municipality handles is overdue (:mod:`apps.tickets.progress`), the people who
  follow it are reminded once per due moment.
"""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import transaction

from apps.org.models import Membership
from apps.org.roles import Cap
from apps.tickets import progress
from apps.tickets.actions.base import _current_dispatch, _event, _lock, _notify, _refuse, _require, _save
from apps.tickets.choices import OPEN_STATUSES, Kind, TicketEventKind
from apps.tickets.models import Ticket

if TYPE_CHECKING:
    from apps.org.models import User


@transaction.atomic()
def designate_coordinator(*, ticket: Ticket, coordinator: User | None, acting_user: User,
                          now: dt.datetime) -> Ticket:
    """指定市政配套协调人: a staff member of the ticket's project coordinates and follows up the
    municipal complaint (R-M2-03). Routing staff (派工) only; an open complaint only."""
    _require(acting_user, Cap.DISPATCH, ticket, "只有派工人员可以指定市政配套协调人")
    _lock(ticket)
    if ticket.kind != Kind.COMPLAINT:
        raise _refuse("只有投诉需要指定市政配套协调人", field="coordinator", code="not_applicable", status=409)
    if ticket.status not in OPEN_STATUSES:
        raise _refuse("工单已结束", code="closed", status=409)
    if coordinator is None:
        raise _refuse("请选择协调人", field="coordinator")
    if not coordinator.is_active or not Membership.objects.filter(user=coordinator, project=ticket.project_id).exists():
        raise _refuse("该员工不在本项目任职", field="coordinator")
    if coordinator.pk == ticket.coordinator_id and ticket.municipal:
        return ticket
    changes = {"coordinator": [str(ticket.coordinator) if ticket.coordinator_id else "", str(coordinator)]}
    fields = ["coordinator"]
    if not ticket.municipal:
        ticket.municipal = True
        changes["municipal"] = [False, True]  # type: ignore[list-item]
        fields.append("municipal")
    ticket.coordinator = coordinator
    message = f"指定市政配套协调人：{coordinator}"
    _save(ticket, fields, acting_user=acting_user, reason=message)
    _event(ticket, TicketEventKind.CLASSIFIED, acting_user=acting_user, now=now, message=message, changes=changes)
    if coordinator != acting_user:
        _notify([coordinator], kind="ticket_coordinator", subject=f"请协调跟进市政配套投诉 {ticket.number}",
                body=ticket.content[:200], ticket=ticket, now=now, dedupe=f"coordinator-{ticket.pk}-{coordinator.pk}")
    return ticket


def followers(ticket: Ticket) -> list[User]:
    """Who follows a complaint the developer or the municipality handles: its coordinator, its named
    handler, the current assignee and whoever sent the written transfer to the developer."""
    people: list[User] = []
    dispatch = _current_dispatch(ticket)
    transfer = ticket.developer_transfers.select_related("sent_by").order_by("-sent_at", "-id").first()
    closer = ticket.closed_by if ticket.status == "unresolved" else None  # R-M4-08: who set it 未关闭
    for user in (ticket.coordinator, ticket.handler, dispatch.assignee if dispatch else None,
                 transfer.sent_by if transfer else None, closer):
        if user is not None and user not in people:
            people.append(user)
    return people


@transaction.atomic()
def remind_owner_update(*, ticket: Ticket, now: dt.datetime) -> bool:
    """Remind the followers that a progress notice to the owner is overdue (R-M2-03); False when it is
    not overdue (any more) or this due moment was reminded already — safe to run twice."""
    _lock(ticket)
    due = progress.owner_update_due_at(ticket)
    if due is None or due >= now:
        return False
    if ticket.owner_update_reminded_at is not None and ticket.owner_update_reminded_at >= due:
        return False
    ticket.owner_update_reminded_at = now
    _save(ticket, ["owner_update_reminded_at"], acting_user=None, reason="提醒告知业主进展")
    who = {"transferred": "地产处理中的", "unresolved": "未关闭的"}.get(ticket.status, "市政处理中的")
    local = due.astimezone(ticket.project.tz)
    message = f"{who}投诉应在 {local:%Y-%m-%d %H:%M} 前告知业主进展，已逾期"
    _event(ticket, TicketEventKind.DEADLINE, acting_user=None, now=now, message=message)
    _notify(followers(ticket), kind="ticket_owner_update_due", subject=f"请告知业主进展 {ticket.number}",
            body=message, ticket=ticket, now=now, dedupe=f"owner-update-{ticket.pk}-{due.isoformat()}")
    return True
