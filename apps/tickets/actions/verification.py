"""验证 and 回访 (SPEC M4): verification, return visits and their open questions, exemptions.
"""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db import transaction

from apps.notify import queries as notify_queries
from apps.org.access import has_cap, rank_in
from apps.org.models import Membership
from apps.org.roles import SUPERVISOR_RANK, Cap, Role
from apps.tickets import deadlines as dl
from apps.tickets.actions.base import (
    S,
    _choice,
    _current_dispatch,
    _event,
    _forbid,
    _is_company_level,
    _lock,
    _move,
    _notify,
    _refuse,
    _reopen,
    _require,
    _save,
)
from apps.tickets.choices import (
    RETURN_VISIT_KINDS,
    VERIFY_KINDS,
    WORK_ORDER_KINDS,
    Channel,
    OwnerResponse,
    ReplyKind,
    ReturnVisitExemption,
    ReturnVisitMethod,
    ReturnVisitOutcome,
    Satisfaction,
    Stage,
    TicketEventKind,
    VerificationResult,
)
from apps.tickets.models import (
    Deadline,
    ReturnVisit,
    ReturnVisitAttempt,
    Ticket,
    Verification,
)
from apps.tickets.policies import company_level, company_verification_pending, policy_for
from apps.tickets.transitions import InvalidTransition

if TYPE_CHECKING:
    from apps.org.models import User

# ---------------------------------------------------------------- verification and return visit (M4)


@transaction.atomic()
def verify_ticket(*, ticket: Ticket, passed: bool, acting_user: User, now: dt.datetime, notes: str = "",
                  order: str = "") -> Verification:
    """验证 (R-M4-01, R-M4-02, AS-19): only the 管理处经理 or supervisors (主管以上, rank ≥ 20) with the
    verify capability. Pass → 已验证 and the ``return_visit`` deadline starts (R-M4-04). Fail needs
    the manager's order or re-assessment and sends the ticket back to handling."""
    _require(acting_user, Cap.VERIFY, ticket, "只有主管以上人员可以验证")
    if rank_in(acting_user, ticket.project) < SUPERVISOR_RANK:
        raise _forbid("只有主管以上人员可以验证")
    _lock(ticket)
    if ticket.status in {S.VERIFIED, S.RETURN_VISITED} and company_verification_pending(ticket):
        return _company_verify(ticket, passed=passed, acting_user=acting_user, now=now, notes=notes, order=order)
    if ticket.handler_id is not None and ticket.handler_id == acting_user.pk:  # nobody verifies their own work
        raise _forbid("处理人不能验证自己处理的工单，请由其他主管以上人员验证")
    if ticket.status != S.REPLIED:
        raise InvalidTransition(ticket.status, S.VERIFIED if passed else S.HANDLING)
    if not passed and not order.strip():
        raise _refuse("验证不通过须填写整改指令或重新评估意见", field="order")
    verification = Verification.objects.create(
        ticket=ticket, cycle=ticket.cycle, verifier=acting_user, verified_at=now,
        result=VerificationResult.PASS if passed else VerificationResult.FAIL, notes=notes, order=order,
    )
    if passed:
        _move(ticket, to=S.VERIFIED, acting_user=acting_user, now=now, reason=f"验证通过 {notes}".strip(),
              event_kind=TicketEventKind.VERIFICATION, verification=verification.pk)
        if ticket.kind in RETURN_VISIT_KINDS:
            dl.stamp(ticket, start=now, stages=[Stage.RETURN_VISIT], now=now)
        if ticket.kind == "complaint" and not company_level(ticket):  # R-M4-04: the receiver's return visit
            _notify([ticket.receiver], kind="ticket_return_visit_due", subject=f"投诉 {ticket.number} 已验证，请回访业主",
                    body=notes[:200], ticket=ticket, now=now, dedupe=f"return-visit-due-{verification.pk}")
        if company_verification_pending(ticket):  # R-M4-03: the result record goes back to the company
            quality = [m.user for m in Membership.objects.filter(company_id=ticket.project.company_id,
                                                                 role=Role.QUALITY).select_related("user")
                       .order_by("id")]
            _notify(quality, kind="ticket_company_verification", subject=f"公司级投诉 {ticket.number} 待品质管理部验证",
                    body=notes[:200], ticket=ticket, now=now, dedupe=f"company-verify-{verification.pk}")
    else:
        _move(ticket, to=S.HANDLING, acting_user=acting_user, now=now, reason=f"验证不通过：{order.strip()}",
              event_kind=TicketEventKind.VERIFICATION, verification=verification.pk)
        dispatch = _current_dispatch(ticket)
        if dispatch is not None:
            dispatch.completed_at = None
            dispatch.save(update_fields=["completed_at"])
            _notify([dispatch.assignee], kind="verification_failed", subject=f"工单 {ticket.number} 验证不通过",
                    body=order[:200], ticket=ticket, now=now, dedupe=f"verify-fail-{verification.pk}")
    return verification


