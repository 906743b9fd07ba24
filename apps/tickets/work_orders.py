"""Repair and paid-service tickets are worked on their 工程维修工作单 (SPEC M8, issue 17).

A repair is also a pipeline ticket, but its 派工, 接单, 处理, 退单 and 回访 carry the repair rules
(持证上岗 and the steward's notice, R-M8-01/18; labour, materials, checklist, consent and the
owner's signature, R-M8-08/09/11/12/14; quality and attitude ratings, quiet hours and rework,
R-M8-07). Those rules live in ``apps.repairs`` (a higher layer), whose actions call the pipeline's
actions as their steps. The generic ticket page and API therefore do not offer these steps for
these kinds: the page links to the work order instead, and the API refuses with
``use_work_order`` naming the repairs endpoint."""
from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from apps.tickets.actions.base import TicketError
from apps.tickets.choices import WORK_ORDER_KINDS
from apps.tickets.models import Ticket

WORK_ORDER_STEPS: frozenset[str] = frozenset({"dispatch", "accept", "handling", "hand_back", "return_visit"})


def has_work_order(ticket: Ticket) -> bool:
    return ticket.kind in WORK_ORDER_KINDS


def step_on_work_order(ticket: Ticket, step: str) -> bool:
    """True when ``step`` of this ticket is done on the repair work order, not the ticket page/API."""
    return has_work_order(ticket) and step in WORK_ORDER_STEPS


def work_order_url(ticket: Ticket) -> str:
    return reverse("repairs:for_ticket", kwargs={"ticket_id": ticket.pk})


def refuse_generic_step(ticket: Ticket, step: str) -> None:
    """Raise ``use_work_order`` (409) when a repair step is attempted through the generic path."""
    if step_on_work_order(ticket, step):
        raise TicketError(_("报修和有偿服务须在维修工作单上派工、处理和回访"), code="use_work_order", status=409,
                          fields={"work_order": [work_order_url(ticket)]})
