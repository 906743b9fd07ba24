"""Reads of the ticket pipeline shared by the pages (views.py), the REST API (api.py) and other modules:
the choices a form offers, the work queues, the detail page's timeline and sections, the next steps a
ticket's state allows, and the escalation level with its reasons.

Nothing here writes; writes are :mod:`apps.tickets.actions`.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from apps.estates import access as estates_access
from apps.estates.models import Household
from apps.org import access as org_access
from apps.org.models import Department, Membership, Project, User
from apps.tickets import models as m
from apps.tickets.actions import unanswered_return_visit_questions
from apps.tickets.choices import (
    OPEN_STATUSES,
    RETURN_VISIT_KINDS,
    VERIFY_KINDS,
    CompensationStatus,
    ReplyKind,
    TicketStatus,
)
from apps.tickets.inventory import days_without_box_opening
from apps.tickets.policies import company_verification_pending, company_verification_pending_q
from apps.tickets.transitions import ALLOWED

S = TicketStatus

# ---------------------------------------------------------------- choices for forms


def categories_for(user: Any, project: Project | None = None) -> list[m.Category]:
    """Active categories of the user's company (plus the shipped default tree), parents first."""
    company_ids = set(org_access.visible_projects(user).values_list("company_id", flat=True))
    if project is not None:
        company_ids = {project.company_id}
    qs = (m.Category.objects.filter(active=True).filter(Q(company__isnull=True) | Q(company_id__in=company_ids))
          .select_related("parent"))
    rows = list(qs)
    return sorted(rows, key=lambda c: ((c.parent.sort, c.parent_id) if c.parent is not None else (c.sort, c.pk),
                                       0 if c.parent_id is None else 1, c.sort, c.pk))


def departments_for(user: Any, project: Project | None) -> QuerySet[Department]:
    """Departments a ticket of ``project`` may go to: the project's and the company-level ones."""
    if project is None:
        projects = org_access.visible_projects(user)
        return (Department.objects.filter(Q(project__in=projects) | Q(project__isnull=True,
                                                                       company_id__in=projects.values("company_id")))
                .select_related("project").order_by("project__code", "name"))
    return (Department.objects.filter(Q(project=project) | Q(project__isnull=True, company_id=project.company_id))
            .select_related("project").order_by("project__code", "name"))


def handlers_for(project: Project) -> QuerySet[User]:
    """Active staff of ``project`` (its own members) who may be named a ticket's handler (R-M2-17)."""
    return (User.objects.filter(memberships__project=project, is_active=True).distinct()
            .order_by("display_name", "pk"))


def assignees_for(project: Project) -> list[tuple[int, str]]:
    """Staff with a role in the project (or company level) who can handle or dispatch work."""
    rows = (Membership.objects.filter(Q(project=project) | Q(project__isnull=True, company_id=project.company_id))
            .select_related("user", "department").order_by("department__name", "user__username"))
    seen: dict[int, str] = {}
    for mem in rows:
        if mem.user_id in seen or not mem.user.is_active:
            continue
        dept = f"{mem.department.name}·" if mem.department is not None else ""
        seen[mem.user_id] = f"{dept}{mem.user}"
    return list(seen.items())


def household_in(project: Project | None, household_id: Any) -> Any:
    if project is None or household_id in (None, ""):
        return None
    try:
        return Household.objects.filter(project=project, pk=int(household_id)).first()
    except (TypeError, ValueError):
        return None



# ---------------------------------------------------------------- queues and counts


def open_only(qs: QuerySet[m.Ticket]) -> QuerySet[m.Ticket]:
    return qs.filter(status__in=OPEN_STATUSES)


def open_counts(qs: QuerySet[m.Ticket], household_ids: Iterable[int]) -> dict[int, int]:
    ids = list(household_ids)
    if not ids:
        return {}
    rows = open_only(qs.filter(household_id__in=ids)).values("household_id").annotate(n=Count("id"))
    return {r["household_id"]: r["n"] for r in rows}


