"""The R-M2-04 gate, asked by apps.tickets.actions before dispatch, acceptance and handling.

"对超出本部门处理权限的或需报请公司决定的问题 … 由管理者代表签发《不合格/纠正、预防措施报告》后处理"
(seed 002 篇5 §4.4): while a ticket has a report that is raised but not yet signed, handling must
not start. Kept here (not in the tickets app) so the tickets domain only asks one small question.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from apps.quality.models import UNSIGNED_STATUSES, NonconformityReport

if TYPE_CHECKING:
    from apps.tickets.models import Ticket

CODE = "awaiting_ncr_signature"


def handling_blocked(ticket: Ticket) -> NonconformityReport | None:
    """The unsigned report that stops handling of ``ticket``, or None."""
    return (NonconformityReport.objects.filter(ticket_id=ticket.pk, status__in=UNSIGNED_STATUSES)
            .only("pk", "number", "status").first())


def blocked_message(report: NonconformityReport) -> str:
    return (f"该工单已提交《不合格/纠正、预防措施报告》{report.number}，须经管理者代表签发后才能开始处理")
