"""回复 (R-M2-05…R-M2-13, R-M2-21): recorded replies, drafts, reviews, sending, the owner's response.
"""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db import transaction

from apps.org.access import can_see_project, roles_in
from apps.org.models import DepartmentKind, Membership, Project
from apps.org.roles import Cap, Role
from apps.tickets import deadlines as dl
from apps.tickets.actions.base import (
    S,
    TicketError,
    _choice,
    _event,
    _forbid,
    _lock,
    _move,
    _refuse,
    _require,
    _save,
)
from apps.tickets.actions.verification import start_unverified_return_visit
from apps.tickets.choices import (
    OPEN_STATUSES,
    OwnerResponse,
    ReplyChannel,
    ReplyClass,
    ReplyKind,
    ReplyRecipient,
    ReviewDepartment,
    Stage,
    TicketEventKind,
)
from apps.tickets.models import (
    Reply,
    ReplyReview,
    Ticket,
)
from apps.workdays.queries import reply_rules_for

if TYPE_CHECKING:
    from apps.org.models import User

# ---------------------------------------------------------------- replies (R-M2-05…R-M2-13, R-M2-21)


# Replies that answer the complaint within its reply limit (R-M2-05): these carry the review of the
# complaint's class whatever channel they go out by (R-M2-08 "review time counts inside the limit").
ANSWERING_KINDS: frozenset[str] = frozenset({ReplyKind.MEASURES, ReplyKind.RESULT, ReplyKind.EXPLANATION})


def required_reviews(channel: str, recipient: str = ReplyRecipient.OWNER, *, reply_class: str = "",
                     kind: str = "", project: Project | None = None) -> frozenset[str]:
    """Reviews a reply needs before it is sent (R-M2-08, R-M2-10). Who reviews a written answer is the
    company's 答复口径 (POLICY P-09, :func:`apps.workdays.queries.reply_rules_for` for ``project``;
    default 品质管理部 + 办公室), changed by its administrators on the settings pages.

    Two sources, joined: the reply's own channel (a letter or fax is written, an email or online post
    goes to 品质管理部), and the complaint's reply class — the answer (measures, result, explanation)
    to a written complaint needs the written reviewers, to an email or online complaint 品质管理部, even
    when it is given by phone or in person (AS-01)."""
    if recipient != ReplyRecipient.OWNER:
        return frozenset()
    written = frozenset(reply_rules_for(project).written_reviewers)
    needed: set[str] = set()
    if channel in {ReplyChannel.LETTER, ReplyChannel.FAX}:
        needed |= written
    elif channel in {ReplyChannel.EMAIL, ReplyChannel.ONLINE}:
        needed.add(ReviewDepartment.QUALITY)
    if kind in ANSWERING_KINDS:
        if reply_class == ReplyClass.WRITTEN:
            needed |= written
        elif reply_class in {ReplyClass.EMAIL, ReplyClass.ONLINE}:
            needed.add(ReviewDepartment.QUALITY)
    return frozenset(needed)


def reviews_for(ticket: Ticket, *, channel: str, kind: str,
                recipient: str = ReplyRecipient.OWNER) -> frozenset[str]:
    """:func:`required_reviews` for a reply on ``ticket`` (its reply class and its project's 答复口径
    decide too, R-M2-08)."""
    return required_reviews(channel, recipient, reply_class=ticket.reply_class, kind=kind, project=ticket.project)


# R-M2-12: the online-reply checklist the approver confirms, in the order the review form shows it
ONLINE_CHECKLIST: tuple[str, ...] = ("sincere", "no_shifting_blame", "all_issues_covered", "professionally_correct")


CHECKLIST_OK: dict[str, Any] = dict.fromkeys(ONLINE_CHECKLIST, True)  # an approval confirming every item


def checklist_complete(review: ReplyReview | None) -> bool:
    return review is not None and all(getattr(review, name) for name in ONLINE_CHECKLIST)


