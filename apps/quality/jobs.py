"""Durable jobs of the quality app (apps.core.jobs), registered in ``QualityConfig.ready``.

- ``quality.withdraw_for_voided_ticket`` reacts to ``tickets.status_changed`` when the new status is
  作废: the ticket's unsigned 《不合格报告》 is withdrawn by the system and the R-M2-04 hold released
  (R-M2-04). A failure stays on the job row and is retried; the void itself is never undone.
"""
from __future__ import annotations

from apps.core import jobs
from apps.quality.actions import withdraw_for_voided_ticket
from apps.tickets.choices import TicketStatus
from apps.tickets.models import Ticket
from linli import clock

WITHDRAW_FOR_VOIDED_TICKET = "quality.withdraw_for_voided_ticket"


def is_void(payload: jobs.Payload) -> bool:
    return payload.get("new") == TicketStatus.VOIDED


@jobs.handler(WITHDRAW_FOR_VOIDED_TICKET)
def withdraw_reports_of_voided_ticket(*, ticket_id: int, now: str, **_: object) -> None:
    ticket = Ticket.objects.get(pk=ticket_id)
    withdraw_for_voided_ticket(ticket=ticket, now=clock.parse_moment(now))


def register() -> None:
    jobs.react("tickets.status_changed", WITHDRAW_FOR_VOIDED_TICKET, when=is_void)
