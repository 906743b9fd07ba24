"""What ``GET /api/v1/tickets/{id}`` adds to the ticket (issue 23 item 11): everything a supervisor sees
on the ticket page — the records behind its sections (dispatches, replies and their reviews,
verifications, return visits with their attempts, compensation claims, transfers to the developer,
progress told to the owner), the attachments with download URLs that check access, the timeline, the
return-visit state with the exemption (which one, the reason, who approved and recorded it), the
same-complaint group, the work order link of a repair, and the exemption B the ticket is offered
(R-M4-05, POLICY P-07) with the endpoint that requests it.

Schemas are named ``TicketDetail…`` (component names are unique across apps). Reads only; the data
comes from the same relations the page's :func:`apps.tickets.queries.detail_sections` reads.

No ``from __future__ import annotations``: django-ninja resolves these annotations at import time.
"""

import datetime as dt
from typing import Any

from django.urls import reverse
from ninja import Field, Schema

from apps.core.validation import safe_local
from apps.estates import masking
from apps.tickets import actions, progress, queries, work_orders
from apps.tickets.choices import RETURN_VISIT_KINDS, ReturnVisitExemption, ReturnVisitOutcome, TicketEventKind
from apps.tickets.models import Ticket
from linli import clock

# ---------------------------------------------------------------- schemas


class TicketDetailPersonOut(Schema):
    id: int
    name: str


class TicketDetailExemptionOut(Schema):
    exemption: str = Field(description="on_spot (A) | no_contact (B) | sensitive (C)")
    label: str
    note: str = Field(description="理由/说明（敏感投诉必填）")
    approved_by: TicketDetailPersonOut | None = Field(description="批准人（敏感投诉须主管以上批准；其余为空）")
    recorded_by: TicketDetailPersonOut | None
    recorded_at: dt.datetime | None


class TicketDetailExemptionOfferOut(Schema):
    """Exemption B offered to an anonymous or contact-less ticket: request it with ``method`` on
    ``endpoint`` and ``body`` (the ordinary exemption endpoint) once ``ready`` is true."""

    exemption: str
    label: str
    message: str
    ready: bool = Field(description="现在即可申请（已验证，或建议已回复）；否则验证通过后可申请")
    method: str
    endpoint: str
    body: dict[str, str]


class TicketDetailReturnVisitAttemptOut(Schema):
    at: dt.datetime | None
    method: str
    method_label: str
    reached: bool
    staff: TicketDetailPersonOut | None
    note: str


class TicketDetailReturnVisitOut(Schema):
    id: int
    cycle: int
    outcome: str = Field(description="pending | done | unreachable")
    outcome_label: str
    method: str
    satisfaction: str
    satisfaction_label: str
    owner_words: str
    visitor: TicketDetailPersonOut | None
    completed_at: dt.datetime | None
    open_question: str
    answer_due_at: dt.datetime | None
    answered_at: dt.datetime | None
    answer: str
    attempts: list[TicketDetailReturnVisitAttemptOut]


class TicketDetailReturnVisitStateOut(Schema):
    state: str = Field(description="not_required | exempted | not_yet | waiting | in_progress | done")
    label: str
    required: bool = Field(description="结案前须回访（未免回访）")
    result: str = Field(description="最近一次回访的结果：空 | pending | done | unreachable")
    satisfaction: str


class TicketDetailDispatchOut(Schema):
    id: int
    department: TicketDetailPersonOut
    assignee: TicketDetailPersonOut | None
    dispatched_at: dt.datetime | None
    instructions: str
    due_at: dt.datetime | None
    active: bool
    accepted_at: dt.datetime | None
    arrived_at: dt.datetime | None
    investigation: str
    measures: str
    result: str
    completed_at: dt.datetime | None
    handed_back_at: dt.datetime | None
    ended_at: dt.datetime | None
    end_reason: str


class TicketDetailReviewOut(Schema):
    department: str
    department_label: str
    reviewer: TicketDetailPersonOut | None
    reviewed_at: dt.datetime | None
    approved: bool
    sincere: bool = False
    no_shifting_blame: bool = False
    all_issues_covered: bool = False
    professionally_correct: bool = False
    note: str