def department_queue(qs: QuerySet[m.Ticket], user: Any) -> QuerySet[m.Ticket]:
    """部门待办: open tickets whose active 派工单 goes to one of my departments or to me."""
    depts = org_access.departments_of(user)
    ids = m.Dispatch.objects.filter(Q(active=True) & (Q(assignee=user) | Q(department_id__in=depts)))
    return qs.filter(status__in={S.DISPATCHED, S.HANDLING, S.REOPENED}, pk__in=ids.values("ticket_id"))


def verification_queue(qs: QuerySet[m.Ticket], user: Any = None) -> QuerySet[m.Ticket]:
    """待验证 (R-M4-01): replied tickets of the kinds that are verified; for company-level staff
    (品质管理部) also the company-level complaints waiting for the company's own verification after the
    管理处's (R-M4-03, POLICY P-13 篇4)."""
    waiting = Q(status=S.REPLIED, kind__in=VERIFY_KINDS)
    if user is not None and org_access.is_company_level(user):
        waiting |= company_verification_pending_q()
    return qs.filter(waiting)


def return_visit_queue(qs: QuerySet[m.Ticket]) -> QuerySet[m.Ticket]:
    """待回访 (R-M4-04, R-M4-11): verified (or replied suggestions) waiting for the return visit."""
    return qs.filter(_return_visit_q())


def _return_visit_q() -> Q:
    verified = Q(status=S.VERIFIED, kind__in=RETURN_VISIT_KINDS)
    suggestions = Q(status=S.REPLIED, kind__in=set(RETURN_VISIT_KINDS) - set(VERIFY_KINDS))
    return (verified | suggestions) & Q(return_visit_exemption="")


def immediate_return_visit_q() -> Q:
    """R-M4-06: complaints with a 《顾客投诉处理记录表》 (``record_form``) or of a class-1 category
    (``Category.class_one``, configurable, on the category or its parent) — their return visit is made
    immediately after handling (T-13: no hard limit, "due now" in the work lists)."""
    return Q(kind="complaint") & (Q(record_form=True) | Q(category__class_one=True)
                                  | Q(category__parent__class_one=True))


def immediate_return_visit_queue(qs: QuerySet[m.Ticket]) -> QuerySet[m.Ticket]:
    """待立即回访 (R-M4-06): the record-form and class-1 complaints of the 待回访 queue."""
    return qs.filter(_return_visit_q() & immediate_return_visit_q())


def follow_up_queue(qs: QuerySet[m.Ticket]) -> QuerySet[m.Ticket]:
    """待回访 with the follow-ups of return visits (R-M4-04, R-M4-10, R-M4-11): the return-visit queue and
    the tickets whose return visit left a question to answer by a promised time."""
    waiting = m.ReturnVisit.objects.filter(ticket_id=OuterRef("pk"), answer_due_at__isnull=False,
                                           answered_at__isnull=True)
    return qs.filter(_return_visit_q() | Q(Exists(waiting)))


def saved_views_of(user: Any) -> list[m.SavedView]:
    return list(m.SavedView.objects.filter(user=user).order_by("name"))


def inventory_confirmations(project: Project, day: dt.date, receiver_ids: list[int]) -> dict[int, m.DailyInventory]:
    rows = m.DailyInventory.objects.filter(project=project, day=day, receiver_id__in=receiver_ids,
                                           confirmed_at__isnull=False)
    return {r.receiver_id: r for r in rows}



# ---------------------------------------------------------------- detail page


@dataclass
class TimelineRow:
    at: dt.datetime
    actor: Any
    kind: str
    kind_label: str
    summary: str
    old_status: str
    new_status: str


def events_of(ticket: m.Ticket) -> list[TimelineRow]:
    rows = []
    labels = dict(S.choices)
    for e in ticket.events.select_related("acting_user").order_by("at", "id"):
        summary = e.message or e.get_kind_display()
        if e.old_status and e.new_status and e.old_status != e.new_status:
            summary = f"{labels.get(e.old_status, e.old_status)} → {labels.get(e.new_status, e.new_status)}：{summary}"
        rows.append(TimelineRow(at=e.at, actor=e.acting_user, kind=e.kind, kind_label=e.get_kind_display(),
                                summary=summary, old_status=e.old_status, new_status=e.new_status))
    return rows


@dataclass
class SectionRow:
    at: dt.datetime | None
    who: Any
    text: str


