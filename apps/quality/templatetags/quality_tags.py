"""``{% ncr_panel ticket %}`` — the NCR panel on the ticket detail page (R-M2-04): the ticket's reports,
whether handling waits for the 管理者代表, and the link to raise one (for those who may)."""
from __future__ import annotations

from typing import Any

from django import template

from apps.org import access
from apps.org.roles import Cap
from apps.quality.models import OPEN_NCR_STATUSES, NonconformityReport
from apps.tickets.choices import OPEN_STATUSES

register = template.Library()


@register.inclusion_tag("quality/_ticket_panel.html", takes_context=True)
def ncr_panel(context: dict[str, Any], ticket: Any) -> dict[str, Any]:
    user = context["request"].user
    reports = list(NonconformityReport.objects.filter(ticket=ticket).select_related("raised_by", "signed_by")
                   .order_by("raised_at", "id"))
    has_open = any(r.status in OPEN_NCR_STATUSES for r in reports)
    return {
        "ticket": ticket, "reports": reports,
        "blocking": next((r for r in reports if r.blocks_handling), None),
        "can_raise": (not has_open and ticket.status in OPEN_STATUSES
                      and access.has_cap(user, Cap.RAISE_NCR, ticket.project)),
    }
