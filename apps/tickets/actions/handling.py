"""派工 and 处理 (SPEC M2): dispatch, accept, handling records, hand back.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.db import transaction

from apps.core.files import ATTACHMENTS, FileRefused, check_count, check_upload
from apps.org.access import can_see_project
from apps.org.models import Department, Membership
from apps.org.roles import Cap, Role
from apps.tickets import deadlines as dl
from apps.tickets.actions.base import (
    S,
    TicketError,
    _can_handle,
    _check_department,
    _current_dispatch,
    _event,
    _forbid,
    _handling_gate,
    _is_company_level,
    _lock,
    _move,
    _notify,
    _refuse,
    _require,
    _save,
)
from apps.tickets.choices import (
    WORK_ORDER_KINDS,
    Stage,
    TicketEventKind,
)
from apps.tickets.models import (
    Attachment,
    Dispatch,
    Ticket,
)
from apps.tickets.transitions import InvalidTransition

if TYPE_CHECKING:
    from apps.org.models import User

# ---------------------------------------------------------------- dispatch and handling (M2)


@transaction.atomic()
def dispatch_ticket(*, ticket: Ticket, department: Department, assignee: User | None = None,
                    instructions: str = "", due_at: dt.datetime | None = None, acting_user: User,
                    now: dt.datetime) -> Dispatch:
    """派工 / 改派 — hand the ticket to a department and optionally a person (R-M1-19, R-M2-01).

    From 已受理/重新处理/已转地产 it becomes 已派工; on a ticket already dispatched or in handling it
    reassigns (the previous 派工单 ends). A ticket held by 品质管理部 (R-M2-14, AS-41) can only be
    given to a company-level department and company-level staff — never pushed back down."""
    _require(acting_user, Cap.DISPATCH, ticket, "无权派工")
    _lock(ticket)
    _handling_gate(ticket)
    _check_department(department, ticket.project)
    if assignee is not None and not can_see_project(assignee, ticket.project):
        raise _refuse("处理人不属于该项目", field="assignee")
    if ticket.record_form and assignee is None:  # R-M2-17
        raise _refuse("记录表投诉须由部门负责人指定具体处理人", field="assignee")
    if ticket.held_by_quality:
        if department.project_id is not None:
            raise TicketError("已上报品质管理部的投诉不得退回管理处处理", field="department",
                              code="held_by_quality", status=409)
        if assignee is not None and not _is_company_level(assignee):
            raise TicketError("已上报品质管理部的投诉不得交由管理处人员处理", field="assignee",
                              code="held_by_quality", status=409)
    previous = _current_dispatch(ticket)
    if previous is not None:
        previous.active = False
        previous.ended_at = now
        previous.end_reason = "改派"
        previous.save(update_fields=["active", "ended_at", "end_reason"])
    dispatch = Dispatch.objects.create(
        ticket=ticket, department=department, assignee=assignee, dispatched_by=acting_user, dispatched_at=now,
        instructions=instructions, due_at=due_at,
    )
    ticket.department = department
    ticket.handler = assignee
    who = f"{department}" + (f"·{assignee}" if assignee else "")
    if ticket.status == S.DISPATCHED:
        _save(ticket, ["department", "handler"], acting_user=acting_user, reason="改派")
        _event(ticket, TicketEventKind.REASSIGNED, acting_user=acting_user, now=now, message=f"改派给 {who}",
               dispatch=dispatch.pk)
    else:
        reassign = ticket.status == S.HANDLING
        _move(ticket, to=S.DISPATCHED, acting_user=acting_user, now=now, also=["department", "handler"],
              reason=("改派给 " if reassign else "派工给 ") + who,
              event_kind=TicketEventKind.REASSIGNED if reassign else TicketEventKind.DISPATCHED, dispatch=dispatch.pk)
    heads = [m.user for m in Membership.objects.filter(department=department, role=Role.DEPT_HEAD).select_related("user")]
    _notify([assignee, *heads], kind="ticket_dispatched", subject=f"新派工单 {ticket.number}", body=ticket.content[:200],
            ticket=ticket, now=now, dedupe=f"dispatch-{dispatch.pk}")
    _copy_to_steward(ticket, dispatch, who=who, skip={assignee, *heads, acting_user}, acting_user=acting_user, now=now)
    return dispatch


def _copy_to_steward(ticket: Ticket, dispatch: Dispatch, *, who: str, skip: set[Any], acting_user: User,
                     now: dt.datetime) -> None:
    """R-M1-19: the 派工单 goes to the department *and* to the area steward (片区管理员) — the steward of
    the household's building — who is told and named on the timeline."""
    household = ticket.household
    building = household.building if household is not None else None
    if building is None:
        return
    steward = building.steward
    if steward is None or not steward.is_active:
        return
    if steward not in skip:
        _notify([steward], kind="ticket_dispatched", subject=f"派工单抄送 {ticket.number}（{building.name}）",
                body=f"已派给 {who}：{ticket.content[:180]}", ticket=ticket, now=now, dedupe=f"dispatch-copy-{dispatch.pk}")
    _event(ticket, TicketEventKind.NOTE, acting_user=acting_user, now=now,
           message=f"派工单抄送片区管理员 {steward}", dispatch=dispatch.pk, steward=steward.pk)


