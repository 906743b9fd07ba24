"""赔偿 (R-M2-24): claims, decisions within the role limits, referrals.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from django.db import transaction

from apps.org.access import roles_in
from apps.org.models import Project
from apps.org.roles import ROLE_INFO, Cap
from apps.tickets.actions.base import (
    TicketError,
    _event,
    _lock,
    _refuse,
    _require,
)
from apps.tickets.choices import (
    CompensationStatus,
    TicketEventKind,
)
from apps.tickets.models import (
    CompensationClaim,
    CompensationLimit,
    Ticket,
)

if TYPE_CHECKING:
    from apps.org.models import User

# ---------------------------------------------------------------- compensation (R-M2-24)


def compensation_limit_for(user: User, project: Project) -> Decimal | None:
    """The largest amount ``user`` may approve in ``project`` (None = no limit, Decimal(0) = none).
    Company rows override the shipped defaults (POLICY P-11)."""
    if getattr(user, "is_superuser", False):
        return None
    best: Decimal | None = Decimal(0)
    for role in roles_in(user, project):
        if Cap.APPROVE_COMPENSATION not in ROLE_INFO[role].caps:
            continue
        row = (CompensationLimit.objects.filter(company_id=project.company_id, role=role).first()
               or CompensationLimit.objects.filter(company=None, role=role).first())
        if row is None:
            continue
        if row.max_amount is None:
            return None
        best = max(best or Decimal(0), row.max_amount)
    return best


@transaction.atomic()
def claim_compensation(*, ticket: Ticket, amount: Decimal | str | float, content: str, acting_user: User,
                       now: dt.datetime, involves_engineering_or_sales: bool = False) -> CompensationClaim:
    """赔偿申请 (R-M2-24): the customer's claim with amount and content, waiting for approval."""
    _require(acting_user, Cap.REPLY, ticket, "无权登记赔偿申请")
    _lock(ticket)
    try:
        value = Decimal(str(amount)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise _refuse("金额格式不正确", field="amount") from None
    if value <= 0:
        raise _refuse("金额须大于 0", field="amount")
    if not content.strip():
        raise _refuse("请填写索赔内容", field="content")
    claim = CompensationClaim.objects.create(ticket=ticket, amount=value, content=content.strip(),
                                             involves_engineering_or_sales=involves_engineering_or_sales,
                                             recorded_by=acting_user, recorded_at=now)
    _event(ticket, TicketEventKind.COMPENSATION, acting_user=acting_user, now=now,
           message=f"赔偿申请 ¥{value}：{content.strip()[:150]}", claim=claim.pk, amount=value)
    return claim


@transaction.atomic()
def decide_compensation(*, claim: CompensationClaim, approve: bool, acting_user: User, now: dt.datetime,
                        note: str = "", approved_amount: Decimal | str | None = None) -> CompensationClaim:
    """赔偿审批 (R-M2-24, POLICY P-11): approve up to the acting user's role limit
    (:class:`CompensationLimit`), or reject with a reason. A claim over every limit or involving
    engineering/sales problems must be referred (:func:`refer_compensation`)."""
    ticket = claim.ticket
    _require(acting_user, Cap.APPROVE_COMPENSATION, ticket, "无权审批赔偿")
    _lock(ticket)
    claim.refresh_from_db()
    if claim.status != CompensationStatus.PENDING:
        raise _refuse("该申请已处理", code="decided", status=409)
    if claim.recorded_by_id == acting_user.pk:  # separation of duties (issue 23 item 4)
        raise TicketError("不能审批自己登记的赔偿申请，请由其他有审批权限的人员审批", code="own_claim",
                          status=403, field="claim")
    if approve:
        amount = Decimal(str(approved_amount)) if approved_amount not in (None, "") else claim.amount
        if amount <= 0 or amount > claim.amount:
            raise _refuse("批准金额须大于 0 且不超过申请金额", field="approved_amount")
        if claim.involves_engineering_or_sales:
            raise TicketError("涉及工程或销售问题的索赔须报地产客户服务中心", code="must_refer",
                              status=409, field="approve")
        limit = compensation_limit_for(acting_user, ticket.project)
        if limit is not None and amount > limit:
            raise TicketError(f"超出您的审批权限（上限 ¥{limit}），请报上级或转报", code="over_limit",
                              status=403, field="amount")
        claim.status, claim.approved_amount = CompensationStatus.APPROVED, amount
    else:
        if not note.strip():
            raise _refuse("驳回须填写理由", field="note")
        claim.status = CompensationStatus.REJECTED
    claim.decided_by, claim.decided_at, claim.decision_note = acting_user, now, note
    claim.save(update_fields=["status", "approved_amount", "decided_by", "decided_at", "decision_note"])
    _event(ticket, TicketEventKind.COMPENSATION, acting_user=acting_user, now=now,
           message=f"赔偿{'批准 ¥' + str(claim.approved_amount) if approve else '驳回'} {note}".strip(), claim=claim.pk)
    return claim


@transaction.atomic()
def refer_compensation(*, claim: CompensationClaim, note: str, acting_user: User, now: dt.datetime) -> CompensationClaim:
    """转报 (R-M2-24): beyond the company's authority or involving engineering/sales problems → the
    developer's customer centre / the company's major-business approval procedure."""
    ticket = claim.ticket
    _require(acting_user, Cap.APPROVE_COMPENSATION, ticket, "无权转报赔偿")
    _lock(ticket)
    claim.refresh_from_db()
    if claim.status != CompensationStatus.PENDING:
        raise _refuse("该申请已处理", code="decided", status=409)
    if not note.strip():
        raise _refuse("请填写转报说明", field="note")
    claim.status, claim.decided_by, claim.decided_at, claim.decision_note = (
        CompensationStatus.REFERRED, acting_user, now, note.strip())
    claim.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    _event(ticket, TicketEventKind.COMPENSATION, acting_user=acting_user, now=now, message=f"赔偿转报：{note.strip()}",
           claim=claim.pk)
    return claim


