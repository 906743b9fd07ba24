"""结案, 重新打开 and 作废 (R-M2-16, R-M2-18, R-M2-21, R-M4-09).
"""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext as _

from apps.org.access import rank_in
from apps.org.roles import SUPERVISOR_RANK, Cap
from apps.tickets import deadlines as dl
from apps.tickets.actions.base import (
    S,
    TicketError,
    _forbid,
    _lock,
    _move,
    _refuse,
    _reopen,
    _require,
)
from apps.tickets.actions.verification import return_visit_required
from apps.tickets.choices import (
    MANAGER_REPLY_KINDS,
    RESULT_REPLY_KINDS,
    VERIFY_KINDS,
    Kind,
    ReplyKind,
    ReplyRecipient,
    ReturnVisitOutcome,
    Satisfaction,
    TicketEventKind,
)
from apps.tickets.models import (
    Ticket,
)
from apps.tickets.policies import company_verification_pending, policy_for
from apps.tickets.transitions import ALLOWED, InvalidTransition

if TYPE_CHECKING:
    from apps.org.models import User


def manager_reply_required(ticket: Ticket) -> bool:
    """R-M2-21 (interpretation): does a normal close of ``ticket`` need the result replied both to the
    resident and to the 管理处主任? Only for the kinds a responsible department handles
    (:data:`~apps.tickets.choices.MANAGER_REPLY_KINDS`: complaints, repairs, needs, incidents,
    disputes — consultations and praise close with just the result, suggestions are decided by the
    主任 himself) and only while the company's :class:`~apps.tickets.models.TicketPolicy` keeps
    ``close_needs_manager_reply`` on (the default). A ticket resolved on the spot counts too: the
    handling is finished there and the 主任 still hears of it ("件件有回音")."""
    if ticket.kind not in MANAGER_REPLY_KINDS:
        return False
    return policy_for(ticket.project).close_needs_manager_reply


def _close_blockers(ticket: Ticket) -> dict[str, list[str]]:
    """What still prevents a normal close (R-M2-18, R-M2-21, R-M4-01, R-M4-05).

    R-M2-21: where :func:`manager_reply_required`, the current handling cycle needs a *sent* reply of
    the handling result (result or, for an unreasonable complaint, the explanation — R-M2-15) to the
    owner and another to the 管理处主任; drafts waiting for review do not count, nor do replies of an
    earlier cycle (after a reopening the new result is replied again)."""
    problems: dict[str, list[str]] = {}
    if not ticket.handling_result.strip():
        problems["result"] = [_("须先记录处理结果")]
    if ticket.record_form and ticket.handler_id is None:  # R-M2-17
        problems["handler"] = [_("记录表投诉须由部门负责人指定具体处理人")]
    if manager_reply_required(ticket):
        sent = set(ticket.replies.filter(cycle=ticket.cycle, sent_at__isnull=False, kind__in=RESULT_REPLY_KINDS)
                   .values_list("recipient", flat=True))
        if ReplyRecipient.OWNER not in sent:
            problems["owner_reply"] = [_("须先向业主回复处理结果")]
        if ReplyRecipient.PROJECT_MANAGER not in sent:
            problems["manager_reply"] = [_("须同时向管理处主任回复处理结果")]
    if ticket.kind in VERIFY_KINDS:
        last = ticket.verifications.filter(cycle=ticket.cycle).order_by("-verified_at", "-id").first()
        if last is None or not last.passed:
            problems["verification"] = [_("须先经主管以上人员验证通过")]
        elif company_verification_pending(ticket):  # R-M4-03, POLICY P-13 篇4
            problems["company_verification"] = [_("公司级投诉须经品质管理部验证通过")]
    if return_visit_required(ticket):
        visit = ticket.return_visits.filter(cycle=ticket.cycle).first()
        done = visit is not None and (
            visit.outcome == ReturnVisitOutcome.UNREACHABLE
            or (visit.outcome == ReturnVisitOutcome.DONE and visit.satisfaction != Satisfaction.UNSATISFIED)
        )
        if not done:
            problems["return_visit"] = [_("须先完成回访或办理免回访")]
    if ticket.return_visits.filter(answer_due_at__isnull=False, answered_at__isnull=True).exists():  # R-M4-10
        problems["answer_question"] = [_("须先答复回访中约定答复的问题")]
    return problems


