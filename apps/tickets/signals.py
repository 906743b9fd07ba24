"""No longer sent (issue 13): apps.tickets publishes the durable events ``tickets.received``,
``tickets.status_changed`` and ``tickets.escalated_to_quality`` through :mod:`apps.core.jobs` instead
(see :mod:`apps.tickets.actions`). The signal objects stay only until the escalation and repairs
receivers that still ``connect()`` to them have moved to ``jobs.react``; then this module goes.
"""
from __future__ import annotations

from django.dispatch import Signal

ticket_received = Signal()
ticket_status_changed = Signal()
ticket_escalated_to_quality = Signal()