def _missing_reviews(reply: Reply) -> list[str]:
    missing = []
    online = reply.channel == ReplyChannel.ONLINE or (
        reply.ticket.reply_class == ReplyClass.ONLINE and reply.kind in ANSWERING_KINDS)
    for department in sorted(reviews_for(reply.ticket, channel=reply.channel, kind=reply.kind,
                                         recipient=reply.recipient)):
        last = reply.reviews.filter(department=department).order_by("-reviewed_at", "-id").first()
        ok = last is not None and last.approved
        if ok and online and not checklist_complete(last):  # R-M2-12: every checklist item confirmed
            ok = False
        if not ok:
            missing.append(department)
    return missing


def _after_reply_sent(ticket: Ticket, reply: Reply, *, acting_user: User, now: dt.datetime) -> None:
    """Deadlines met by a sent reply and the status it moves (R-M2-07, R-M2-11, R-M2-13)."""
    _event(ticket, TicketEventKind.REPLY, acting_user=acting_user, now=now,
           message=f"{reply.get_kind_display()}（{reply.get_channel_display()}）：{reply.content[:200]}",
           reply=reply.pk, owner_response=reply.owner_response)
    if reply.recipient != ReplyRecipient.OWNER:
        return
    at = reply.sent_at or now
    dl.meet(ticket, Stage.ACKNOWLEDGE, at=at)
    if reply.kind != ReplyKind.ACKNOWLEDGE:
        dl.meet(ticket, Stage.RESPOND, at=at)
    if reply.kind in {ReplyKind.MEASURES, ReplyKind.RESULT, ReplyKind.EXPLANATION}:
        dl.meet(ticket, Stage.REPLY, at=at)
    if reply.kind in {ReplyKind.RESULT, ReplyKind.EXPLANATION}:
        fields = []
        if reply.kind == ReplyKind.EXPLANATION and not ticket.unreasonable:
            ticket.unreasonable = True  # R-M2-15 无理投诉，已解释
            fields.append("unreasonable")
        if reply.owner_response == OwnerResponse.DISAGREE:
            if ticket.status == S.REPLIED:
                _move(ticket, to=S.HANDLED, acting_user=acting_user, now=now, also=fields,
                      reason="顾客不同意处理方案，继续协商")
            elif fields:
                _save(ticket, fields, acting_user=acting_user, reason="无理投诉")
        elif ticket.status == S.HANDLED:
            _move(ticket, to=S.REPLIED, acting_user=acting_user, now=now, also=fields, reason="已回复处理结果")
            start_unverified_return_visit(ticket, now=at)
        elif fields:
            _save(ticket, fields, acting_user=acting_user, reason="无理投诉")


def _validate_reply(ticket: Ticket, kind: str, channel: str, content: str, recipient: str) -> None:
    _choice(kind, ReplyKind, "kind")
    _choice(channel, ReplyChannel, "channel")
    _choice(recipient, ReplyRecipient, "recipient")
    if not content.strip():
        raise _refuse("请填写回复内容", field="content")
    if ticket.status not in OPEN_STATUSES:
        raise _refuse("工单已结束，不能回复", code="closed", status=409)