class TicketDetailReplyOut(Schema):
    id: int
    kind: str
    recipient: str
    channel: str
    channel_label: str
    content: str
    owner_response: str
    owner_response_label: str
    owner_words: str
    author: TicketDetailPersonOut | None
    created_at: dt.datetime | None
    sent_at: dt.datetime | None = Field(description="空 = 草稿（待审核/待发出）")
    reviews: list[TicketDetailReviewOut]


class TicketDetailVerificationOut(Schema):
    id: int
    cycle: int
    result: str = Field(description="pass | fail")
    result_label: str
    verifier: TicketDetailPersonOut | None
    verified_at: dt.datetime | None
    notes: str
    order: str
    level: str = Field("project", description="project（管理处验证）| company（品质管理部验证，公司级投诉）")


class TicketDetailClaimOut(Schema):
    id: int
    amount: str
    content: str
    status: str
    status_label: str
    approved_amount: str | None
    decision_note: str
    recorded_by: TicketDetailPersonOut | None
    recorded_at: dt.datetime | None


class TicketDetailTransferOut(Schema):
    id: int
    sent_at: dt.datetime | None
    document_no: str
    content: str
    result: str
    result_at: dt.datetime | None


class TicketDetailOwnerUpdateOut(Schema):
    at: dt.datetime | None
    channel: str
    content: str
    staff: TicketDetailPersonOut | None


class TicketDetailAttachmentOut(Schema):
    id: int
    caption: str
    uploaded_at: dt.datetime | None
    uploaded_by: TicketDetailPersonOut | None
    url: str = Field(description="下载地址（接口认证；只有能查看该工单的用户能取得文件）")
    page_url: str = Field(description="页面上的地址（登录会话）")


class TicketDetailEventOut(Schema):
    at: dt.datetime | None
    actor: TicketDetailPersonOut | None
    kind: str
    kind_label: str
    summary: str
    old_status: str
    new_status: str


class TicketDetailClusterOut(Schema):
    id: int
    state: str
    title: str
    members: int
    url: str = Field(description="相同投诉组的接口地址")


class TicketDetailFactsOut(Schema):
    """The page's head facts not in the list schema."""

    project_name: str
    category_name: str
    department_name: str
    handler_name: str
    receiver_name: str
    phone_masked: str
    sensitive: bool
    resolved_on_spot: bool
    handling_hold: str
    handling_hold_message: str
    escalated_to_quality_at: dt.datetime | None
    transferred_to_developer_at: dt.datetime | None
    coordinator: TicketDetailPersonOut | None = Field(None, description="市政配套协调人")
    owner_update_due_at: dt.datetime | None = Field(
        None, description="下次应告知业主进展的时间（地产、市政处理的投诉；公司未设间隔时为空）")
    owner_update_overdue: bool = Field(False, description="告知业主进展已逾期")
    investigated_at: dt.datetime | None
    online_emailed_at: dt.datetime | None
    online_phoned_at: dt.datetime | None
    gm_reported_at: dt.datetime | None
    unresolved_close: bool
    unresolved_analysis: str
    unresolved_measures: str
    void_reason: str
    closed_by: TicketDetailPersonOut | None


# ---------------------------------------------------------------- data


def _who(user: Any) -> dict[str, Any] | None:
    return {"id": user.pk, "name": str(user)} if user is not None else None


def _at(moment: dt.datetime | None) -> dt.datetime | None:
    return safe_local(moment)


def exemption_detail(ticket: Ticket) -> dict[str, Any] | None:
    """The ticket's return-visit exemption: which one, the reason, who approved (C) and who recorded it."""
    if not ticket.return_visit_exemption:
        return None
    event = (ticket.events.filter(kind=TicketEventKind.EXEMPTED).select_related("acting_user")
             .order_by("-at", "-id").first())
    return {
        "exemption": ticket.return_visit_exemption, "label": str(ticket.get_return_visit_exemption_display()),
        "note": ticket.return_visit_exemption_note, "approved_by": _who(ticket.return_visit_exemption_approved_by),
        "recorded_by": _who(event.acting_user) if event else None, "recorded_at": _at(event.at) if event else None,
    }


