"""Durable jobs of escalation: the reactions to the tickets domain's events (``apps.core.jobs``).

Subscribed by :func:`react_to_tickets`, which :meth:`apps.escalation.apps.EscalationConfig.ready` calls:

- ``tickets.received`` (a complaint) → ``escalation.evaluate_complaint``: same-complaint grouping and
  the immediate hot/major criteria (R-M3-02, R-M3-03, R-M3-04), at the intake time.
- ``tickets.status_changed`` (a complaint closed or set to 未关闭) → ``escalation.on_complaint_closed``:
  the close-out reports of a hot/major complaint become due (R-M3-07, R-M3-10).
- ``tickets.status_changed`` (a complaint set to 未关闭) → ``escalation.ask_leadership_opinion``: the
  分管领导 or 公司管理层 (POLICY P-10) are asked for their handling opinion (R-M3-12).

Both are safe to retry: a failure is recorded on the job row and the job runs again later.
"""
from __future__ import annotations

from typing import Any

from apps.core import jobs
from apps.escalation import actions
from apps.escalation.models import Level
from apps.tickets.models import Ticket
from linli import clock


@jobs.handler("escalation.evaluate_complaint")
def evaluate_complaint(*, ticket_id: int, now: str, **_: Any) -> None:
    """Group the new complaint and evaluate it as of ``now``, the intake time (not the time the job
    runs: a retry an hour later judges the same facts)."""
    ticket = Ticket.objects.select_related("project").filter(pk=ticket_id).first()
    if ticket is None:  # deleted since (only test or data-fix deletions remove tickets)
        return
    actions.evaluate_complaint(ticket, now=clock.parse_moment(now))


@jobs.handler("escalation.on_complaint_closed")
def on_complaint_closed(*, ticket_id: int, now: str, **_: Any) -> None:
    """A hot/major complaint was closed: its case report (and a major one's special report) is due."""
    ticket = Ticket.objects.select_related("project").filter(pk=ticket_id).first()
    if ticket is None or ticket.escalation_level == Level.NONE:
        return
    actions.on_ticket_closed(ticket, now=clock.parse_moment(now))


@jobs.handler("escalation.ask_leadership_opinion")
def ask_leadership_opinion(*, ticket_id: int, now: str, **_: Any) -> None:
    """A complaint could not be resolved: leadership is asked for its handling opinion (R-M3-12)."""
    ticket = Ticket.objects.select_related("project").filter(pk=ticket_id).first()
    if ticket is None:
        return
    actions.ask_leadership_opinion(ticket, now=clock.parse_moment(now))


def react_to_tickets() -> None:
    """Subscribe the jobs above to the tickets domain's events (called by ``EscalationConfig.ready``)."""
    jobs.react("tickets.received", "escalation.evaluate_complaint", when=lambda p: p["kind"] == "complaint")
    jobs.react("tickets.status_changed", "escalation.on_complaint_closed",
               when=lambda p: p["kind"] == "complaint" and p["new"] in ("closed", "unresolved"))
    jobs.react("tickets.status_changed", "escalation.ask_leadership_opinion",
               when=lambda p: p["kind"] == "complaint" and p["new"] == "unresolved")
