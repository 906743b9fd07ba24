"""Durable jobs of the assessments app (apps.core.jobs), registered in ``AssessmentsConfig.ready``.
Each turns an event into a suggested entry on the employee's sheet of that month (R-M14-02, -04, -05);
handlers are idempotent (one suggestion per ``event_key``). The events and payloads accepted are
documented in this app's README.md.

- ``tickets.status_changed`` → ``assessments.ticket_closed`` (when the ticket closes): a praise naming a
  staff member; a valid complaint naming one; each stage deadline of the ticket not met in time, against
  the ticket's handler.
- ``tickets.escalated_to_quality`` → ``assessments.ticket_escalated``: a complaint naming a staff member.
- ``staff.performance_event`` → ``assessments.performance_event``: any module's event about a staff
  member (inspections, visits, …) with a complete payload.
"""
from __future__ import annotations

import datetime as dt
import hashlib

from django.urls import reverse

from apps.assessments.actions import suggest_entry
from apps.assessments.models import EntrySource, SuggestionKind
from apps.core import jobs
from apps.tickets.choices import Kind, TicketStatus
from apps.tickets.models import Deadline, Ticket
from linli import clock

TICKET_CLOSED = "assessments.ticket_closed"
TICKET_ESCALATED = "assessments.ticket_escalated"
PERFORMANCE_EVENT = "assessments.performance_event"

KIND_SOURCE = {
    SuggestionKind.PRAISE: EntrySource.CUSTOMER_PRAISE,
    SuggestionKind.COMPLAINT: EntrySource.CUSTOMER_COMPLAINT,
    SuggestionKind.MISSED_DEADLINE: EntrySource.DEPARTMENT_CHECK,
    SuggestionKind.UNSATISFIED_VISIT: EntrySource.CUSTOMER_COMPLAINT,
    SuggestionKind.VISIT_SHORTFALL: EntrySource.DEPARTMENT_CHECK,
    SuggestionKind.INSPECTION: EntrySource.DAILY_INSPECTION,
}


def _named(ticket: Ticket, now: dt.datetime) -> None:
    if ticket.staff_named_id is None:
        return
    url = reverse("tickets:detail", args=[ticket.pk])
    if ticket.kind == Kind.PRAISE:
        suggest_entry(employee_id=ticket.staff_named_id, project_id=ticket.project_id, occurred_at=ticket.received_at,
                      kind=SuggestionKind.PRAISE, source=EntrySource.CUSTOMER_PRAISE,
                      summary=f"顾客表扬（工单 {ticket.number}）：{ticket.content[:100]}", url=url,
                      event_key=f"ticket-{ticket.pk}-praise")
    elif ticket.kind == Kind.COMPLAINT and ticket.valid_complaint is not False:
        suggest_entry(employee_id=ticket.staff_named_id, project_id=ticket.project_id, occurred_at=ticket.received_at,
                      kind=SuggestionKind.COMPLAINT, source=EntrySource.CUSTOMER_COMPLAINT,
                      summary=f"顾客投诉（工单 {ticket.number}）：{ticket.content[:100]}", url=url,
                      event_key=f"ticket-{ticket.pk}-complaint")


@jobs.handler(TICKET_CLOSED)
def on_ticket_closed(*, ticket_id: int, now: str, **_: object) -> None:
    ticket = Ticket.objects.get(pk=ticket_id)
    moment = clock.parse_moment(now)
    if ticket.kind == Kind.PRAISE or ticket.valid_complaint is True:
        _named(ticket, moment)
    if ticket.handler_id is None:
        return
    for d in Deadline.objects.filter(ticket=ticket, met_in_time=False).order_by("id"):
        suggest_entry(employee_id=ticket.handler_id, project_id=ticket.project_id, occurred_at=d.due_at or moment,
                      kind=SuggestionKind.MISSED_DEADLINE, source=EntrySource.DEPARTMENT_CHECK,
                      summary=f"工单 {ticket.number} 的“{d.get_stage_display()}”未按时完成",
                      url=reverse("tickets:detail", args=[ticket.pk]), event_key=f"ticket-{ticket.pk}-deadline-{d.pk}")


@jobs.handler(TICKET_ESCALATED)
def on_ticket_escalated(*, ticket_id: int, now: str, **_: object) -> None:
    _named(Ticket.objects.get(pk=ticket_id), clock.parse_moment(now))


@jobs.handler(PERFORMANCE_EVENT)
def on_performance_event(*, employee_id: int, project_id: int, occurred_at: str, kind: str, summary: str,
                         url: str = "", source: str = "", event_key: str = "", **_: object) -> None:
    if kind not in SuggestionKind.values:
        raise ValueError(f"unknown performance event kind {kind!r}")
    source = source if source in EntrySource.values else KIND_SOURCE[SuggestionKind(kind)]
    key = event_key or "perf-" + hashlib.sha1(
        f"{employee_id}|{project_id}|{occurred_at}|{kind}|{summary}".encode(), usedforsecurity=False).hexdigest()
    suggest_entry(employee_id=employee_id, project_id=project_id, occurred_at=clock.parse_moment(occurred_at),
                  kind=kind, source=source, summary=summary, url=url, event_key=key)


def is_closed(payload: jobs.Payload) -> bool:
    return payload.get("new") == TicketStatus.CLOSED


def register() -> None:
    jobs.react("tickets.status_changed", TICKET_CLOSED, when=is_closed)
    jobs.react("tickets.escalated_to_quality", TICKET_ESCALATED)
    jobs.react("staff.performance_event", PERFORMANCE_EVENT)