def _company_verify(ticket: Ticket, *, passed: bool, acting_user: User, now: dt.datetime, notes: str,
                    order: str) -> Verification:
    """品质管理部's verification of a company-level complaint (R-M4-03, POLICY P-13 篇4), after the
    管理处's: only company-level staff; a failure needs the order and reopens the ticket for handling
    (R-M4-02), its handler told."""
    if not _is_company_level(acting_user):
        raise _forbid("公司级投诉须由品质管理部验证")
    if not passed and not order.strip():
        raise _refuse("验证不通过须填写整改指令或重新评估意见", field="order")
    verification = Verification.objects.create(
        ticket=ticket, cycle=ticket.cycle, verifier=acting_user, verified_at=now, level="company",
        result=VerificationResult.PASS if passed else VerificationResult.FAIL, notes=notes, order=order,
    )
    if passed:
        _event(ticket, TicketEventKind.VERIFICATION, acting_user=acting_user, now=now,
               message=f"品质管理部验证通过 {notes}".strip(), verification=verification.pk)
    else:
        handler = ticket.handler
        _reopen(ticket, reason=f"品质管理部验证不通过：{order.strip()}", acting_user=acting_user, now=now)
        _notify([handler], kind="verification_failed", subject=f"工单 {ticket.number} 品质管理部验证不通过",
                body=order[:200], ticket=ticket, now=now, dedupe=f"verify-fail-{verification.pk}")
    return verification


def _ready_for_return_visit(ticket: Ticket) -> bool:
    if ticket.kind in VERIFY_KINDS:
        return ticket.status == S.VERIFIED
    return ticket.status in {S.REPLIED, S.VERIFIED}


def start_unverified_return_visit(ticket: Ticket, *, now: dt.datetime) -> None:
    """R-M4-11: a suggestion (or another return-visited kind that is not verified) has its return visit
    due once its result is replied to the owner — the clock :func:`verify_ticket` starts for the others —
    so it is on the 待回访 lists with its due time."""
    if ticket.kind in RETURN_VISIT_KINDS and ticket.kind not in VERIFY_KINDS and not ticket.return_visit_exemption:
        dl.stamp(ticket, start=now, stages=[Stage.RETURN_VISIT], now=now)


def ready_for_return_visit(ticket: Ticket) -> bool:
    """May the return visit (or an exemption) be recorded now (verified, or a replied suggestion)?"""
    return _ready_for_return_visit(ticket)


def min_return_visit_attempts(project: Any) -> int:
    """R-M4-12: attempts before a return visit may end as 联系不上 — the project's (else the company's)
    工单口径 row, default 3."""
    return policy_for(project).return_visit_min_attempts or 1