@dataclass
class Section:
    key: str
    title: Any
    rows: list[SectionRow]


def detail_sections(ticket: m.Ticket) -> list[Section]:
    """The ticket's records grouped for the detail page (dispatches, replies, verifications …)."""
    out: list[Section] = []
    dispatches = []
    for d in ticket.dispatches.select_related("department", "assignee").order_by("dispatched_at", "id"):
        parts = [f"{d.department}" + (f"·{d.assignee}" if d.assignee_id else "")]
        if d.instructions:
            parts.append(f"派工说明：{d.instructions}")
        for label, text in (("现场调查", d.investigation), ("处理措施", d.measures), ("处理结果", d.result)):
            if text:
                parts.append(f"{label}：{text}")
        if d.handed_back_at:
            parts.append(f"退单：{d.end_reason}")
        elif d.ended_at:
            parts.append(f"已结束：{d.end_reason}")
        elif d.active:
            parts.append("当前派工单" + ("（已完成）" if d.completed_at else ""))
        dispatches.append(SectionRow(at=d.dispatched_at, who=d.assignee, text="\n".join(parts)))
    if dispatches:
        out.append(Section("dispatches", _("派工单"), dispatches))
    atts = [SectionRow(at=a.uploaded_at, who=a.uploaded_by, text=f"{a.caption or a.file.name}")
            for a in ticket.attachments.select_related("uploaded_by")]
    if atts:
        out.append(Section("attachments", _("照片/附件"), atts))
    replies = []
    for r in ticket.replies.select_related("author").prefetch_related("reviews"):
        state = r.get_owner_response_display() if r.sent_at else "草稿（待审核/待发出）"
        reviews = "；".join(f"{rv.get_department_display()}{'通过' if rv.approved else '不通过'}" for rv in r.reviews.all())
        text = f"[#{r.pk} {r.get_kind_display()}·{r.get_channel_display()}·{state}] {r.content}"
        if reviews:
            text += f"\n审核：{reviews}"
        if r.owner_words:
            text += f"\n顾客原话：{r.owner_words}"
        replies.append(SectionRow(at=r.sent_at or r.created_at, who=r.author, text=text))
    if replies:
        out.append(Section("replies", _("回复"), replies))
    verifs = [SectionRow(at=v.verified_at, who=v.verifier,
                         text=(f"{v.get_level_display()}：" if v.level == "company" else "")
                         + f"{v.get_result_display()} {v.notes}".strip() + (f"\n整改：{v.order}" if v.order else ""))
              for v in ticket.verifications.select_related("verifier")]
    if verifs:
        out.append(Section("verifications", _("验证"), verifs))
    visits = []
    for rv in ticket.return_visits.prefetch_related("attempts__staff"):
        for a in rv.attempts.all():
            visits.append(SectionRow(at=a.at, who=a.staff,
                                     text=f"第{rv.cycle + 1}轮 {a.get_method_display()} "
                                          f"{'联系上' if a.reached else '联系不上'} {a.note}".strip()))
        if rv.outcome != "pending":
            visits.append(SectionRow(at=rv.completed_at, who=rv.visitor,
                                     text=f"回访结果：{rv.get_outcome_display()} {rv.get_satisfaction_display()} "
                                          f"{rv.owner_words}".strip()))
        if rv.open_question and rv.answer_due_at:  # R-M4-10
            due = rv.answer_due_at.astimezone(ticket.project.tz).strftime("%Y-%m-%d %H:%M")
            text = f"待答复的问题：{rv.open_question}（约定 {due} 前答复）"
            if rv.answered_at:
                late = "（超过约定时间）" if rv.answered_at > rv.answer_due_at else ""
                text += f"\n已答复{late}：{rv.answer}"
            visits.append(SectionRow(at=rv.answered_at or rv.completed_at, who=None, text=text))
    if ticket.return_visit_exemption:
        visits.append(SectionRow(at=None, who=ticket.return_visit_exemption_approved_by,
                                 text=f"免回访：{ticket.get_return_visit_exemption_display()} "
                                      f"{ticket.return_visit_exemption_note}".strip()))
    if visits:
        out.append(Section("return_visits", _("回访"), visits))
    claims = [SectionRow(at=c.recorded_at, who=c.recorded_by,
                         text=f"[#{c.pk}] ¥{c.amount} {c.content}（{c.get_status_display()}"
                              + (f"，批准 ¥{c.approved_amount}" if c.approved_amount else "")
                              + (f"，{c.decision_note}" if c.decision_note else "") + "）")
              for c in ticket.compensation_claims.select_related("recorded_by")]
    if claims:
        out.append(Section("compensation", _("赔偿申请"), claims))
    transfers = [SectionRow(at=t.sent_at, who=t.sent_by,
                            text=f"[#{t.pk}] {t.document_no} {t.content}".strip()
                                 + (f"\n地产处理结果：{t.result}" if t.result else ""))
                 for t in ticket.developer_transfers.select_related("sent_by")]
    updates = [SectionRow(at=u.at, who=u.staff, text=f"告知业主（{u.get_channel_display()}）：{u.content}")
               for u in ticket.owner_updates.select_related("staff")]
    if transfers or updates:
        out.append(Section("developer", _("转地产与进展告知"), transfers + updates))
    if ticket.handling_result or ticket.unresolved_analysis:
        rows = []
        if ticket.handling_result:
            rows.append(SectionRow(at=None, who=None, text=f"处理结果：{ticket.handling_result}"))
        if ticket.unresolved_analysis:
            rows.append(SectionRow(at=ticket.closed_at, who=ticket.closed_by,
                                   text=f"案例分析：{ticket.unresolved_analysis}\n措施：{ticket.unresolved_measures}"))
        out.append(Section("result", _("结果"), rows))
    if ticket.void_reason:
        out.append(Section("void", _("作废"), [SectionRow(at=None, who=None, text=ticket.void_reason)]))
    return out


