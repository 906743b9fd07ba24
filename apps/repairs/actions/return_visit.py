"""维修回访 (R-M8-07, R-M17-01, P-16): quality and attitude satisfaction through the pipeline's
return visit; 不满意 sends the order back for rework to the department that did the work."""
from __future__ import annotations

import datetime as dt

from django.db import transaction

from apps.org.access import can_see_project, has_cap
from apps.org.models import Membership, User
from apps.org.roles import Cap, Role
from apps.repairs.actions._common import lock, notify_people, save_order, ticket_step
from apps.repairs.errors import RepairError, refuse
from apps.repairs.models import RepairOrder, RepairRating
from apps.repairs.queries import SAT_ORDER, overall_satisfaction, quiet_hours, repair_department
from apps.tickets import actions as ta
from apps.tickets.choices import ReturnVisitMethod, Satisfaction


@transaction.atomic
def record_repair_return_visit(*, order: RepairOrder, method: str, reached: bool, acting_user: User,
                               now: dt.datetime, quality: str = "", attitude: str = "", owner_words: str = "",
                               working_well: bool | None = None, note: str = "", give_up: bool = False,
                               emergency_reason: str = "") -> RepairRating | None:
    """维修回访 (R-M8-07, P-16): quality AND attitude satisfaction, through the pipeline's return
    visit (deadline ``return_visit``: 48 h by default, 3 days under 制度12).

    A phone call inside the quiet hours (R-M17-01) is refused unless an emergency reason is given.
    不满意 on either → the pipeline reopens the ticket (R-M4-09) and the order goes back to the
    department that did the work (返工, ``rework_count`` + 1, the same worker) until the owner is
    satisfied; the earlier acceptance is cleared so a new one is signed after the rework."""
    ticket = order.ticket
    if not can_see_project(acting_user, ticket.project):
        raise refuse("工单不存在", code="not_found", status=404)
    if order.signed_at is None and order.refused_at is None:
        raise refuse("业主尚未签名验收（或登记拒签），服务未结束，不能回访", code="not_signed",
                     status=409)
    if reached:
        errors = {}
        if quality not in SAT_ORDER:
            errors["quality"] = ["请选择维修质量满意度"]
        if attitude not in SAT_ORDER:
            errors["attitude"] = ["请选择服务态度满意度"]
        if errors:
            raise RepairError("请填写维修质量和服务态度满意度", fields=errors)
    if method == ReturnVisitMethod.PHONE and not emergency_reason.strip():
        next_ok = quiet_hours(ticket.project, now)
        if next_ok is not None:
            raise RepairError(f"现在是免打扰时段，请于 {next_ok:%Y-%m-%d %H:%M} 后再电话回访，"
                              "紧急情况须填写原因",
                              field="emergency_reason", code="quiet_hours", status=409)
    overall = overall_satisfaction(quality, attitude) if reached else ""
    words = owner_words.strip()
    if emergency_reason.strip():
        note = f"{note} 紧急回访原因：{emergency_reason.strip()}".strip()
    cycle = ticket.cycle
    visit = ticket_step(ta.record_return_visit, ticket=ticket, method=method, reached=reached,
                        acting_user=acting_user, now=now, satisfaction=overall, owner_words=words, note=note,
                        give_up=give_up)
    if not reached:
        return None
    rating = RepairRating.objects.create(order=order, return_visit=visit, cycle=cycle, quality=quality,
                                         attitude=attitude, working_well=working_well, recorded_at=now)
    if overall == Satisfaction.UNSATISFIED:
        _send_back_for_rework(order, reason=words or "回访不满意", acting_user=acting_user, now=now)
    return rating


def _send_back_for_rework(order: RepairOrder, *, reason: str, acting_user: User, now: dt.datetime) -> None:
    """返工 (R-M8-07, 001 走访制度 三.11): the reopened ticket goes back to the department (and worker)
    that did the work; the on-site record of the new cycle starts empty."""
    ticket = order.ticket
    ticket.refresh_from_db()
    last = ticket.dispatches.order_by("-dispatched_at", "-id").first()
    department = last.department if last else repair_department(ticket.project, ticket.category)
    worker = order.worker or (last.assignee if last else None)
    lock(order)
    order.rework_count += 1
    order.arrived_at = order.work_started_at = order.completed_at = None
    order.signed_at = order.refused_at = None
    order.signed_name = order.refusal_reason = ""
    order.quality_ok = None
    order.cosmetic_ok = None
    save_order(order, ["rework_count", "arrived_at", "work_started_at", "completed_at", "signed_at", "refused_at",
                       "signed_name", "refusal_reason", "quality_ok", "cosmetic_ok"], acting_user=acting_user,
               reason=f"回访不满意，返工：{reason}")
    if department is None:
        return
    if has_cap(acting_user, Cap.DISPATCH, ticket.project):
        ticket_step(ta.dispatch_ticket, ticket=ticket, department=department, assignee=worker,
                    instructions=f"回访不满意，返工：{reason}", acting_user=acting_user, now=now)
    else:
        heads = [m.user for m in Membership.objects.filter(department=department, role=Role.DEPT_HEAD)
                 .select_related("user")]
        notify_people(heads, kind="repair_rework", subject=f"报修 {ticket.number} 回访不满意，须返工",
                      body=reason[:200], link=f"/repairs/orders/{order.pk}/", project=ticket.project,
                      dedupe_key=f"rework-{order.pk}-{ticket.cycle}", now=now)
