"""Who may see which tickets (STYLE §7; SPEC M19). Every view and endpoint goes through here.

A ticket in a project the user cannot see answers exactly like a missing one (404), so ids do not
leak across projects.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest

from apps.org.access import has_cap, visible_projects
from apps.org.models import Company, Membership, User
from apps.org.roles import ROLE_INFO, Cap, Role
from apps.tickets.models import Ticket

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser



def staff_user(request: HttpRequest) -> User:
    """The signed-in user of a page (``@login_required``) or an API call (token auth): never anonymous
    there, so a request without one is refused like a missing page."""
    user = request.user
    if not isinstance(user, User):
        raise Http404
    return user


class TicketNotFound(Http404):
    """The same answer for 'does not exist' and 'not yours' (HTTP 404)."""

    status = 404
    code = "not_found"
    message = "工单不存在"


def visible_tickets(user: User | AnonymousUser) -> QuerySet[Ticket]:
    """Tickets of the projects ``user`` may see, when they may view tickets at all."""
    if not getattr(user, "is_authenticated", False):
        return Ticket.objects.none()
    if not has_cap(user, Cap.VIEW_TICKETS):
        return Ticket.objects.none()
    return Ticket.objects.filter(project__in=visible_projects(user))


def access_ticket(user: User | AnonymousUser, ticket_id: Any, *, for_update: bool = False) -> Ticket:
    """The ticket ``ticket_id`` (pk or number) if ``user`` may see it, else :class:`TicketNotFound`."""
    qs = visible_tickets(user)
    if for_update:
        qs = qs.select_for_update()
    try:
        if isinstance(ticket_id, str) and not ticket_id.isdigit():
            return qs.get(number=ticket_id)
        return qs.get(pk=int(ticket_id))
    except (Ticket.DoesNotExist, ValueError, TypeError):
        raise TicketNotFound(TicketNotFound.message) from None


def can_act(user: User | AnonymousUser, cap: str, ticket: Ticket) -> bool:
    """Does ``user`` hold ``cap`` in the ticket's project?"""
    return has_cap(user, cap, ticket.project)


def may_manage_complaint_settings(user: User | AnonymousUser, company_id: int) -> bool:
    """The company's administrators (a company-level role with MANAGE_CONFIG, i.e. 系统管理员) and
    品质管理部, who owns the complaint procedure, keep the company's complaint settings (R-M1-18)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if getattr(user, "is_superuser", False):
        return True
    return any(m.company_id == company_id and ROLE_INFO[m.role].company_level
               and (Cap.MANAGE_CONFIG in ROLE_INFO[m.role].caps or m.role == Role.QUALITY)
               for m in Membership.objects.filter(user_id=user.pk))


def managed_company_ids(user: User | AnonymousUser) -> list[int]:
    """Companies whose complaint settings ``user`` keeps (see :func:`may_manage_complaint_settings`)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    if getattr(user, "is_superuser", False):
        return list(Company.objects.order_by("id").values_list("id", flat=True))
    ids = {m.company_id for m in Membership.objects.filter(user_id=user.pk)
           if ROLE_INFO[m.role].company_level and (Cap.MANAGE_CONFIG in ROLE_INFO[m.role].caps or m.role == Role.QUALITY)}
    return sorted(ids)