@transaction.atomic()
def record_reply(*, ticket: Ticket, kind: str, channel: str, content: str, acting_user: User, now: dt.datetime,
                 recipient: str = ReplyRecipient.OWNER, owner_response: str = OwnerResponse.PENDING,
                 owner_words: str = "", sent_at: dt.datetime | None = None) -> Reply:
    """回复 — record a reply already given (phone, in person, SMS …) with the owner's answer.

    Meets deadlines: any reply → ``acknowledge``; any but a courtesy acknowledgement → ``respond``
    (R-M2-07); measures/result/explanation → ``reply`` (R-M2-05, R-M2-11). A result (or an
    explanation of an unreasonable complaint, R-M2-15) on a handled ticket → 已回复; if the owner
    disagrees the ticket stays open for negotiation (R-M2-13).
    Letters, faxes, emails and online replies need reviews first (R-M2-08, R-M2-10): use
    :func:`draft_reply` → :func:`review_reply` → :func:`send_reply`; here they are refused (409)."""
    _require(acting_user, Cap.REPLY, ticket, "无权回复")
    _lock(ticket)
    _validate_reply(ticket, kind, channel, content, recipient)
    _choice(owner_response, OwnerResponse, "owner_response")
    needed = reviews_for(ticket, channel=channel, kind=kind, recipient=recipient)
    if needed:
        names = "、".join(str(ReviewDepartment(d).label) for d in sorted(needed))
        raise TicketError(f"此类回复须先经{names}审核后才能发出", field="channel",
                          code="review_required", status=409)
    at = sent_at or now
    if at > now + dt.timedelta(minutes=5):
        raise _refuse("回复时间不能晚于当前时间", field="sent_at")
    reply = Reply.objects.create(ticket=ticket, kind=kind, recipient=recipient, channel=channel,
                                 content=content.strip(), owner_response=owner_response, owner_words=owner_words,
                                 author=acting_user, created_at=now, sent_at=at, cycle=ticket.cycle)
    _after_reply_sent(ticket, reply, acting_user=acting_user, now=now)
    return reply


@transaction.atomic()
def draft_reply(*, ticket: Ticket, kind: str, channel: str, content: str, acting_user: User, now: dt.datetime,
                recipient: str = ReplyRecipient.OWNER) -> Reply:
    """回复草稿 — a written/email/online reply waiting for its reviews (R-M2-08, R-M2-10)."""
    _require(acting_user, Cap.REPLY, ticket, "无权回复")
    _lock(ticket)
    _validate_reply(ticket, kind, channel, content, recipient)
    reply = Reply.objects.create(ticket=ticket, kind=kind, recipient=recipient, channel=channel,
                                 content=content.strip(), author=acting_user, created_at=now, cycle=ticket.cycle)
    _event(ticket, TicketEventKind.REPLY, acting_user=acting_user, now=now, message=f"回复草稿：{content[:200]}",
           reply=reply.pk, draft=True)
    return reply


def give_reply(*, ticket: Ticket, kind: str, channel: str, content: str, acting_user: User, now: dt.datetime,
               recipient: str = ReplyRecipient.OWNER, owner_response: str = OwnerResponse.PENDING,
               owner_words: str = "", sent_at: dt.datetime | None = None) -> Reply:
    """回复 as the page and the API offer it: a reply already given is recorded (:func:`record_reply`); one
    that needs reviews first (letter, fax, email, online — R-M2-08/R-M2-10) becomes a draft waiting for
    them (:func:`draft_reply`)."""
    if reviews_for(ticket, channel=channel, kind=kind, recipient=recipient):
        return draft_reply(ticket=ticket, kind=kind, channel=channel, content=content, recipient=recipient,
                           acting_user=acting_user, now=now)
    return record_reply(ticket=ticket, kind=kind, channel=channel, content=content, recipient=recipient,
                        owner_response=owner_response, owner_words=owner_words, sent_at=sent_at,
                        acting_user=acting_user, now=now)


def _may_review(user: User, department: str, project: Project) -> bool:
    if getattr(user, "is_superuser", False):
        return True
    if department == ReviewDepartment.QUALITY:
        return Role.QUALITY in roles_in(user, project)
    return Membership.objects.filter(user=user, department__kind=DepartmentKind.OFFICE,
                                     company_id=project.company_id).exists()


def may_review(user: User, project: Project) -> bool:
    """Can ``user`` review outgoing replies (品质管理部 or 办公室, R-M2-08)? For showing the panel;
    :func:`review_reply` checks again for the department chosen."""
    return any(_may_review(user, d, project) for d in ReviewDepartment.values)


