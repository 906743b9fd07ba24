"""Facts the lower modules need from the ticket pipeline, supplied at start-up (dependency inversion).

``apps.estates`` and ``apps.notify`` sit below ``apps.tickets`` and may not import it; each exposes a
small registration point and ``HomeConfig.ready()`` plugs the ticket pipeline in:

- estates' R-M7-01 own-work test (AS-40): a butler's own work includes the households of the tickets
  they handle or received (:func:`tickets_of_user_on_household`);
- notify's outbound call list (R-M4-14): the return-visit queue of the tickets the user may see
  (:func:`return_visit_calls`).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet

from apps.estates import access as estates_access
from apps.notify import queries as notify_queries
from apps.tickets import access as ticket_access
from apps.tickets import queries as ticket_queries
from apps.tickets.models import Ticket

if TYPE_CHECKING:
    from apps.estates.models import Household
    from apps.org.models import User

CALL_LIST_LIMIT = 200


def tickets_of_user_on_household(user: User, household: Household) -> bool:
    """AS-40: the household has a ticket the user handles or received."""
    return Ticket.objects.filter(household=household).filter(Q(handler=user) | Q(receiver=user)).exists()


def return_visit_calls(user: Any) -> QuerySet[Ticket]:
    """待回访 tickets the user may see, oldest first (the call list's items)."""
    return (ticket_queries.return_visit_queue(ticket_access.visible_tickets(user))
            .select_related("project", "household").order_by("received_at")[:CALL_LIST_LIMIT])


def wire() -> None:
    estates_access.provide_own_work(tickets_of_user_on_household)
    notify_queries.provide_call_candidates(return_visit_calls)