@transaction.atomic()
def record_return_visit(*, ticket: Ticket, method: str, reached: bool, acting_user: User, now: dt.datetime,
                        satisfaction: str = "", owner_words: str = "", note: str = "",
                        give_up: bool = False, open_question: str = "",
                        answer_due_at: dt.datetime | None = None, emergency_reason: str = "") -> ReturnVisit:
    """回访 (R-M4-04, R-M4-07, R-M4-09, R-M4-12): every attempt is kept.

    - reached: ``satisfaction`` (满意/基本满意/不满意) and the owner's words are required; the stage is
      met. 不满意 → the ticket reopens to handling (``reopen_count`` + 1, a new verification and
      return visit follow).
    - not reached: an attempt 联系不上; with ``give_up=True`` after at least
      the project's ``TicketPolicy.return_visit_min_attempts`` attempts the return visit ends as 联系不上.
    The owner's verdict is stored apart from the staff verification.
    R-M4-10: a question the owner raised that cannot be answered on the spot is kept with the time
    promised for the answer (``open_question`` + ``answer_due_at``, a follow-up due time), answered later
    with :func:`answer_return_visit_question`.
    R-M4-14, AS-20: a telephone return visit inside the project's quiet hours (R-M17-01) is refused with
    the next allowed time, unless an ``emergency_reason`` is given (kept with the attempt). Repairs check
    this on their work order's own return visit."""
    _require(acting_user, Cap.RETURN_VISIT, ticket, "无权回访")
    if company_level(ticket) and not _is_company_level(acting_user):
        raise _forbid("公司级投诉由品质管理部回访")
    _require_receiver_visits(ticket, method=method, acting_user=acting_user)
    open_question = open_question.strip()
    if bool(open_question) != (answer_due_at is not None):
        raise _refuse("未能当场答复的问题须同时填写问题和约定答复时间",
                      field="answer_due_at" if open_question else "open_question")
    if answer_due_at is not None and (answer_due_at <= now or not reached):
        raise _refuse("约定答复时间须晚于现在，且只能在联系上业主时约定", field="answer_due_at")
    _lock(ticket)
    _choice(method, ReturnVisitMethod, "method")
    if not _ready_for_return_visit(ticket):
        raise InvalidTransition(ticket.status, S.RETURN_VISITED)
    if ticket.return_visit_exemption:
        raise _refuse("该工单已免回访", code="exempt", status=409)
    if reached:
        _choice(satisfaction, Satisfaction, "satisfaction")
        _require_owner_opinion(ticket, method=method, owner_words=owner_words)
    if method == ReturnVisitMethod.PHONE and ticket.kind not in WORK_ORDER_KINDS:
        warning = notify_queries.call_warning(ticket.project, now)
        if warning and not emergency_reason.strip():
            raise _refuse(f"{warning}；如确属紧急情况，请填写紧急原因", field="emergency_reason", code="quiet_hours",
                          status=409)
        if warning:
            note = f"{note} 紧急回访原因：{emergency_reason.strip()}".strip()
    visit, _ = ReturnVisit.objects.get_or_create(ticket=ticket, cycle=ticket.cycle)
    ReturnVisitAttempt.objects.create(return_visit=visit, at=now, method=method, reached=reached, staff=acting_user,
                                      note=note or owner_words)
    if not reached:
        attempts = visit.attempts.count()
        if not give_up:
            _event(ticket, TicketEventKind.RETURN_VISIT, acting_user=acting_user, now=now,
                   message=f"回访未联系上（第 {attempts} 次）{note}".strip(), attempt=attempts)
            return visit
        needed = min_return_visit_attempts(ticket.project)
        if attempts < needed:
            raise _refuse(f"至少尝试 {needed} 次后才能以“联系不上”结束回访",
                          field="give_up", code="too_few_attempts", status=409)
        visit.outcome, visit.method, visit.visitor, visit.completed_at = ReturnVisitOutcome.UNREACHABLE, method, \
            acting_user, now
        visit.save(update_fields=["outcome", "method", "visitor", "completed_at"])
        dl.meet(ticket, Stage.RETURN_VISIT, at=now)
        _move(ticket, to=S.RETURN_VISITED, acting_user=acting_user, now=now,
              reason=f"回访联系不上（共 {attempts} 次）", event_kind=TicketEventKind.RETURN_VISIT)
        return visit
    visit.outcome, visit.method, visit.satisfaction = ReturnVisitOutcome.DONE, method, satisfaction
    visit.owner_words, visit.visitor, visit.completed_at = owner_words, acting_user, now
    visit.open_question, visit.answer_due_at = open_question, answer_due_at
    visit.save(update_fields=["outcome", "method", "satisfaction", "owner_words", "visitor", "completed_at",
                              "open_question", "answer_due_at"])
    dl.meet(ticket, Stage.RETURN_VISIT, at=now)
    _move(ticket, to=S.RETURN_VISITED, acting_user=acting_user, now=now,
          reason=(f"回访：{Satisfaction(satisfaction).label} {owner_words}".strip()
                  + (f"；待答复：{open_question}（约定 {answer_due_at.astimezone(ticket.project.tz):%m-%d %H:%M} 前答复）"
                     if answer_due_at else "")),
          event_kind=TicketEventKind.RETURN_VISIT, satisfaction=satisfaction)
    if satisfaction == Satisfaction.UNSATISFIED:
        _reopen(ticket, reason=f"回访不满意：{owner_words}".strip(), acting_user=acting_user, now=now)
    return visit


