"""被表扬/投诉的员工: a praise or complaint may name the staff member it is about, the basis of a
suggested entry on that employee's monthly assessment (R-M14-02; apps.assessments reacts to
``tickets.status_changed`` when the ticket closes)."""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import transaction

from apps.org.models import Membership
from apps.org.roles import Cap
from apps.tickets.actions.base import _event, _lock, _refuse, _require, _save
from apps.tickets.choices import Kind, TicketEventKind, TicketStatus
from apps.tickets.models import Ticket

if TYPE_CHECKING:
    from apps.org.models import User


@transaction.atomic()
def name_staff_member(*, ticket: Ticket, staff: User | None, acting_user: User, now: dt.datetime,
                      reason: str = "") -> Ticket:
    """Set (or clear, ``staff`` None) the staff member a praise or complaint is about; staff of the
    ticket's project only; whoever receives or routes tickets may set it."""
    _require(acting_user, Cap.RECEIVE_TICKETS, ticket, "只有受理或派工人员可以指明被表扬/投诉的员工")
    _lock(ticket)
    if ticket.kind not in (Kind.COMPLAINT, Kind.PRAISE):
        raise _refuse("只有投诉和表扬可以指明员工", field="staff", code="not_applicable", status=409)
    if ticket.status == TicketStatus.VOIDED:
        raise _refuse("已作废的工单不能修改", code="voided", status=409)
    if staff is not None and not Membership.objects.filter(user=staff, project=ticket.project_id).exists():
        raise _refuse("该员工不在本项目任职", field="staff")
    if (staff.pk if staff else None) == ticket.staff_named_id:
        return ticket
    old = str(ticket.staff_named) if ticket.staff_named_id else ""
    ticket.staff_named = staff
    message = (f"指明员工：{staff}" if staff else f"取消指明员工（原为{old}）") + (f"：{reason}" if reason else "")
    _save(ticket, ["staff_named"], acting_user=acting_user, reason=message)
    _event(ticket, TicketEventKind.CLASSIFIED, acting_user=acting_user, now=now, message=message,
           changes={"staff_named": [old, str(staff) if staff else ""]})
    return ticket
