"""What a major complaint's separate volume (单独立卷) holds (R-M6-04): the ticket, the reports of
R-M3-08/-09/-10 (and the hot reports it also owes), the correspondence and the evidence. One read for
the volume page and the API."""
from __future__ import annotations

from typing import Any

from apps.escalation.models import EscalationReport, LeadershipOpinion
from apps.tickets.models import Ticket


def contents(ticket: Ticket) -> dict[str, list[Any]]:
    return {
        "reports": list(EscalationReport.objects.filter(ticket=ticket).select_related("sent_by")
                        .order_by("created_at", "pk")),
        "replies": list(ticket.replies.filter(sent_at__isnull=False).order_by("sent_at", "pk")),
        "letters": list(ticket.developer_transfers.order_by("sent_at", "pk")),
        "attachments": list(ticket.attachments.order_by("uploaded_at", "pk")),
        "opinions": list(LeadershipOpinion.objects.filter(ticket=ticket).order_by("given_on", "pk")),
    }
