"""Durable jobs of the owners app (apps.core.jobs), registered in ``OwnersConfig.ready``.

- ``owners.request_status_sms`` reacts to ``tickets.status_changed`` when the new status is one the
  owner is told about: the owner who submitted the request online gets an SMS
  (:func:`apps.owners.actions.tell_owner_request_status`). A failure stays on the job row and is retried;
  the ticket's change is never undone.
"""

from __future__ import annotations

from apps.core import jobs
from apps.owners.actions import REQUEST_STATUS_TEXT, tell_owner_request_status
from apps.tickets.models import Ticket
from linli import clock

REQUEST_STATUS_SMS = "owners.request_status_sms"


def is_told(payload: jobs.Payload) -> bool:
    return payload.get("new") in REQUEST_STATUS_TEXT


@jobs.handler(REQUEST_STATUS_SMS)
def request_status_sms(*, ticket_id: int, old: str, new: str, now: str, **_: object) -> None:
    ticket = Ticket.objects.select_related("project", "person").get(pk=ticket_id)
    tell_owner_request_status(ticket=ticket, old=old, new=new, now=clock.parse_moment(now))


def register() -> None:
    jobs.react("tickets.status_changed", REQUEST_STATUS_SMS, when=is_told)
