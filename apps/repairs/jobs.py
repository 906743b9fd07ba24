"""Durable jobs of the repairs app (apps.core.jobs), registered in RepairsConfig.ready().

- ``repairs.order_for_ticket`` reacts to ``tickets.received`` for repair and paid-service tickets:
  a ticket received through the generic ticket form or API (not through
  :func:`apps.repairs.actions.receive_repair`, which creates the work order in the intake's own
  transaction) gets its work order after the commit. Idempotent: get-or-create, so a repeat or a
  retry never makes a second order. A failure is recorded on the Job row and retried."""
from __future__ import annotations

from typing import Any

from apps.core import jobs
from apps.repairs.actions import order_for
from apps.tickets.models import Ticket

ORDER_FOR_TICKET = "repairs.order_for_ticket"


@jobs.handler(ORDER_FOR_TICKET)
def order_for_ticket(*, ticket_id: int, **_: Any) -> None:
    order_for(Ticket.objects.select_related("project", "category").get(pk=ticket_id))
