"""Every write of the ticket pipeline (STYLE §2): intake → dispatch → handling → reply →
verification → return visit → close (SPEC M1, M2, M4; R-M2-26), split by sub-domain:

- :mod:`.intake` — 受理, edits/classification, notes, suggestion-box openings;
- :mod:`.channels` — 投诉渠道公布 (R-M1-01);
- :mod:`.suggestions` — 合理化建议 decisions (R-M1-15);
- :mod:`.handling` — 派工, 接单, 处理记录, 退单;
- :mod:`.hold` — the R-M2-04 hold on handling that apps.quality puts on and lifts;
- :mod:`.referral` — 上报品质管理部, 网上投诉通知, 报告总经理, 报品质部处理措施, 转地产, 告知业主进展;
- :mod:`.replies` — 回复, drafts, reviews, sending, the owner's response;
- :mod:`.verification` — 验证, 回访, open questions, 免回访;
- :mod:`.closure` — 结案/未关闭, 重新打开, 作废;
- :mod:`.compensation` — 赔偿 claims, decisions, referrals;
- :mod:`.inventory` — the receiver's 日盘点 confirmation;
- :mod:`.saved_views` — a user's saved list filters.
- :mod:`.attachments` — 附件 outside a handling record (the owner's photos, issue 19);
- :mod:`.validity` — the company's 有效投诉判定标准 (R-M1-18).
- :mod:`.attribution` — 责任归属认定 (R-M3-05).
- :mod:`.feedback_time` — 约定反馈时间 after intake, with the customer's extension (R-M2-06).

Conventions (the interface layer relies on them):

- every public action is keyword-only, takes ``acting_user`` and ``now`` and runs in
  ``transaction.atomic()`` — a savepoint inside the caller's transaction (the entry point owns the
  outer one);
- ``base._move()`` is the only code that assigns ``Ticket.status``; it checks
  ``transitions.ALLOWED``, writes the :class:`TicketEvent` and publishes ``tickets.status_changed``;
- errors: :class:`TicketError` (``status`` 400/403/404/409/422, stable ``code``, Chinese
  ``message``, ``fields`` = {field name: [messages]}); :class:`InvalidTransition` (409) is a
  subclass-compatible error with the same attributes;
- reactions in higher modules are durable jobs (apps.core.jobs) published in the same transaction:
  ``tickets.received`` (ticket_id, kind, now), ``tickets.status_changed`` (ticket_id, kind, old, new,
  now), ``tickets.escalated_to_quality`` (ticket_id, kind, now); staff notices go to apps.notify after
  the commit.

Permissions are checked here too (capabilities from apps.org.roles), so the web form and the API
refuse the same things; visibility (404 for another project) is apps.tickets.access.

``from apps.tickets.actions import X`` keeps working for every public name below.
"""
from __future__ import annotations

from apps.tickets.actions.attachments import add_attachments
from apps.tickets.actions.attribution import determine_attribution
from apps.tickets.actions.base import TicketError, _move
from apps.tickets.actions.channels import ChannelError, record_channel_publication
from apps.tickets.actions.closure import (
    close_blockers,
    close_ticket,
    manager_reply_required,
    reopen_ticket,
    void_ticket,
)
from apps.tickets.actions.compensation import (
    claim_compensation,
    compensation_limit_for,
    decide_compensation,
    refer_compensation,
)
from apps.tickets.actions.coordination import designate_coordinator, remind_owner_update
from apps.tickets.actions.feedback_time import agree_feedback_time
from apps.tickets.actions.handling import accept_dispatch, dispatch_ticket, hand_back, record_handling
from apps.tickets.actions.hold import hold_handling, release_handling
from apps.tickets.actions.intake import EDITABLE_FIELDS, add_note, edit_ticket, receive_ticket, record_box_opening
from apps.tickets.actions.inventory import confirm_inventory
from apps.tickets.actions.judgement import judge_complaint, may_flag_important, may_judge_validity
from apps.tickets.actions.levels import change_escalation_level
from apps.tickets.actions.record_form import flag_record_form, mark_record_form, may_mark_record_form
from apps.tickets.actions.referral import (
    escalate_to_quality,
    investigation_late,
    record_developer_result,
    record_online_notification,
    record_owner_update,
    record_quality_opinion,
    report_incident_to_gm,
    report_to_quality,
    transfer_to_developer,
)
from apps.tickets.actions.replies import (
    CHECKLIST_OK,
    ONLINE_CHECKLIST,
    draft_reply,
    give_reply,
    may_review,
    record_owner_response,
    record_reply,
    required_reviews,
    review_reply,
    reviews_for,
    send_reply,
)
from apps.tickets.actions.saved_views import delete_view, save_view
from apps.tickets.actions.staff_named import name_staff_member
from apps.tickets.actions.suggestions import decide_suggestion, may_decide_suggestion
from apps.tickets.actions.validity import save_validity_criterion
from apps.tickets.actions.verification import (
    answer_return_visit_question,
    exempt_return_visit,
    min_return_visit_attempts,
    no_contact_exemption_offer,
    ready_for_return_visit,
    record_return_visit,
    return_visit_required,
    unanswered_return_visit_questions,
    verify_ticket,
)
from apps.tickets.transitions import InvalidTransition

__all__ = [
    "add_attachments",
    "determine_attribution", "agree_feedback_time",
    "save_validity_criterion",
    "judge_complaint", "may_flag_important", "may_judge_validity",
    "flag_record_form", "mark_record_form", "may_mark_record_form", "designate_coordinator", "remind_owner_update",
    "name_staff_member",
    "change_escalation_level",
    "TicketError", "InvalidTransition", "_move", "receive_ticket", "edit_ticket", "dispatch_ticket",
    "accept_dispatch", "record_handling", "hand_back", "hold_handling", "release_handling", "escalate_to_quality",
    "report_to_quality", "transfer_to_developer", "record_developer_result", "record_owner_update",
    "record_online_notification", "report_incident_to_gm", "investigation_late", "record_quality_opinion", "CHECKLIST_OK", "ONLINE_CHECKLIST", "record_reply", "draft_reply", "give_reply",
    "review_reply", "send_reply", "may_review", "record_owner_response", "verify_ticket", "record_return_visit",
    "answer_return_visit_question", "unanswered_return_visit_questions", "min_return_visit_attempts",
    "exempt_return_visit", "no_contact_exemption_offer", "ready_for_return_visit", "close_ticket", "reopen_ticket", "void_ticket", "claim_compensation",
    "decide_compensation", "refer_compensation", "record_box_opening", "add_note", "save_view", "delete_view",
    "required_reviews", "reviews_for", "return_visit_required", "compensation_limit_for", "close_blockers",
    "manager_reply_required", "EDITABLE_FIELDS", "confirm_inventory", "ChannelError", "record_channel_publication", "decide_suggestion", "may_decide_suggestion",
]