def unanswered_questions(ticket: m.Ticket) -> list[m.ReturnVisit]:
    """R-M4-10: this ticket's return-visit questions still waiting for the promised answer."""
    return list(unanswered_return_visit_questions(m.Ticket.objects.filter(pk=ticket.pk)))



# ---------------------------------------------------------------- next steps


def _can_move(ticket: m.Ticket, to: str) -> bool:
    return to in ALLOWED.get(ticket.status, frozenset())


def allowed_actions(ticket: m.Ticket) -> set[str]:
    """Next steps the ticket's state allows (the actions still check who may and what is missing)."""
    st = ticket.status
    is_open = st in OPEN_STATUSES
    out: set[str] = {"note"}
    if st in {S.RECEIVED, S.REOPENED, S.DISPATCHED, S.HANDLING}:
        out.add("dispatch")
    if st == S.DISPATCHED and ticket.dispatches.filter(active=True).exists():
        out.add("accept")
    if st in {S.RECEIVED, S.DISPATCHED, S.HANDLING, S.TRANSFERRED, S.REOPENED}:
        out.add("handling")
    if st in {S.DISPATCHED, S.HANDLING}:
        out.add("hand_back")
    if st == S.UNRESOLVED and ticket.kind == "complaint":
        out.add("owner_update")  # R-M4-08: the company keeps the customer informed
    if is_open:
        out |= {"reply", "owner_update", "claim", "agreed_time"}
        if ticket.kind == "complaint":
            out.add("coordinator")  # R-M2-03: a municipal complaint's coordinator
            out.add("record_form")  # R-M2-17: list on the record form / name its handler
        if not ticket.held_by_quality:
            out.add("escalate")
    if ticket.replies.filter(sent_at__isnull=True).exists() and is_open:
        out |= {"review", "send"}
    if ticket.replies.filter(sent_at__isnull=False, kind=ReplyKind.RESULT).exists() and is_open:
        out.add("owner_response")
    if (ticket.issued_by_quality or ticket.channel == "online") and is_open:
        out.add("report")  # R-M2-19 measures/result; R-M2-10 an online complaint's facts and measures
    if ticket.held_by_quality and is_open:
        out.add("quality_opinion")  # R-M1-10
    if st == S.REPLIED and ticket.kind in VERIFY_KINDS:
        out.add("verify")
    if st in {S.VERIFIED, S.RETURN_VISITED} and company_verification_pending(ticket):
        out.add("verify")  # 品质管理部's own verification (R-M4-03, POLICY P-13)
    ready = (st == S.VERIFIED) if ticket.kind in VERIFY_KINDS else st in {S.REPLIED, S.VERIFIED}
    if ready and ticket.kind in RETURN_VISIT_KINDS and not ticket.return_visit_exemption:
        out |= {"return_visit", "exempt"}
    if _can_move(ticket, S.CLOSED) or _can_move(ticket, S.UNRESOLVED):
        if st != S.VOIDED and st not in {S.CLOSED, S.UNRESOLVED}:
            out.add("close")
    if _can_move(ticket, S.REOPENED) and st != S.VOIDED:
        out.add("reopen")
    if _can_move(ticket, S.TRANSFERRED):
        out.add("transfer")
    if st == S.TRANSFERRED and ticket.developer_transfers.filter(result="").exists():
        out.add("developer_result")
    if ticket.compensation_claims.filter(status=CompensationStatus.PENDING).exists():
        out |= {"decide", "refer"}
    if st != S.VOIDED:
        out.add("void")
    if ticket.kind == "complaint" and st != S.VOIDED:
        out.add("internal_staff")
        out.add("judge")  # 有效投诉 (R-M1-18) and 重要投诉 (R-M2-22)
    if ticket.kind in ("complaint", "praise") and st != S.VOIDED:
        out.add("staff_named")  # R-M14-02: the staff member praised or complained about
    if st != S.VOIDED and ticket.return_visits.filter(answer_due_at__isnull=False, answered_at__isnull=True).exists():
        out.add("answer_question")  # R-M4-10, also after the ticket closed
    if ticket.channel == "online" and is_open and (ticket.online_emailed_at is None or ticket.online_phoned_at is None):
        out.add("online_notification")  # R-M2-09: 品质管理部's email forward and phone call
    if ticket.kind == "incident" and st != S.VOIDED and ticket.gm_reported_at is None:
        out.add("gm_report")  # R-M2-23: reported to the 物业总经理
    if ticket.kind == "suggestion" and st != S.VOIDED and not m.SuggestionDecision.objects.filter(ticket=ticket).exists():
        out.add("suggestion_decision")  # R-M1-15: the 管理处主任 adopts or declines
    if out & HANDLING_STEPS and handling_held(ticket):
        out -= HANDLING_STEPS  # R-M2-04: not before the 管理者代表 signs (the NCR panel says so)
    return out