@transaction.atomic()
def review_reply(*, reply: Reply, department: str, approved: bool, acting_user: User, now: dt.datetime,
                 note: str = "", all_issues_covered: bool = False, sincere: bool = False,
                 no_shifting_blame: bool = False, professionally_correct: bool = False) -> ReplyReview:
    """回复审核 by 品质管理部 or 办公室 (R-M2-08 legal risk and format; R-M2-10/-12 online replies:
    approval with the checklist — sincere, no shifting of responsibility, every issue answered,
    professionally correct; an online reply is sent only when the approval confirms all four).
    Reviewer, time, result and the checklist are stored."""
    ticket = reply.ticket
    _choice(department, ReviewDepartment, "department")
    if not can_see_project(acting_user, ticket.project):
        raise TicketError("工单不存在", code="not_found", status=404)
    if not _may_review(acting_user, department, ticket.project):
        raise _forbid(f"只有{ReviewDepartment(department).label}可以审核")
    _lock(ticket)
    if reply.sent_at is not None:
        raise _refuse("回复已发出", code="already_sent", status=409)
    if not approved and not note.strip():
        raise _refuse("不通过须填写意见", field="note")
    review = ReplyReview.objects.create(reply=reply, department=department, reviewer=acting_user, reviewed_at=now,
                                        approved=approved, all_issues_covered=all_issues_covered, sincere=sincere,
                                        no_shifting_blame=no_shifting_blame,
                                        professionally_correct=professionally_correct, note=note)
    _event(ticket, TicketEventKind.REVIEW, acting_user=acting_user, now=now,
           message=f"{ReviewDepartment(department).label}审核{'通过' if approved else '不通过'} {note}".strip(),
           reply=reply.pk, approved=approved)
    return review


@transaction.atomic()
def send_reply(*, reply: Reply, acting_user: User, now: dt.datetime,
               owner_response: str = OwnerResponse.PENDING, owner_words: str = "") -> Reply:
    """发出回复 — only when every required review approved it (R-M2-08; online: 品质管理部 approval
    with all issues covered, R-M2-10/-12, AS-09). Refused with 409 otherwise; nothing changes."""
    ticket = reply.ticket
    _require(acting_user, Cap.REPLY, ticket, "无权回复")
    _lock(ticket)
    reply.refresh_from_db()
    if reply.sent_at is not None:
        raise _refuse("回复已发出", code="already_sent", status=409)
    if ticket.status not in OPEN_STATUSES:
        raise _refuse("工单已结束，不能回复", code="closed", status=409)
    _choice(owner_response, OwnerResponse, "owner_response")
    missing = _missing_reviews(reply)
    if missing:
        names = "、".join(str(ReviewDepartment(d).label) for d in missing)
        raise TicketError(f"尚未经{names}审核通过，不能发出", field="reviews",
                          code="review_required", status=409)
    reply.sent_at = now
    reply.owner_response = owner_response
    reply.owner_words = owner_words
    reply.save(update_fields=["sent_at", "owner_response", "owner_words"])
    _after_reply_sent(ticket, reply, acting_user=acting_user, now=now)
    return reply


@transaction.atomic()
def record_owner_response(*, reply: Reply, owner_response: str, acting_user: User, now: dt.datetime,
                          owner_words: str = "") -> Reply:
    """顾客对处理方案的意见 (R-M2-13): agree → goes ahead; disagree → back to negotiation (the ticket
    stays open, 已回复 → 已处理)."""
    ticket = reply.ticket
    _require(acting_user, Cap.REPLY, ticket, "无权登记")
    _lock(ticket)
    _choice(owner_response, OwnerResponse, "owner_response")
    if reply.sent_at is None:
        raise _refuse("回复尚未发出", code="not_sent", status=409)
    reply.owner_response, reply.owner_words = owner_response, owner_words
    reply.save(update_fields=["owner_response", "owner_words"])
    _event(ticket, TicketEventKind.REPLY, acting_user=acting_user, now=now,
           message=f"顾客意见：{OwnerResponse(owner_response).label} {owner_words}".strip(), reply=reply.pk)
    if owner_response == OwnerResponse.DISAGREE and ticket.status == S.REPLIED and reply.kind == ReplyKind.RESULT:
        _move(ticket, to=S.HANDLED, acting_user=acting_user, now=now, reason="顾客不同意处理方案，继续协商")
    return reply