def exemption_offer(ticket: Ticket) -> dict[str, Any] | None:
    """Exemption B offered without being looked for (R-M4-05, POLICY P-07): the action's own check
    (:func:`apps.tickets.actions.no_contact_exemption_offer`) and the endpoint that requests it."""
    offer = actions.no_contact_exemption_offer(ticket)
    if offer is None:
        return None
    ready = bool(offer["ready"])
    message = (queries.EXEMPTION_OFFER_READY if ready else queries.EXEMPTION_OFFER_LATER)
    return {
        "exemption": offer["exemption"], "label": str(ReturnVisitExemption(offer["exemption"]).label),
        "message": str(message), "ready": ready, "method": "POST",
        "endpoint": reverse("api:ticket_return_visit_exemption", kwargs={"ticket_id": ticket.pk}),
        "body": {"exemption": offer["exemption"]},
    }


def return_visit_state(ticket: Ticket, visits: list[Any]) -> dict[str, Any]:
    """Where the ticket's return visit stands, and the latest visit's result."""
    latest = visits[-1] if visits else None
    current = latest if latest is not None and latest.cycle == ticket.cycle else None
    if ticket.kind not in RETURN_VISIT_KINDS:
        state = "not_required"
    elif ticket.return_visit_exemption:
        state = "exempted"
    elif current is not None and current.outcome != ReturnVisitOutcome.PENDING:
        state = "done"
    elif current is not None:
        state = "in_progress"
    elif actions.ready_for_return_visit(ticket):
        state = "waiting"
    else:
        state = "not_yet"
    return {"state": state, "label": str(queries.RETURN_VISIT_STATE_LABELS[state]),
            "required": actions.return_visit_required(ticket),
            "result": latest.outcome if latest else "", "satisfaction": latest.satisfaction if latest else ""}


