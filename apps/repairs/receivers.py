"""Signal receivers: every repair or paid-service ticket gets its work order, also when it was
received through the generic ticket form (apps.tickets signals are sent after the commit)."""
from __future__ import annotations

from typing import Any


def on_ticket_received(sender: Any, ticket: Any, **kwargs: Any) -> None:
    from apps.repairs import services

    if ticket.kind in services.REPAIR_KINDS:
        services.order_for(ticket)


def connect() -> None:
    from apps.tickets import signals

    signals.ticket_received.connect(on_ticket_received, dispatch_uid="repairs-order-on-intake")
