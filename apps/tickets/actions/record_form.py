"""记录表投诉 (R-M2-17): a complaint that is somewhat difficult and takes more than one working day is
listed on the 《顾客投诉处理记录表》 and needs a specific handler named by the department head.

- :func:`flag_record_form` — automatically: the sweep flags a complaint still open when its respond
  limit has passed; when it has no named handler yet, the heads of its department (else the project's
  routing staff) are asked to name one.
- :func:`mark_record_form` — manually, from the ticket page and the API: the handler who estimates more
  than one working day flags it (naming themself), or the department head / routing staff flag it and
  name the handler (or name one for an automatically flagged complaint).

Once flagged, the ticket cannot be dispatched without a named handler (``dispatch_ticket``) nor saved
without one (``edit_ticket``), and it closes only with one (``close_blockers``)."""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db import transaction

from apps.org.access import can_see_project, has_cap
from apps.org.models import Membership
from apps.org.roles import Cap, Role
from apps.tickets.actions.base import _current_dispatch, _event, _forbid, _lock, _notify, _refuse, _require, _save
from apps.tickets.choices import OPEN_STATUSES, Kind, TicketEventKind
from apps.tickets.models import Ticket

if TYPE_CHECKING:
    from apps.org.models import User

REASON = "超过1个工作日未关闭，自动列为记录表投诉"
NEEDS_HANDLER = "记录表投诉须由部门负责人指定具体处理人"


def _heads(ticket: Ticket) -> list[User]:
    """Who names the handler: the heads of the ticket's department, else the project's routing staff."""
    if ticket.department_id is not None:
        heads = [m.user for m in Membership.objects.filter(department_id=ticket.department_id, role=Role.DEPT_HEAD)
                 .select_related("user") if m.user.is_active]
        if heads:
            return heads
    return [m.user for m in Membership.objects.filter(project_id=ticket.project_id,
                                                       role__in=[Role.CS_SUPERVISOR, Role.CS_MANAGER])
            .select_related("user") if m.user.is_active]


@transaction.atomic
def flag_record_form(*, ticket: Ticket, now: dt.datetime) -> bool:
    """Flag ``ticket`` as a record-form complaint; False when it already is (safe to run twice). The
    current assignee becomes the named handler; without one, the department head is asked to name one."""
    _lock(ticket)
    if ticket.record_form:
        return False
    ticket.record_form, ticket.record_form_at, ticket.record_form_by = True, now, None
    fields = ["record_form", "record_form_at", "record_form_by"]
    dispatch = _current_dispatch(ticket)
    if ticket.handler_id is None and dispatch is not None and dispatch.assignee_id is not None:
        ticket.handler_id = dispatch.assignee_id
        fields.append("handler")
    _save(ticket, fields, acting_user=None, reason=REASON)
    _event(ticket, TicketEventKind.EDITED, acting_user=None, now=now, message=REASON,
           changes={"record_form": [False, True]})
    if ticket.handler_id is None:
        _notify(_heads(ticket), kind="ticket_record_form_handler", subject=f"请指定记录表投诉的处理人 {ticket.number}",
                body=f"{REASON}。{NEEDS_HANDLER}。", ticket=ticket, now=now, dedupe=f"record-form-{ticket.pk}")
    return True


def may_mark_record_form(user: Any, ticket: Ticket) -> bool:
    """The department head / routing staff (派工), or the ticket's handler or current assignee."""
    if has_cap(user, Cap.DISPATCH, ticket.project):
        return True
    dispatch = _current_dispatch(ticket)
    return has_cap(user, Cap.HANDLE, ticket.project) and user.pk in {
        ticket.handler_id, dispatch.assignee_id if dispatch else None}


@transaction.atomic
def mark_record_form(*, ticket: Ticket, handler: User | None, reason: str, acting_user: User,
                     now: dt.datetime) -> Ticket:
    """列入《顾客投诉处理记录表》 by hand (R-M2-17): the handler estimates more than one working day (names
    themself), or the department head / routing staff (派工) flag it and name the handler. On a ticket
    already flagged it names or changes the handler (department head / routing staff only)."""
    _require(acting_user, Cap.VIEW_TICKETS, ticket, "无权修改工单")
    _lock(ticket)
    routes = has_cap(acting_user, Cap.DISPATCH, ticket.project)
    dispatch = _current_dispatch(ticket)
    is_handler = has_cap(acting_user, Cap.HANDLE, ticket.project) and acting_user.pk in {
        ticket.handler_id, dispatch.assignee_id if dispatch else None}
    if not (routes or is_handler):
        raise _forbid("只有处理人或部门负责人可以列入记录表")
    if ticket.kind != Kind.COMPLAINT:
        raise _refuse("只有投诉可以列入记录表", field="record_form", code="not_applicable", status=409)
    if ticket.status not in OPEN_STATUSES:
        raise _refuse("工单已结束", code="closed", status=409)
    if handler is None:
        handler = ticket.handler or (acting_user if is_handler and not routes else None)
    if handler is None:
        raise _refuse("请指定具体处理人", field="handler")
    if handler.pk != ticket.handler_id and handler.pk != acting_user.pk and not routes:
        raise _forbid(NEEDS_HANDLER)
    if not handler.is_active or not can_see_project(handler, ticket.project) or not has_cap(
            handler, Cap.HANDLE, ticket.project):
        raise _refuse("该员工不能处理本项目的投诉", field="handler")
    if ticket.record_form and handler.pk == ticket.handler_id:
        return ticket
    changes: dict[str, list[object]] = {}
    fields = []
    if not ticket.record_form:
        changes["record_form"] = [False, True]
        ticket.record_form, ticket.record_form_at, ticket.record_form_by = True, now, acting_user
        fields += ["record_form", "record_form_at", "record_form_by"]
    if handler.pk != ticket.handler_id:
        changes["handler"] = [str(ticket.handler) if ticket.handler_id else "", str(handler)]
        ticket.handler = handler
        fields.append("handler")
    text = reason.strip()[:500]
    message = ("列入记录表投诉" if "record_form" in changes else "记录表投诉") + f"，处理人：{handler}" + (
        f"（{text}）" if text else "")
    _save(ticket, fields, acting_user=acting_user, reason=message)
    _event(ticket, TicketEventKind.EDITED, acting_user=acting_user, now=now, message=message, changes=changes)
    if handler != acting_user:
        _notify([handler], kind="ticket_record_form", subject=f"记录表投诉 {ticket.number} 由您处理",
                body=ticket.content[:200], ticket=ticket, now=now, dedupe=f"record-form-{ticket.pk}-{handler.pk}")
    return ticket
