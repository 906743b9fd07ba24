"""Receivers of the tickets domain's signals (connected in ``EscalationConfig.ready``)."""
from __future__ import annotations

import logging
from typing import Any

from apps.escalation import actions
from linli import clock

log = logging.getLogger(__name__)


def on_ticket_received(sender: Any, ticket: Any, **kwargs: Any) -> None:
    """A complaint was recorded: group it with earlier ones about the same matter and apply the
    immediate criteria (collective size, lawsuit, media, risk flags) (R-M3-02, R-M3-03, R-M3-04)."""
    if getattr(ticket, "kind", None) != "complaint":
        return
    now = clock.now()
    if actions.attach_to_cluster(ticket, now=now) is None:
        actions.evaluate(ticket, now=now)


def on_ticket_status_changed(sender: Any, ticket: Any, old: str, new: str, **kwargs: Any) -> None:
    """Closing a hot/major complaint makes its close-out reports due (R-M3-07, R-M3-10)."""
    if getattr(ticket, "kind", None) == "complaint" and new in ("closed", "unresolved") and ticket.escalation_level != "none":
        actions.on_ticket_closed(ticket, now=clock.now())


def connect() -> bool:
    try:
        from apps.tickets import signals
    except ImportError:
        log.info("apps.tickets.signals not available yet; escalation receivers not connected")
        return False
    signals.ticket_received.connect(on_ticket_received, dispatch_uid="escalation.on_ticket_received")
    signals.ticket_status_changed.connect(on_ticket_status_changed, dispatch_uid="escalation.on_ticket_status_changed")
    return True