@transaction.atomic()
def accept_dispatch(*, dispatch: Dispatch, acting_user: User, now: dt.datetime) -> Dispatch:
    """接单 — the assignee (or a member of the department) takes the 派工单: 已派工 → 处理中.
    Without a named assignee, the person accepting becomes it."""
    ticket = dispatch.ticket
    _require(acting_user, Cap.VIEW_TICKETS, ticket, "无权接单")
    _lock(ticket)
    _handling_gate(ticket)
    dispatch.refresh_from_db()
    if not dispatch.active:
        raise _refuse("该派工单已结束", code="dispatch_ended", status=409)
    if not _can_handle(acting_user, ticket, dispatch):
        raise _forbid("只有被派工的部门或人员可以接单")
    dispatch.accepted_at = now
    dispatch.accepted_by = acting_user
    if dispatch.assignee_id is None:
        dispatch.assignee = acting_user
    dispatch.save(update_fields=["accepted_at", "accepted_by", "assignee"])
    ticket.handler = dispatch.assignee
    _move(ticket, to=S.HANDLING, acting_user=acting_user, now=now, also=["handler"], reason="接单",
          event_kind=TicketEventKind.ACCEPTED, dispatch=dispatch.pk)
    return dispatch


@transaction.atomic()
def record_handling(*, ticket: Ticket, acting_user: User, now: dt.datetime, investigation: str = "",
                    measures: str = "", result: str = "", done: bool = False, arrived_at: dt.datetime | None = None,
                    attachments: Sequence[tuple[Any, str]] = ()) -> Dispatch | None:
    """处理记录 — site investigation, measures, result, photos (R-M2-01, R-M2-02, R-M2-20).

    ``arrived_at`` meets the ``arrive`` deadline; ``done=True`` needs ``result``: the ticket becomes
    已处理, the ``complete`` deadline is met and the receiver (front desk) is told (issue 4 item 4).
    Recording on a dispatched ticket accepts the 派工单 implicitly."""
    _require(acting_user, Cap.VIEW_TICKETS, ticket, "无权处理")
    _lock(ticket)
    _handling_gate(ticket)
    dispatch = _current_dispatch(ticket)
    if not _can_handle(acting_user, ticket, dispatch):
        raise _forbid("只有被派工的部门或人员可以记录处理情况")
    if ticket.status not in {S.RECEIVED, S.DISPATCHED, S.HANDLING, S.TRANSFERRED, S.REOPENED}:
        raise InvalidTransition(ticket.status, S.HANDLING)
    if done and not result.strip():
        raise _refuse("完成处理须填写处理结果", field="result")
    if arrived_at is not None and arrived_at > now + dt.timedelta(minutes=5):
        raise _refuse("到场时间不能晚于当前时间", field="arrived_at")
    if not (investigation.strip() or measures.strip() or result.strip() or arrived_at or attachments):
        raise _refuse("请填写调查、措施或结果", field="investigation")
    try:  # by content, size and count (issue 14 item 3)
        check_count([f for f, _caption in attachments], field="attachment")
        for file, _caption in attachments:
            check_upload(file, allowed=ATTACHMENTS, field="attachment")
    except FileRefused as exc:
        raise _refuse(exc.message, field="attachment") from None
    if dispatch is not None:
        for name, text in (("investigation", investigation), ("measures", measures), ("result", result)):
            if text.strip():
                old = getattr(dispatch, name)
                setattr(dispatch, name, f"{old}\n{text.strip()}" if old else text.strip())
        if arrived_at is not None and dispatch.arrived_at is None:
            dispatch.arrived_at = arrived_at
        if dispatch.accepted_at is None:
            dispatch.accepted_at, dispatch.accepted_by = now, acting_user
        if done:
            dispatch.completed_at = now
        dispatch.save()
    for file, caption in attachments:
        Attachment.objects.create(ticket=ticket, dispatch=dispatch, file=file, caption=caption,
                                  uploaded_by=acting_user, uploaded_at=now)
    if arrived_at is not None:
        dl.meet(ticket, Stage.ARRIVE, at=arrived_at)
    if investigation.strip() and ticket.investigated_at is None:
        # R-M2-02: the first investigation/verification; expected on the day of intake
        ticket.investigated_at = now
        _save(ticket, ["investigated_at"], acting_user=acting_user, reason="调查核实")
    summary = "；".join(x for x in (investigation.strip(), measures.strip(), result.strip()) if x)
    if ticket.status in {S.DISPATCHED, S.RECEIVED, S.REOPENED} and not done:
        _move(ticket, to=S.HANDLING, acting_user=acting_user, now=now, reason=summary[:200] or "开始处理",
              event_kind=TicketEventKind.HANDLING, investigation=investigation, measures=measures)
    elif not done:
        _event(ticket, TicketEventKind.HANDLING, acting_user=acting_user, now=now, message=summary,
               investigation=investigation, measures=measures, result=result)
    if done:
        ticket.handling_result = result.strip()
        _move(ticket, to=S.HANDLED, acting_user=acting_user, now=now, also=["handling_result"],
              reason=f"处理完成：{result.strip()[:180]}", event_kind=TicketEventKind.HANDLING,
              investigation=investigation, measures=measures, result=result)
        dl.meet(ticket, Stage.COMPLETE, at=now)
        if ticket.kind in WORK_ORDER_KINDS:
            # R-M8-07, AS-23: a repair's return visit is due 48 h / 3 days after the service ends
            dl.stamp(ticket, start=now, stages=[Stage.RETURN_VISIT], now=now)
        _notify([ticket.receiver], kind="ticket_handled", subject=f"工单 {ticket.number} 已处理完成",
                body=result[:200], ticket=ticket, now=now, dedupe=f"handled-{ticket.pk}-{ticket.cycle}")
    return dispatch


