"""派工 (R-M8-01, R-M8-10, R-M8-18): assign, transfer, hand back, grab from the pool, accept, and
the shift hand-over with the leader's consent. The 派工单 itself is the pipeline's (apps.tickets)."""
from __future__ import annotations

import datetime as dt

from django.db import transaction

from apps.org.access import can_see_project, has_cap
from apps.org.models import Department, Membership, User
from apps.org.roles import Cap
from apps.repairs.access import may_consent_to_handover
from apps.repairs.actions._common import lock, notify_steward, save_order, ticket_step
from apps.repairs.errors import refuse
from apps.repairs.models import RepairOrder, ShiftHandover
from apps.repairs.queries import certificate_problem, current_dispatch, repair_department
from apps.tickets import actions as ta
from apps.tickets.choices import TicketStatus as S
from apps.tickets.models import Dispatch, Ticket


@transaction.atomic
def assign_order(*, order: RepairOrder, assignee: User, acting_user: User, now: dt.datetime,
                 instructions: str = "", department: Department | None = None) -> Dispatch:
    """调度员指派 / 转派 (transfer): a new 派工单 to ``assignee``; the previous one ends as 改派."""
    if department is None:
        current = current_dispatch(order)
        department = current.department if current is not None else repair_department(
            order.ticket.project, order.ticket.category)
    if department is None:
        raise refuse("项目没有工程部，无法派工", field="department")
    problem = certificate_problem(assignee, order.ticket.project, order.ticket.category, now)
    if problem:
        raise refuse(problem, field="assignee", code="certificate")
    sent = ticket_step(ta.dispatch_ticket, ticket=order.ticket, department=department, assignee=assignee,
                       instructions=instructions, acting_user=acting_user, now=now)
    notify_steward(order, sent, now=now)
    return sent


def transfer_order(*, order: RepairOrder, to_user: User, reason: str, acting_user: User, now: dt.datetime,
                   department: Department | None = None) -> Dispatch:
    """转单: reassign to another worker with the reason recorded on the new 派工单 and the timeline."""
    if not reason.strip():
        raise refuse("请填写转单原因", field="reason")
    return assign_order(order=order, assignee=to_user, acting_user=acting_user, now=now,
                        instructions=f"转单：{reason.strip()}", department=department)


@transaction.atomic
def hand_back_order(*, order: RepairOrder, reason: str, acting_user: User, now: dt.datetime) -> Ticket:
    """退单: the worker hands the order back to the dispatcher with a reason (pipeline hand_back)."""
    return ticket_step(ta.hand_back, ticket=order.ticket, reason=reason, acting_user=acting_user, now=now)


@transaction.atomic
def grab_order(*, order: RepairOrder, acting_user: User, now: dt.datetime) -> Dispatch:
    """抢单: the first worker of the department to grab a pool order gets it. The work order's row is
    locked and the 派工单 re-read under the lock (assignee still empty), so two workers never
    both win."""
    lock(order)
    dispatch = current_dispatch(order)
    if dispatch is None or dispatch.assignee_id is not None or order.ticket.status != S.DISPATCHED:
        raise refuse("该工单已被他人接单或不在抢单池中", code="taken", status=409)
    if not Membership.objects.filter(user=acting_user, department_id=dispatch.department_id).exists():
        raise refuse("只有该部门的人员可以抢单", code="forbidden", status=403)
    problem = certificate_problem(acting_user, order.ticket.project, order.ticket.category, now)
    if problem:
        raise refuse(problem, code="certificate", status=403)
    return ticket_step(ta.accept_dispatch, dispatch=dispatch, acting_user=acting_user, now=now)


def accept_order(*, order: RepairOrder, acting_user: User, now: dt.datetime) -> Dispatch:
    """接单 (pipeline accept_dispatch): 已派工 → 处理中; a pool order is grabbed."""
    dispatch = current_dispatch(order)
    if dispatch is None:
        raise refuse("该工单尚未派工", code="not_dispatched", status=409)
    if dispatch.assignee_id is None:
        return grab_order(order=order, acting_user=acting_user, now=now)
    if dispatch.accepted_at is not None:
        raise refuse("已接单", code="already_accepted", status=409)
    with transaction.atomic():
        return ticket_step(ta.accept_dispatch, dispatch=dispatch, acting_user=acting_user, now=now)


@transaction.atomic
def shift_handover(*, order: RepairOrder, from_user: User, to_user: User, leader: User, reason: str,
                   now: dt.datetime) -> ShiftHandover:
    """交接班 (R-M8-10): a fault not solved within the shift goes to the next shift only with the
    leader's consent. Called by :func:`apps.repairs.actions.consents.decide_consent` when the leader
    approves the worker's request: the leader makes the new 派工单 to ``to_user`` and the hand-over
    is recorded with the leader who consented."""
    project = order.ticket.project
    if not may_consent_to_handover(leader, project) or leader.pk == from_user.pk:
        raise refuse("交接班须经负责人（主管以上）同意", field="consented_by", code="consent_required")
    if not can_see_project(to_user, project) or not has_cap(to_user, Cap.HANDLE, project):
        raise refuse("接班人不是本项目的维修人员", field="to_user")
    if order.completed_at is not None:
        raise refuse("已完工，无需交接", code="already_completed", status=409)
    dispatch = current_dispatch(order)
    if dispatch is not None and dispatch.assignee_id not in (None, from_user.pk):
        raise refuse("工单已改派，申请的交接班不再适用", code="reassigned", status=409)
    department = dispatch.department if dispatch else repair_department(project, order.ticket.category)
    if department is None:
        raise refuse("项目没有工程部，无法交接", field="to_user")
    ticket_step(ta.dispatch_ticket, ticket=order.ticket, department=department, assignee=to_user,
                instructions=f"交接班（经{leader}同意）：{reason.strip()}", acting_user=leader, now=now)
    lock(order)
    handover = ShiftHandover.objects.create(order=order, from_user=from_user, to_user=to_user,
                                            consented_by=leader, reason=reason.strip(), at=now)
    order.worker = to_user
    order.arrived_at = order.work_started_at = None
    save_order(order, ["worker", "arrived_at", "work_started_at"], acting_user=leader,
               reason=f"交接班给 {to_user}")
    return handover
