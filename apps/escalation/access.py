"""Who may see and do what in escalation (on top of :mod:`apps.org.access`).

- Escalation pages and endpoints show the tickets of the projects a staff member sees, to holders
  of ``Cap.VIEW_TICKETS``; a record of another project answers 404.
- Raising, reporting and grouping need ``Cap.ESCALATE``; a manual downgrade needs ``Cap.DOWNGRADE``
  (checked by the actions, R-M3-01).
"""
from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest

from apps.escalation.models import ClusterState, ComplaintCluster
from apps.org import access
from apps.org.models import User
from apps.org.roles import Cap
from apps.tickets.models import Ticket


def staff_user(request: HttpRequest) -> User:
    """The signed-in staff member acting in this request (pages are ``login_required``, the API
    authenticates before the endpoint runs)."""
    user = request.user
    if not isinstance(user, User) or not user.is_active:
        raise PermissionDenied
    return user


def may_view_tickets(request: HttpRequest) -> bool:
    return access.has_cap(request.user, Cap.VIEW_TICKETS)


def visible_tickets(request: HttpRequest) -> QuerySet[Ticket]:
    """Tickets of the projects the user sees (empty for a user without ``Cap.VIEW_TICKETS``)."""
    if not may_view_tickets(request):
        return Ticket.objects.none()
    return Ticket.objects.filter(project__in=access.visible_projects(request.user))


def visible_clusters(request: HttpRequest) -> QuerySet[ComplaintCluster]:
    """Same-complaint groups of the projects the user sees (dissolved ones included)."""
    return ComplaintCluster.objects.filter(project__in=access.visible_projects(request.user))


def open_clusters(request: HttpRequest) -> QuerySet[ComplaintCluster]:
    return visible_clusters(request).exclude(state=ClusterState.DISSOLVED)