def _require_receiver_visits(ticket: Ticket, *, method: str, acting_user: User) -> None:
    """R-M4-04: the person who received the complaint makes its return visit (a supervisor or above may do it
    in their place, or designate it — 主管以上); company-level complaints are 品质管理部's (checked above).
    The owner's own online rating and repairs' work-order return visits are recorded differently."""
    if (ticket.kind != "complaint" or method not in ASKED_METHODS or company_level(ticket)
            or ticket.receiver_id in (None, acting_user.pk) or rank_in(acting_user, ticket.project) >= SUPERVISOR_RANK):
        return
    raise _forbid(f"该投诉由受理人{ticket.receiver}回访（主管以上人员可代为回访）")


# R-M4-07: forms of return visit where staff ask the owner (phone, home visit); online replies and
# questionnaires carry the owner's own answers.
ASKED_METHODS = frozenset({ReturnVisitMethod.PHONE, ReturnVisitMethod.VISIT})


def _require_owner_opinion(ticket: Ticket, *, method: str, owner_words: str) -> None:
    """R-M4-07: a return visit that reached the owner by phone or in person records the owner's opinion on
    how the complaint was received, the measures and the result. Work-order kinds keep the repair
    return visit's own ratings (apps.repairs)."""
    if method in ASKED_METHODS and ticket.kind not in WORK_ORDER_KINDS and not owner_words.strip():
        raise _refuse("联系上业主时须记录业主对投诉受理、处理措施和处理结果的意见", field="owner_words")


@transaction.atomic()
def answer_return_visit_question(*, visit: ReturnVisit, answer: str, acting_user: User,
                                 now: dt.datetime) -> ReturnVisit:
    """R-M4-10: give the owner the answer promised at the return visit; records whether it came by the
    promised time. The ticket's status does not change."""
    ticket = visit.ticket
    _require(acting_user, Cap.REPLY, ticket, "无权答复业主")
    _lock(ticket)
    visit.refresh_from_db()
    if not visit.open_question:
        raise _refuse("这次回访没有待答复的问题", code="no_question", status=409)
    if visit.answered_at is not None:
        raise _refuse("该问题已答复", code="already_answered", status=409)
    if not answer.strip():
        raise _refuse("请填写答复内容", field="answer")
    visit.answer, visit.answered_at = answer.strip(), now
    visit.save(update_fields=["answer", "answered_at"])
    late = "（超过约定时间）" if visit.answer_due_at and now > visit.answer_due_at else ""
    _event(ticket, TicketEventKind.RETURN_VISIT, acting_user=acting_user, now=now,
           message=f"答复回访中提出的问题{late}：{visit.answer}")
    return visit


def unanswered_return_visit_questions(tickets: Any) -> Any:
    """R-M4-10: return-visit questions still waiting for their promised answer, earliest due first
    (``tickets`` is the caller's visible ticket queryset)."""
    return (ReturnVisit.objects.filter(ticket__in=tickets, answer_due_at__isnull=False, answered_at__isnull=True)
            .select_related("ticket").order_by("answer_due_at", "id"))


def remind_overdue_questions(now: dt.datetime) -> int:
    """R-M4-10: the promised answer time is a follow-up due time — once it has passed unanswered, the
    return visitor and the ticket's receiver are told (once per question: the notice's dedupe key).
    Returns how many questions were reminded (each once: the timeline keeps the reminder)."""
    overdue = (ReturnVisit.objects.filter(answer_due_at__lt=now, answered_at__isnull=True)
               .exclude(open_question="").exclude(ticket__status=S.VOIDED)
               .select_related("ticket", "ticket__project", "ticket__receiver", "visitor").order_by("answer_due_at", "pk"))
    count = 0
    for visit in overdue:
        ticket = visit.ticket
        if ticket.events.filter(kind=TicketEventKind.DEADLINE, extra__question_reminder=visit.pk).exists():
            continue
        local = visit.answer_due_at.astimezone(ticket.project.tz) if visit.answer_due_at else None
        _event(ticket, TicketEventKind.DEADLINE, acting_user=None, now=now,
               message=f"回访中约定 {local:%Y-%m-%d %H:%M} 前答复的问题尚未答复，已提醒", question_reminder=visit.pk)
        _notify({u.pk: u for u in (visit.visitor, ticket.receiver) if u is not None}.values(),
                kind="ticket_question_answer_due", subject=f"回访问题逾期未答复 {ticket.number}",
                body=f"约定 {local:%Y-%m-%d %H:%M} 前答复：{visit.open_question[:150]}", ticket=ticket, now=now,
                dedupe=f"rv-question-{visit.pk}")
        count += 1
    return count