def close_blockers(ticket: Ticket) -> dict[str, list[str]]:
    """What still prevents a normal close, by field (for the detail page's close panel); the same
    check :func:`close_ticket` makes."""
    return _close_blockers(ticket)


@transaction.atomic()
def close_ticket(*, ticket: Ticket, acting_user: User, now: dt.datetime, result: str = "",
                 unresolved: bool = False, analysis: str = "", measures: str = "",
                 unreasonable: bool = False, reason: str = "") -> Ticket:
    """关闭 (R-M2-18): needs the handling result; complaints/repairs need a passed verification and a
    return visit (satisfied, basically satisfied or unreachable) or an exemption (R-M4-05), and
    (R-M2-21, company setting, default on) the result replied both to the owner and to the 管理处主任
    in this cycle. Consultations and praise close once the result is recorded.

    ``unresolved=True`` (R-M2-16, 未关闭): beyond the company's capability — needs the case
    ``analysis`` and the mitigation ``measures`` and a supervisor; the ticket ends as 未关闭 and still
    counts in statistics. Open deadlines stop running (missed ones stay missed). R-M2-21's two replies
    are not required here: there is no agreed result to reply (the customer stays dissatisfied), and
    deciding unresolved issues is the 管理处主任's own duty, done by a supervisor-rank user with the
    analysis and measures recorded.

    ``unreasonable=True`` (R-M2-15, R-M2-26 side exit 不合理投诉——已解释): a complaint judged
    unreasonable ends once its explanation was sent to the customer in this cycle, even when the
    customer does not accept it; a supervisor-rank user decides, with the ``reason`` (who, when and why
    kept on the ticket and its timeline). No verification or return visit is asked: nothing was to be
    corrected."""
    if unreasonable:
        return _close_unreasonable(ticket, acting_user=acting_user, now=now, reason=reason,
                                   unresolved=unresolved, result=result)
    _require(acting_user, Cap.RETURN_VISIT if not unresolved else Cap.VERIFY, ticket,
             "无权关闭工单" if not unresolved else "只有主管以上人员可以按“未关闭”结案")
    _lock(ticket)
    if result.strip():
        ticket.handling_result = result.strip()
    if unresolved:
        if rank_in(acting_user, ticket.project) < SUPERVISOR_RANK:
            raise _forbid("只有主管以上人员可以按“未关闭”结案")
        errors = {}
        if not analysis.strip():
            errors["analysis"] = ["须填写案例分析"]
        if not measures.strip():
            errors["measures"] = ["须填写降低顾客不满的措施"]
        if errors:
            raise TicketError("未关闭结案须填写分析和措施", fields=errors)
        ticket.unresolved_analysis, ticket.unresolved_measures = analysis.strip(), measures.strip()
        ticket.unresolved_close, ticket.closed_at, ticket.closed_by = True, now, acting_user
        _move(ticket, to=S.UNRESOLVED, acting_user=acting_user, now=now,
              also=["handling_result", "unresolved_analysis", "unresolved_measures", "unresolved_close", "closed_at",
                    "closed_by"], reason="超出公司能力，按未关闭结案", event_kind=TicketEventKind.CLOSED)
        dl.cancel_open(ticket, now=now)
        return ticket
    if S.CLOSED not in ALLOWED.get(ticket.status, frozenset()):
        raise InvalidTransition(ticket.status, S.CLOSED)
    problems = _close_blockers(ticket)
    if problems:
        raise TicketError("；".join(m for msgs in problems.values() for m in msgs), code="cannot_close", status=409,
                          fields=problems)
    ticket.closed_at, ticket.closed_by, ticket.unresolved_close = now, acting_user, False
    _move(ticket, to=S.CLOSED, acting_user=acting_user, now=now,
          also=["handling_result", "closed_at", "closed_by", "unresolved_close"], reason="关闭",
          event_kind=TicketEventKind.CLOSED)
    dl.cancel_open(ticket, now=now)
    return ticket