def detail_data(ticket: Ticket) -> dict[str, Any]:
    """The fields :class:`apps.tickets.api.TicketDetailOut` adds to the list schema."""
    visits = list(ticket.return_visits.select_related("visitor").prefetch_related("attempts__staff")
                  .order_by("cycle", "id"))
    update_due = progress.owner_update_due_at(ticket)  # R-M2-03
    member = getattr(ticket, "complaint_cluster_member", None)  # apps.escalation's row, by the reverse relation
    cluster = None
    if member is not None:
        group = member.cluster
        cluster = {"id": group.pk, "state": group.state, "title": group.title, "members": group.members.count(),
                   "url": reverse("api:escalation_cluster", kwargs={"cluster_id": group.pk})}
    return {
        "facts": {
            "project_name": ticket.project.name, "category_name": str(ticket.category) if ticket.category else "",
            "department_name": str(ticket.department) if ticket.department else "",
            "handler_name": str(ticket.handler) if ticket.handler else "",
            "receiver_name": str(ticket.receiver) if ticket.receiver else "",
            "phone_masked": masking.mask_phone(ticket.phone) if ticket.phone else "",
            "sensitive": ticket.sensitive, "resolved_on_spot": ticket.resolved_on_spot,
            "handling_hold": ticket.handling_hold, "handling_hold_message": ticket.handling_hold_message,
            "escalated_to_quality_at": _at(ticket.escalated_to_quality_at),
            "transferred_to_developer_at": _at(ticket.transferred_to_developer_at),
            "coordinator": _who(ticket.coordinator), "owner_update_due_at": _at(update_due),
            "owner_update_overdue": update_due is not None and update_due < clock.now(),
            "investigated_at": _at(ticket.investigated_at), "online_emailed_at": _at(ticket.online_emailed_at),
            "online_phoned_at": _at(ticket.online_phoned_at), "gm_reported_at": _at(ticket.gm_reported_at),
            "unresolved_close": ticket.unresolved_close, "unresolved_analysis": ticket.unresolved_analysis,
            "unresolved_measures": ticket.unresolved_measures, "void_reason": ticket.void_reason,
            "closed_by": _who(ticket.closed_by),
        },
        "return_visit_exemption_detail": exemption_detail(ticket),
        "exemption_offer": exemption_offer(ticket),
        "return_visit": return_visit_state(ticket, visits),
        "return_visits": [{
            "id": v.pk, "cycle": v.cycle, "outcome": v.outcome, "outcome_label": str(v.get_outcome_display()),
            "method": v.method, "satisfaction": v.satisfaction,
            "satisfaction_label": str(v.get_satisfaction_display()) if v.satisfaction else "",
            "owner_words": v.owner_words, "visitor": _who(v.visitor), "completed_at": _at(v.completed_at),
            "open_question": v.open_question, "answer_due_at": _at(v.answer_due_at),
            "answered_at": _at(v.answered_at), "answer": v.answer,
            "attempts": [{"at": _at(a.at), "method": a.method, "method_label": str(a.get_method_display()),
                          "reached": a.reached, "staff": _who(a.staff), "note": a.note} for a in v.attempts.all()],
        } for v in visits],
        "dispatches": [{
            "id": d.pk, "department": {"id": d.department.pk, "name": str(d.department)}, "assignee": _who(d.assignee),
            "dispatched_at": _at(d.dispatched_at), "instructions": d.instructions, "due_at": _at(d.due_at),
            "active": d.active, "accepted_at": _at(d.accepted_at), "arrived_at": _at(d.arrived_at),
            "investigation": d.investigation, "measures": d.measures, "result": d.result,
            "completed_at": _at(d.completed_at), "handed_back_at": _at(d.handed_back_at),
            "ended_at": _at(d.ended_at), "end_reason": d.end_reason,
        } for d in ticket.dispatches.select_related("department", "assignee").order_by("dispatched_at", "id")],
        "work_order_url": work_orders.work_order_url(ticket) if work_orders.has_work_order(ticket) else "",
        "replies": [{
            "id": r.pk, "kind": r.kind, "recipient": r.recipient, "channel": r.channel,
            "channel_label": str(r.get_channel_display()), "content": r.content, "owner_response": r.owner_response,
            "owner_response_label": str(r.get_owner_response_display()), "owner_words": r.owner_words,
            "author": _who(r.author), "created_at": _at(r.created_at), "sent_at": _at(r.sent_at),
            "reviews": [{"department": rv.department, "department_label": str(rv.get_department_display()),
                         "reviewer": _who(rv.reviewer), "reviewed_at": _at(rv.reviewed_at), "approved": rv.approved,
                         "sincere": rv.sincere, "no_shifting_blame": rv.no_shifting_blame,
                         "all_issues_covered": rv.all_issues_covered,
                         "professionally_correct": rv.professionally_correct,
                         "note": rv.note} for rv in r.reviews.all()],
        } for r in ticket.replies.select_related("author").prefetch_related("reviews__reviewer").order_by("created_at", "id")],
        "verifications": [{
            "id": v.pk, "cycle": v.cycle, "result": v.result, "result_label": str(v.get_result_display()),
            "verifier": _who(v.verifier), "verified_at": _at(v.verified_at), "notes": v.notes, "order": v.order,
            "level": v.level,
        } for v in ticket.verifications.select_related("verifier").order_by("verified_at", "id")],
        "compensation_claims": [{
            "id": c.pk, "amount": str(c.amount), "content": c.content, "status": c.status,
            "status_label": str(c.get_status_display()),
            "approved_amount": str(c.approved_amount) if c.approved_amount is not None else None,
            "decision_note": c.decision_note, "recorded_by": _who(c.recorded_by), "recorded_at": _at(c.recorded_at),
        } for c in ticket.compensation_claims.select_related("recorded_by").order_by("recorded_at", "id")],
        "developer_transfers": [{
            "id": t.pk, "sent_at": _at(t.sent_at), "document_no": t.document_no, "content": t.content,
            "result": t.result, "result_at": _at(t.result_at),
        } for t in ticket.developer_transfers.order_by("sent_at", "id")],
        "owner_updates": [{"at": _at(u.at), "channel": u.channel, "content": u.content, "staff": _who(u.staff)}
                          for u in ticket.owner_updates.select_related("staff").order_by("at", "id")],
        "attachments": [{
            "id": a.pk, "caption": a.caption, "uploaded_at": _at(a.uploaded_at), "uploaded_by": _who(a.uploaded_by),
            "url": reverse("api:ticket_attachment", kwargs={"ticket_id": ticket.pk, "attachment_id": a.pk}),
            "page_url": reverse("tickets:attachment", kwargs={"pk": ticket.pk, "aid": a.pk}),
        } for a in ticket.attachments.select_related("uploaded_by").order_by("uploaded_at", "id")],
        "timeline": [{
            "at": _at(e.at), "actor": _who(e.actor), "kind": e.kind, "kind_label": str(e.kind_label),
            "summary": str(e.summary), "old_status": e.old_status, "new_status": e.new_status,
        } for e in queries.events_of(ticket)],
        "cluster": cluster,
        "next_steps": sorted(step for step in queries.allowed_actions(ticket)
                             if not work_orders.step_on_work_order(ticket, step)),
    }
