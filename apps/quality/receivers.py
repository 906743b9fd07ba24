"""Receivers of the tickets domain's signals (connected in ``QualityConfig.ready``)."""
from __future__ import annotations

from typing import Any

from linli import clock


def on_ticket_status_changed(sender: Any, ticket: Any, old: str, new: str, **kwargs: Any) -> None:
    """Voiding a ticket withdraws its unsigned 《不合格报告》 (R-M2-04): it is no longer 待签发."""
    from apps.tickets.choices import TicketStatus

    if new == TicketStatus.VOIDED:
        from apps.quality.actions import withdraw_for_voided_ticket

        withdraw_for_voided_ticket(ticket=ticket, now=clock.now())


def connect() -> None:
    from apps.tickets import signals

    signals.ticket_status_changed.connect(on_ticket_status_changed, dispatch_uid="quality.on_ticket_status_changed")
