"""合理化建议 (SPEC R-M1-15): the 管理处主任 decides whether a suggestion is adopted.

Adopted → the rectification measures are posted publicly (张榜公布: where and when), the resident
is put on the "爱我小区" commendation list and gets priority in the "文明户" selection
(:class:`~apps.tickets.models.Commendation`)."""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import transaction

from apps.org.access import can_see_project, roles_in
from apps.org.roles import Role
from apps.tickets.actions.base import TicketError
from apps.tickets.choices import Kind, TicketEventKind
from apps.tickets.models import Commendation, SuggestionDecision, Ticket, TicketEvent

if TYPE_CHECKING:
    from apps.org.models import User


def may_decide_suggestion(user: User, ticket: Ticket) -> bool:
    """R-M1-15: the 管理处主任 of the suggestion's project decides (a superuser too)."""
    return bool(getattr(user, "is_superuser", False)) or Role.PROJECT_MANAGER in roles_in(user, ticket.project)


@transaction.atomic()
def decide_suggestion(*, ticket: Ticket, adopted: bool, acting_user: User, now: dt.datetime, measures: str = "",
                      posted_where: str = "", posted_on: dt.date | None = None, note: str = "") -> SuggestionDecision:
    if not can_see_project(acting_user, ticket.project):
        raise TicketError("工单不存在", code="not_found", status=404)
    if not may_decide_suggestion(acting_user, ticket):
        raise TicketError("只有管理处主任可以决定是否采纳建议", code="forbidden", status=403)
    list(Ticket.objects.select_for_update().filter(pk=ticket.pk).values_list("pk", flat=True))
    if ticket.kind != Kind.SUGGESTION:
        raise TicketError("只有建议类工单需要采纳决定", field="kind")
    if SuggestionDecision.objects.filter(ticket=ticket).exists():
        raise TicketError("该建议已有处理决定", code="decided", status=409)
    today = now.astimezone(ticket.project.tz).date()
    errors: dict[str, list[str]] = {}
    if adopted:
        if not measures.strip():
            errors["measures"] = ["采纳建议须填写整改措施"]
        if not posted_where.strip():
            errors["posted_where"] = ["采纳建议须张榜公布，请填写张榜位置"]
        if posted_on is not None and posted_on > today:
            errors["posted_on"] = ["张榜日期不能晚于今天"]
    elif not note.strip():
        errors["note"] = ["不采纳须说明理由"]
    if errors:
        raise TicketError("；".join(m for msgs in errors.values() for m in msgs), fields=errors)
    decision = SuggestionDecision.objects.create(
        ticket=ticket, adopted=adopted, measures=measures.strip(), posted_where=posted_where.strip(),
        posted_on=(posted_on or today) if adopted else None, note=note.strip(), decided_by=acting_user,
        decided_at=now)
    if adopted:
        name = (ticket.person.name if ticket.person_id and ticket.person else "") or ticket.complainant_surname or "住户"
        Commendation.objects.create(project=ticket.project, ticket=ticket, household=ticket.household,
                                    resident_name=name, listed_on=decision.posted_on or today)
    TicketEvent.objects.create(
        ticket=ticket, at=now, acting_user=acting_user, kind=TicketEventKind.NOTE,
        message=("采纳建议，整改措施已张榜公布：" + measures.strip()[:150]) if adopted else f"不采纳：{note.strip()[:150]}",
        extra={"suggestion_decision": decision.pk, "adopted": adopted},
    )
    return decision