def return_visit_required(ticket: Ticket) -> bool:
    """Does the ticket need a return visit before closing (R-M4-05, R-M4-11, AS-18)?"""
    return ticket.kind in RETURN_VISIT_KINDS and not ticket.return_visit_exemption


def _no_contact_exemption_allowed(ticket: Ticket) -> bool:
    """Exemption B (R-M4-05, POLICY P-07): the project's (else the company's) 工单口径 row says
    "any_channel" (default, 篇4) or "online_only" (篇3)."""
    if not (ticket.anonymous or not ticket.has_contact):
        return False
    scope = policy_for(ticket.project).no_contact_exemption
    return scope != "online_only" or ticket.channel == Channel.ONLINE


def no_contact_exemption_offer(ticket: Ticket) -> dict[str, Any] | None:
    """Exemption B offered without being looked for (R-M4-05, POLICY P-07; issue 23 item 11): an
    anonymous (or contact-less) ticket that needs a return visit and that the policy in force exempts.
    ``None`` when nothing is offered; else ``{"exemption", "ready"}`` — ``ready`` says whether
    :func:`exempt_return_visit` would take it now (after verification, or the reply of a suggestion).
    The same check the action makes, so the offer never shows what the action would refuse."""
    if (ticket.kind not in RETURN_VISIT_KINDS or ticket.return_visit_exemption
            or ticket.status in {S.CLOSED, S.UNRESOLVED, S.VOIDED, S.RETURN_VISITED}):
        return None
    if not _no_contact_exemption_allowed(ticket):
        return None
    return {"exemption": ReturnVisitExemption.NO_CONTACT.value, "ready": _ready_for_return_visit(ticket)}


@transaction.atomic()
def exempt_return_visit(*, ticket: Ticket, reason: str, acting_user: User, now: dt.datetime,
                        note: str = "") -> Ticket:
    """免回访 (R-M4-05, POLICY P-07, AS-18) — only the listed cases, with the reason recorded:

    - ``on_spot`` (A): handled on the spot with the customer's confirmed satisfaction;
    - ``no_contact`` (B): anonymous or no contact (any channel by default; online only under 篇3);
    - ``sensitive`` (C): needs a written reason and approval by a supervisor (the acting user
      must hold the approve-exemption capability; their name is stored)."""
    _require(acting_user, Cap.RETURN_VISIT, ticket, "无权办理免回访")
    _lock(ticket)
    _choice(reason, ReturnVisitExemption, "reason")
    if not _ready_for_return_visit(ticket):
        raise InvalidTransition(ticket.status, S.CLOSED)
    if ticket.kind not in RETURN_VISIT_KINDS:
        raise _refuse("该类型工单无需回访", field="reason")
    approved_by = None
    if reason == ReturnVisitExemption.ON_SPOT:
        confirmed = ticket.replies.filter(owner_response=OwnerResponse.AGREE, kind=ReplyKind.RESULT).exists()
        if not (ticket.resolved_on_spot and confirmed):
            raise _refuse("只有现场即时处理并经顾客确认满意的才能免回访（A）", field="reason")
    elif reason == ReturnVisitExemption.NO_CONTACT:
        if not _no_contact_exemption_allowed(ticket):
            raise _refuse("该工单有联系方式（或按政策须回访），不能免回访（B）", field="reason")
    else:
        if not note.strip():
            raise _refuse("敏感投诉免回访须说明理由（C）", field="note")
        if not has_cap(acting_user, Cap.APPROVE_EXEMPTION, ticket.project):
            raise _forbid("敏感投诉免回访须主管批准（C）")
        approved_by = acting_user
    ticket.return_visit_exemption = reason
    ticket.return_visit_exemption_note = note.strip()
    ticket.return_visit_exemption_approved_by = approved_by
    ticket.sensitive = ticket.sensitive or reason == ReturnVisitExemption.SENSITIVE
    _save(ticket, ["return_visit_exemption", "return_visit_exemption_note", "return_visit_exemption_approved_by",
                   "sensitive"], acting_user=acting_user, reason="免回访")
    _event(ticket, TicketEventKind.EXEMPTED, acting_user=acting_user, now=now,
           message=f"{ReturnVisitExemption(reason).label} {note}".strip(), reason=reason)
    Deadline.objects.open().filter(ticket=ticket, stage=Stage.RETURN_VISIT, cycle=ticket.cycle).update(cancelled_at=now)
    return ticket


