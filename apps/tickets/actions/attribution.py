"""责任归属认定 (R-M3-05): where the cause of a complaint's non-resolution lies — ours, the developer,
the municipality, the customer or another party. The hot and major time criteria (R-M3-02 d,
R-M3-03 d) count only while it is ours. It is "ours" until someone who may escalate complaints
(主管及以上, 品质管理部) determines otherwise, always with a reason; who, when and why are kept on the
ticket and on its timeline. A written transfer to the developer sets it to "developer" (R-M2-03)."""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import transaction

from apps.org.roles import Cap
from apps.tickets.actions.base import _event, _lock, _refuse, _require, _save
from apps.tickets.choices import Attribution, Kind, TicketEventKind, TicketStatus
from apps.tickets.models import Ticket

if TYPE_CHECKING:
    from apps.org.models import User

MIN_REASON = 4


@transaction.atomic()
def determine_attribution(*, ticket: Ticket, attribution: str, reason: str, acting_user: User,
                          now: dt.datetime) -> Ticket:
    """Record the attribution of ``ticket`` with the reason (at least four characters). Needs
    ``Cap.ESCALATE``; complaints only; a voided ticket is refused. The same value again changes
    nothing."""
    _require(acting_user, Cap.ESCALATE, ticket, "只有主管及以上或品质管理部可以认定责任归属")
    _lock(ticket)
    if attribution not in Attribution.values:
        raise _refuse("责任归属不正确", field="attribution")
    if ticket.kind != Kind.COMPLAINT:
        raise _refuse("只有投诉需要认定责任归属", field="attribution", code="not_applicable", status=409)
    if ticket.status == TicketStatus.VOIDED:
        raise _refuse("已作废的工单不能修改", code="voided", status=409)
    if attribution == ticket.attribution:
        return ticket
    reason = (reason or "").strip()
    if len(reason) < MIN_REASON:
        raise _refuse("更改责任归属须填写原因（至少4个字）", field="reason", code="reason_required")
    old = ticket.attribution
    _set(ticket, attribution, reason=reason, acting_user=acting_user, now=now)
    message = f"责任归属：{Attribution(old).label} → {Attribution(attribution).label}：{reason}"
    _save(ticket, ["attribution", "our_side", "attribution_reason", "attribution_by", "attribution_at"],
          acting_user=acting_user, reason=message)
    _event(ticket, TicketEventKind.EDITED, acting_user=acting_user, now=now, message=message,
           changes={"attribution": [old, attribution]})
    return ticket


def _set(ticket: Ticket, attribution: str, *, reason: str, acting_user: User | None, now: dt.datetime) -> None:
    """Assign the attribution fields (the caller saves); ``our_side`` mirrors "ours"."""
    ticket.attribution = attribution
    ticket.our_side = attribution == Attribution.OURS
    ticket.attribution_reason = reason[:1000]
    ticket.attribution_by = acting_user
    ticket.attribution_at = now


def attribution_from_flags(our_side: bool, *, developer: bool = False, municipal: bool = False) -> str:
    """The attribution a yes/no "our side" edit (intake, the ticket edit) stands for."""
    if our_side:
        return Attribution.OURS
    if developer:
        return Attribution.DEVELOPER
    if municipal:
        return Attribution.MUNICIPAL
    return Attribution.OTHER
