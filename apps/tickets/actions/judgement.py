"""投诉判定: 有效投诉 (R-M1-18) and 重要投诉 (R-M2-22), set after intake by the people who judge them.

- Validity is set by the handler (R-M1-18): the person handling the complaint, or anyone of supervisor
  rank or above in the project (who verifies the handling, R-M19-09) and 品质管理部.
- "Important" is a manual flag (R-M2-22): whoever receives or routes complaints (前台, 管家, 主管, 客服经理,
  部门负责人, 品质管理部) may set or clear it.

Each change writes the ticket's history row (who, when, why) and a timeline event with old and new values.
"""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db import transaction

from apps.org.access import has_cap
from apps.org.models import Membership
from apps.org.roles import Cap, Role
from apps.tickets.actions.base import _event, _forbid, _lock, _notify, _refuse, _require, _save
from apps.tickets.choices import Kind, TicketEventKind, TicketStatus
from apps.tickets.models import Ticket, ValidityCriterion

if TYPE_CHECKING:
    from apps.org.models import User

UNSET: Any = object()


def may_judge_validity(user: User, ticket: Ticket) -> bool:
    """The handler, or supervisor rank and above (VERIFY) in the project (R-M1-18)."""
    if getattr(user, "is_superuser", False):
        return True
    return ticket.handler_id == user.pk or has_cap(user, Cap.VERIFY, ticket.project)


def may_flag_important(user: User, ticket: Ticket) -> bool:
    """Whoever receives or routes complaints (R-M2-22)."""
    if getattr(user, "is_superuser", False):
        return True
    return has_cap(user, Cap.RECEIVE_TICKETS, ticket.project) or has_cap(user, Cap.DISPATCH, ticket.project)


@transaction.atomic()
def judge_complaint(*, ticket: Ticket, acting_user: User, now: dt.datetime, valid_complaint: Any = UNSET,
                    important: Any = UNSET, reason: str = "", criterion: Any = UNSET) -> Ticket:
    """判定 — set 有效/无效投诉 (``valid_complaint``: True, False or None = not judged yet) and/or
    重要投诉 (``important``). Fields left out are not touched. A complaint judged invalid needs a reason.

    ``criterion`` (a :class:`ValidityCriterion` id) is the company's 判定标准 the verdict rests on: when the
    company keeps a list (R-M1-18), a verdict needs one of its active criteria for that verdict (the
    criterion then serves as the reason of an invalid verdict); without a list the verdict is free."""
    _require(acting_user, Cap.VIEW_TICKETS, ticket, "无权查看工单")
    _lock(ticket)
    if ticket.kind != Kind.COMPLAINT:
        raise _refuse("只有投诉需要判定有效性和重要性", code="not_complaint", status=409)
    if ticket.status == TicketStatus.VOIDED:
        raise _refuse("已作废的工单不能修改", code="voided", status=409)
    diff: dict[str, list[Any]] = {}
    new_valid = ticket.valid_complaint if valid_complaint is UNSET else valid_complaint
    chosen = _criterion(ticket, new_valid, criterion)
    if new_valid != ticket.valid_complaint or (chosen is not None and chosen.pk != ticket.validity_criterion_id):
        if not may_judge_validity(acting_user, ticket):
            raise _forbid("有效投诉由处理人或主管以上人员判定")
        if new_valid is False and not reason.strip():
            if chosen is None:
                raise _refuse("判定为无效投诉须说明理由", field="reason")
            reason = chosen.label
        if new_valid != ticket.valid_complaint:
            diff["valid_complaint"] = [ticket.valid_complaint, new_valid]
            ticket.valid_complaint = new_valid
        if (chosen.pk if chosen else None) != ticket.validity_criterion_id:
            diff["validity_criterion"] = [ticket.validity_criterion_id, chosen.pk if chosen else None]
            ticket.validity_criterion = chosen
    if important is not UNSET and bool(important) != ticket.important:
        if not may_flag_important(acting_user, ticket):
            raise _forbid("无权标记重要投诉")
        diff["important"] = [ticket.important, bool(important)]
        ticket.important = bool(important)
    if not diff:
        return ticket
    words = []
    if "valid_complaint" in diff or "validity_criterion" in diff:
        words.append({True: "判定为有效投诉", False: "判定为无效投诉", None: "撤销有效性判定"}[ticket.valid_complaint])
    if "important" in diff:
        words.append("标记为重要投诉" if ticket.important else "取消重要投诉标记")
    if "validity_criterion" in diff and ticket.validity_criterion is not None and reason.strip() != ticket.validity_criterion.label:
        words.append(f"依据“{ticket.validity_criterion.label}”")
    message = "；".join(words) + (f"：{reason.strip()}" if reason.strip() else "")
    _save(ticket, diff.keys(), acting_user=acting_user, reason=message)
    _event(ticket, TicketEventKind.CLASSIFIED, acting_user=acting_user, now=now, message=message, changes=diff)
    if diff.get("important", [False, False])[1]:
        notify_important(ticket, acting_user=acting_user, now=now)
    return ticket


def _criterion(ticket: Ticket, verdict: bool | None, criterion: Any) -> ValidityCriterion | None:
    """The 判定标准 a verdict rests on (R-M1-18): required, active and matching the verdict when the
    company keeps a list; none given keeps the ticket's own criterion while the verdict stays the same."""
    if verdict is None:
        return None
    active = ValidityCriterion.objects.filter(company_id=ticket.project.company_id, active=True)
    if criterion is UNSET or criterion is None:
        if verdict == ticket.valid_complaint:  # the verdict stands: its criterion too
            return ticket.validity_criterion
        if active.filter(valid=verdict).exists():
            raise _refuse("请选择判定依据（本公司的有效投诉判定标准）", field="criterion")
        return None
    chosen = active.filter(pk=getattr(criterion, "pk", criterion)).first()
    if chosen is None:
        raise _refuse("判定依据不存在或已停用", field="criterion")
    if chosen.valid != verdict:
        raise _refuse("判定依据与判定结果不一致", field="criterion")
    return chosen


def notify_important(ticket: Ticket, *, acting_user: User | None, now: dt.datetime) -> None:
    """R-M2-22: the 客服经理 receives important complaints — every 客服经理 of the ticket's project is told
    (after the commit, through apps.notify), except the person who flagged it."""
    managers = [m.user for m in Membership.objects.filter(project_id=ticket.project_id, role=Role.CS_MANAGER)
                .select_related("user") if acting_user is None or m.user_id != acting_user.pk]
    _notify(managers, kind="ticket_important", subject=f"重要投诉 {ticket.number}，请客服经理受理跟进",
            body=ticket.content[:200], ticket=ticket, now=now, dedupe=f"important-{ticket.pk}")