@transaction.atomic()
def hand_back(*, ticket: Ticket, reason: str, acting_user: User, now: dt.datetime) -> Ticket:
    """退单 — the department hands the 派工单 back to the dispatcher with a reason (not ours, wrong
    department …): 已派工/处理中 → 已受理. The receiver is told."""
    _require(acting_user, Cap.VIEW_TICKETS, ticket, "无权退单")
    _lock(ticket)
    if not reason.strip():
        raise _refuse("请填写退单原因", field="reason")
    dispatch = _current_dispatch(ticket)
    if dispatch is None or ticket.status not in {S.DISPATCHED, S.HANDLING}:
        raise InvalidTransition(ticket.status, S.RECEIVED)
    if not _can_handle(acting_user, ticket, dispatch):
        raise _forbid("只有被派工的部门或人员可以退单")
    dispatch.active = False
    dispatch.handed_back_at = now
    dispatch.ended_at = now
    dispatch.end_reason = reason.strip()[:200]
    dispatch.save(update_fields=["active", "handed_back_at", "ended_at", "end_reason"])
    ticket.handler = None
    _move(ticket, to=S.RECEIVED, acting_user=acting_user, now=now, also=["handler"], reason=f"退单：{reason.strip()}",
          event_kind=TicketEventKind.HANDED_BACK, dispatch=dispatch.pk)
    _notify([ticket.receiver, dispatch.dispatched_by], kind="ticket_handed_back", subject=f"工单 {ticket.number} 被退单",
            body=reason[:200], ticket=ticket, now=now, dedupe=f"handback-{dispatch.pk}")
    return ticket


