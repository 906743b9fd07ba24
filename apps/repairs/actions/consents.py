"""负责人同意 (R-M8-10 交接班, R-M8-11 改动原有线路/装修): the worker asks, the leader decides.

- :func:`request_consent` — the worker holding the order asks (reason; the next shift's worker for a
  hand-over); every leader who may decide gets a staff notice;
- :func:`decide_consent` — a leader (not the asker) approves or refuses. An approved hand-over is
  carried out at once by the leader: the new 派工单 is the leader's (``shift_handover``). An approved
  wiring change is what :func:`apps.repairs.actions.onsite.complete_repair` requires before a repair
  that changed the wiring can be completed. A reported major problem (重大问题上报, R-M8-15 (9): major
  problems are never handled privately) holds the completion until the leader decided and agreed
  the handling may go on.
"""
from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction

from apps.org.access import can_see_project, has_cap
from apps.org.models import User
from apps.org.roles import Cap
from apps.repairs.access import may_approve_wiring, may_consent_to_handover, require_work
from apps.repairs.actions._common import lock, notify_people
from apps.repairs.actions.dispatch import shift_handover
from apps.repairs.errors import refuse
from apps.repairs.models import ConsentKind, LeaderConsent, RepairOrder
from apps.repairs.queries import leaders


def may_decide(user: User, order: RepairOrder, kind: str) -> bool:
    project = order.ticket.project
    if kind == ConsentKind.WIRING:
        return may_approve_wiring(user, project)
    return may_consent_to_handover(user, project)


@transaction.atomic
def request_consent(*, order: RepairOrder, kind: str, reason: str, to_user: User | None = None,
                    acting_user: User, now: dt.datetime) -> LeaderConsent:
    """The worker asks the leader's consent (R-M8-10 hand-over to ``to_user``; R-M8-11 wiring change)."""
    require_work(acting_user, order)
    order = lock(order)
    if kind not in ConsentKind.values:
        raise refuse("请选择申请事项", field="kind")
    if not reason.strip():
        asks: dict[str, str] = {ConsentKind.HANDOVER: "请填写原因", ConsentKind.MAJOR: "请填写发现的重大问题"}
        raise refuse(asks.get(kind, "请填写改动内容和原因"), field="reason")
    if order.completed_at is not None:
        raise refuse("已完工，无需申请", code="already_completed", status=409)
    project = order.ticket.project
    if kind == ConsentKind.HANDOVER:
        if to_user is None or to_user.pk == acting_user.pk or not can_see_project(to_user, project) \
                or not has_cap(to_user, Cap.HANDLE, project):
            raise refuse("请选择本项目的接班维修人员", field="to_user")
    else:
        to_user = None
    try:
        with transaction.atomic():
            consent = LeaderConsent.objects.create(order=order, kind=kind, reason=reason.strip()[:2000],
                                                   to_user=to_user, requested_by=acting_user, requested_at=now)
    except IntegrityError:
        raise refuse("已有待负责人决定的申请", code="consent_pending", status=409) from None
    ticket = order.ticket
    notify_people(
        [u for u in leaders(project) if u.pk != acting_user.pk and may_decide(u, order, kind)],
        kind="repair_consent", subject=f"{ticket.number} 请求同意：{consent.get_kind_display()}",
        body=f"{acting_user}：{consent.reason[:100]}", project=project, link=f"/repairs/orders/{order.pk}/",
        dedupe_key=f"repair_consent:{consent.pk}", now=now)
    return consent


@transaction.atomic
def decide_consent(*, consent: LeaderConsent, approve: bool, note: str = "", acting_user: User,
                   now: dt.datetime) -> LeaderConsent:
    """The leader approves or refuses; nobody decides their own request."""
    consent = LeaderConsent.objects.select_for_update().select_related("order__ticket__project").get(pk=consent.pk)
    order = consent.order
    if not can_see_project(acting_user, order.ticket.project):
        raise refuse("工单不存在", code="not_found", status=404)
    if not may_decide(acting_user, order, consent.kind):
        raise refuse("只有工程部经理可以同意改动线路" if consent.kind == ConsentKind.WIRING else "只有负责人可以决定",
                     code="forbidden", status=403)
    if acting_user.pk == consent.requested_by_id:
        raise refuse("不能决定自己的申请", code="own_request", status=403)
    if consent.decided_at is not None:
        raise refuse("该申请已有决定", code="already_decided", status=409)
    if not approve and not note.strip():
        raise refuse("不同意时请写明意见", field="note")
    consent.decided_by, consent.decided_at, consent.approved, consent.note = acting_user, now, bool(approve), note.strip()[:200]
    consent.save(update_fields=["decided_by", "decided_at", "approved", "note"])
    if approve and consent.kind == ConsentKind.HANDOVER:
        assert consent.to_user is not None
        shift_handover(order=order, from_user=consent.requested_by, to_user=consent.to_user, leader=acting_user,
                       reason=consent.reason, now=now)
    notify_people([consent.requested_by], kind="repair_consent",
                  subject=f"{order.ticket.number} {consent.get_kind_display()}：{'同意' if approve else '不同意'}",
                  body=consent.note or "", project=order.ticket.project, link=f"/repairs/orders/{order.pk}/",
                  dedupe_key=f"repair_consent_decided:{consent.pk}", now=now)
    return consent


def approved_wiring_consent(order: RepairOrder) -> LeaderConsent | None:
    return (LeaderConsent.objects.filter(order=order, kind=ConsentKind.WIRING, approved=True)
            .select_related("decided_by").order_by("-decided_at").first())