HANDLING_STEPS = frozenset({"dispatch", "accept", "handling", "hand_back"})


def handling_held(ticket: m.Ticket) -> bool:
    """Is handling held (R-M2-04: an unsigned 《不合格/纠正、预防措施报告》, put on by apps.quality)?"""
    return bool(ticket.handling_hold)



# ---------------------------------------------------------------- escalation (written by apps.escalation)

def with_escalation(qs: QuerySet[m.Ticket]) -> QuerySet[m.Ticket]:
    """Load each ticket's escalation events in one query (for lists: see :func:`escalation_of`)."""
    return qs.prefetch_related(Prefetch("escalation_events", queryset=_escalation_events(), to_attr="escalation_rows"))


def _escalation_events() -> QuerySet[Any]:
    # The events are apps.escalation's rows, read through the reverse relation its model declares on
    # Ticket (``escalation_events``): tickets never imports the higher module.
    model: Any = m.Ticket._meta.get_field("escalation_events").related_model
    return model.objects.select_related("raised_by").order_by("raised_at", "pk")


def escalation_of(ticket: m.Ticket) -> dict[str, Any]:
    """``{level, reasons}`` — the level is written by apps.escalation; the reasons are its events, one
    dict each, oldest first (``kind, level, level_label, rule_id, reason, raised_at, report_due_at, by``)."""
    rows = getattr(ticket, "escalation_rows", None)
    if rows is None:
        rows = list(_escalation_events().filter(ticket=ticket))
    reasons = [{
        "kind": e.kind, "level": e.level, "level_label": str(e.get_level_display()), "rule_id": e.rule_id,
        "reason": e.reason, "raised_at": e.raised_at, "report_due_at": e.report_due_at,
        "by": str(e.raised_by) if e.raised_by else None,
    } for e in rows]
    return {"level": ticket.escalation_level or "none", "reasons": reasons}