def _close_unreasonable(ticket: Ticket, *, acting_user: User, now: dt.datetime, reason: str, unresolved: bool,
                        result: str) -> Ticket:
    _require(acting_user, Cap.VERIFY, ticket, "只有主管以上人员可以按“不合理投诉——已解释”结案")
    if rank_in(acting_user, ticket.project) < SUPERVISOR_RANK:
        raise _forbid("只有主管以上人员可以按“不合理投诉——已解释”结案")
    if unresolved:
        raise _refuse("“未关闭”和“不合理投诉——已解释”只能选一种", field="unreasonable")
    _lock(ticket)
    if ticket.kind != Kind.COMPLAINT:
        raise _refuse("只有投诉可以按“不合理投诉——已解释”结案", field="unreasonable")
    if S.CLOSED not in ALLOWED.get(ticket.status, frozenset()):
        raise InvalidTransition(ticket.status, S.CLOSED)
    if not ticket.replies.filter(cycle=ticket.cycle, sent_at__isnull=False, kind=ReplyKind.EXPLANATION).exists():
        raise _refuse("须先向顾客发出耐心、合理的解释说明（回复类型选“解释说明”）", field="unreasonable",
                      code="cannot_close", status=409)
    if not reason.strip():
        raise _refuse("请填写判定为不合理投诉的理由", field="reason")
    if result.strip():
        ticket.handling_result = result.strip()
    ticket.unreasonable, ticket.unreasonable_close, ticket.unreasonable_reason = True, True, reason.strip()
    ticket.closed_at, ticket.closed_by, ticket.unresolved_close = now, acting_user, False
    _move(ticket, to=S.CLOSED, acting_user=acting_user, now=now,
          also=["handling_result", "unreasonable", "unreasonable_close", "unreasonable_reason", "closed_at",
                "closed_by", "unresolved_close"],
          reason=f"不合理投诉——已解释：{reason.strip()}", event_kind=TicketEventKind.CLOSED)
    dl.cancel_open(ticket, now=now)
    return ticket


@transaction.atomic()
def reopen_ticket(*, ticket: Ticket, reason: str, acting_user: User, now: dt.datetime,
                  agreed_feedback_at: dt.datetime | None = None) -> Ticket:
    """重新打开 (R-M4-09): the owner is still not satisfied or the problem came back. Counts in
    ``reopen_count``; a new handling cycle with new respond/reply deadlines, verification and
    return visit follows. Allowed from 已验证/已回访/已关闭/未关闭."""
    _require(acting_user, Cap.RECEIVE_TICKETS, ticket, "无权重新打开工单")
    _lock(ticket)
    if not reason.strip():
        raise _refuse("请填写重新打开的原因", field="reason")
    if S.REOPENED not in ALLOWED.get(ticket.status, frozenset()):
        raise InvalidTransition(ticket.status, S.REOPENED)
    _reopen(ticket, reason=reason.strip(), acting_user=acting_user, now=now, agreed_feedback_at=agreed_feedback_at)
    return ticket


@transaction.atomic()
def void_ticket(*, ticket: Ticket, reason: str, acting_user: User, now: dt.datetime) -> Ticket:
    """作废 (issue 4 item 8): a wrong ticket (duplicate, test, wrong project) is never deleted: it
    is voided with a reason, keeps its number and history, and no longer counts anywhere."""
    _require(acting_user, Cap.VOID, ticket, "无权作废工单（须主管以上）")
    _lock(ticket)
    if not reason.strip():
        raise _refuse("请填写作废原因", field="reason")
    ticket.void_reason = reason.strip()
    _move(ticket, to=S.VOIDED, acting_user=acting_user, now=now, also=["void_reason"],
          reason=f"作废：{reason.strip()}", event_kind=TicketEventKind.VOIDED)
    dl.cancel_open(ticket, now=now)
    return ticket