def validity_criteria(company_id: int, *, active_only: bool = True) -> list[m.ValidityCriterion]:
    """The company's 有效投诉判定标准 (R-M1-18), valid ones first, in their order."""
    qs = m.ValidityCriterion.objects.filter(company_id=company_id)
    if active_only:
        qs = qs.filter(active=True)
    return list(qs.order_by("-valid", "position", "id"))


def validity_criteria_choices(company_id: int) -> list[tuple[int, str]]:
    """Choices of the 投诉判定 panel: each active criterion with the verdict it supports."""
    valid, invalid = str(_("有效")), str(_("无效"))
    return [(c.pk, f"{valid if c.valid else invalid}：{c.label}") for c in validity_criteria(company_id)]


def phone_call_url(user: Any, ticket: m.Ticket) -> str:
    """The 拨打 endpoint beside the ticket's masked contact number (issue 23 item 7), for a user whose role may
    reveal owners' contact data in the ticket's project (the owner archive's rule, R-M7-01); empty otherwise,
    and then the page shows the masked number as text only."""
    if not ticket.phone or not estates_access.may_reveal(user, ticket.project):
        return ""
    return reverse("tickets:call_phone", args=[ticket.pk])


# ---------------------------------------------------------------- return visit: state and the offered exemption

# What the page and the API say about exemption B offered to an anonymous or contact-less ticket
# (R-M4-05, POLICY P-07; issue 23 item 11).
EXEMPTION_OFFER_READY = _("这是匿名或无联系方式的诉求，可以免回访：点击即可申请，无需另找入口。")
EXEMPTION_OFFER_LATER = _("这是匿名或无联系方式的诉求，可以免回访：验证通过后在此一键申请。")
EXEMPTION_OFFER_OTHERS = _("这是匿名或无联系方式的诉求，可以免回访：由负责回访的人员在此一键申请。")

RETURN_VISIT_STATE_LABELS = {
    "not_required": _("无需回访"),
    "exempted": _("已免回访"),
    "not_yet": _("尚未到回访环节"),
    "waiting": _("待回访"),
    "in_progress": _("回访中"),
    "done": _("已回访"),
}


# ---------------------------------------------------------------- 投诉意见记录回执单 (R-M1-13)


def has_committee_receipt(ticket: m.Ticket) -> bool:
    """A written form of the 业委会书面投诉平台 (R-M1-13): the owner keeps a receipt with the ticket number."""
    return "owners_committee" in (ticket.channel, ticket.source)


def committee_receipt(ticket: m.Ticket) -> dict[str, Any]:
    """What the 管理处's 投诉意见记录回执单 shows (staff side of R-M1-13; the 业委会's own copy is in
    apps.owners): the ticket number, when the 管理处 received it, the reply due time of this cycle, who
    received it and what the owner wrote."""
    due = next((d.due_at for d in ticket.deadlines.all() if d.stage == "reply" and d.cycle == ticket.cycle), None)
    return {"number": ticket.number, "project_name": ticket.project.name, "kind_label": str(ticket.get_kind_display()),
            "received_at": ticket.received_at, "reply_due_at": due,
            "household_label": ticket.household.label if ticket.household is not None else ticket.address,
            "complainant": "" if ticket.anonymous else ticket.complainant_surname,
            "receiver_name": str(ticket.receiver), "content": ticket.content}


def box_opening_log(project: Any, today: dt.date, *, days: int = 30) -> dict[str, Any]:
    """R-M1-12: the last ``days`` calendar days of the project's suggestion-box log — each opening with the
    tickets created from its slips, and the days without an opening (flagged). Three queries."""
    start = today - dt.timedelta(days=days - 1)
    openings = list(m.SuggestionBoxOpening.objects.filter(project=project, local_date__gte=start)
                    .select_related("opened_by").prefetch_related(
                        Prefetch("tickets", queryset=m.Ticket.objects.order_by("received_at", "pk")))
                    .order_by("-opened_at", "-pk"))
    return {"openings": openings, "missing_days": days_without_box_opening(project, start, today)[::-1],
            "box_time": project.suggestion_box_time}
