"""The interface side's single door to the domain (apps.tickets.actions / models / inventory).

Pages (views.py) and the REST API (api.py) both call these functions, so a web form and an API call
always run the *same* action with the same arguments (STYLE §2). Nothing here decides a business
rule: it only translates interface vocabulary (form/schema field names) into action keyword
arguments, resolves ids into rows the user may use, and reads the domain's vocabulary (statuses,
exemptions, satisfaction …) for the forms.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from apps.org import access as org_access
from apps.org.models import Department, Membership, Project, User
from apps.tickets import actions
from apps.tickets import models as m
from apps.tickets.choices import (
    OPEN_STATUSES,
    RETURN_VISIT_KINDS,
    VERIFY_KINDS,
    CompensationStatus,
    ReplyChannel,
    ReplyKind,
    ReturnVisitExemption,
    ReturnVisitMethod,
    Satisfaction,
    TicketStatus,
)
from apps.tickets.transitions import ALLOWED, InvalidTransition

S = TicketStatus

# ---------------------------------------------------------------- errors

TRANSITION_ERRORS: tuple[type[BaseException], ...] = (InvalidTransition,)
DOMAIN_ERRORS: tuple[type[BaseException], ...] = (actions.TicketError,)


def error_fields(exc: BaseException) -> dict[str, list[str]]:
    fields = getattr(exc, "fields", None) or {}
    field = getattr(exc, "field", None)
    if field and not fields:
        fields = {field: [str(exc)]}
    return {k: [str(x) for x in (v if isinstance(v, (list, tuple)) else [v])] for k, v in fields.items()}


def error_status(exc: BaseException) -> int:
    return int(getattr(exc, "status", 422) or 422)


def error_code(exc: BaseException) -> str:
    return str(getattr(exc, "code", "invalid") or "invalid")


def error_message(exc: BaseException) -> str:
    return str(getattr(exc, "message", None) or exc)


def invalid(field: str, message: str) -> actions.TicketError:
    return actions.TicketError(message, field=field, code="invalid", status=422)


ACTION_DONE: dict[str, Any] = {
    "dispatch": _("已派工"), "accept": _("已接单"), "handling": _("已记录处理情况"), "hand_back": _("已退单"),
    "reply": _("已记录回复"), "review": _("已记录审核意见"), "send": _("回复已发出"),
    "owner_response": _("已记录顾客意见"), "verify": _("已记录验证结果"), "return_visit": _("已记录回访"),
    "exempt": _("已记录免回访"), "close": _("工单已结案"), "reopen": _("工单已重新打开"), "void": _("工单已作废"),
    "escalate": _("已上报品质管理部"), "transfer": _("已书面转地产"), "developer_result": _("已登记地产处理结果"),
    "owner_update": _("已记录进展告知"), "claim": _("已登记赔偿申请"), "decide": _("已记录赔偿审批"),
    "refer": _("已转报"), "note": _("已添加备注"), "report": _("已上报处理措施"),
    "internal_staff": _("已更新内部员工投诉标记"), "answer_question": _("已记录对业主问题的答复"),
}

# ---------------------------------------------------------------- choices for forms


def reply_channels() -> list[tuple[str, str]]:
    return list(ReplyChannel.choices)


def reply_kinds() -> list[tuple[str, str]]:
    return list(ReplyKind.choices)


def return_visit_methods() -> list[tuple[str, str]]:
    return list(ReturnVisitMethod.choices)


def satisfactions() -> list[tuple[str, str]]:
    return list(Satisfaction.choices)


def exemptions() -> list[tuple[str, str]]:
    return list(ReturnVisitExemption.choices)


def categories_for(user: Any, project: Project | None = None) -> list[m.Category]:
    """Active categories of the user's company (plus the shipped default tree), parents first."""
    company_ids = set(org_access.visible_projects(user).values_list("company_id", flat=True))
    if project is not None:
        company_ids = {project.company_id}
    qs = (m.Category.objects.filter(active=True).filter(Q(company__isnull=True) | Q(company_id__in=company_ids))
          .select_related("parent"))
    rows = list(qs)
    return sorted(rows, key=lambda c: ((c.parent.sort, c.parent_id) if c.parent_id else (c.sort, c.pk),
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


def assignees_for(project: Project) -> list[tuple[int, str]]:
    """Staff with a role in the project (or company level) who can handle or dispatch work."""
    rows = (Membership.objects.filter(Q(project=project) | Q(project__isnull=True, company_id=project.company_id))
            .select_related("user", "department").order_by("department__name", "user__username"))
    seen: dict[int, str] = {}
    for mem in rows:
        if mem.user_id in seen or not mem.user.is_active:
            continue
        dept = f"{mem.department.name}·" if mem.department_id else ""
        seen[mem.user_id] = f"{dept}{mem.user}"
    return list(seen.items())


# ---------------------------------------------------------------- look-ups (ids → rows the user may use)


def household_in(project: Project | None, household_id: Any) -> Any:
    from apps.estates.models import Household

    if project is None or household_id in (None, ""):
        return None
    try:
        return Household.objects.filter(project=project, pk=int(household_id)).first()
    except (TypeError, ValueError):
        return None


def household_and_person(project: Project, household_id: Any, person_id: Any) -> tuple[Any, Any]:
    """Resolve the intake form's hidden ids; another project's rows are refused like bad input."""
    from apps.estates.models import Person

    household = None
    person = None
    if household_id not in (None, ""):
        household = household_in(project, household_id)
        if household is None:
            raise invalid("household", "房屋不存在或不属于该项目")
    if person_id not in (None, ""):
        person = Person.objects.filter(project=project, pk=int(person_id)).first()
        if person is None:
            raise invalid("person", "业主不存在或不属于该项目")
    return household, person


def category_or_none(category_id: Any, *, project: Project) -> m.Category | None:
    if category_id in (None, ""):
        return None
    row = (m.Category.objects.filter(pk=int(category_id), active=True)
           .filter(Q(company__isnull=True) | Q(company_id=project.company_id)).first())
    if row is None:
        raise invalid("category", "分类不存在或不可用")
    return row


def department_or_none(department_id: Any, *, project: Project, field: str = "department") -> Department | None:
    if department_id in (None, ""):
        return None
    row = (Department.objects.filter(pk=int(department_id))
           .filter(Q(project=project) | Q(project__isnull=True, company_id=project.company_id)).first())
    if row is None:
        raise invalid(field, "部门不存在或不属于该项目")
    return row


def user_or_none(user_id: Any, *, project: Project, field: str) -> User | None:
    if user_id in (None, ""):
        return None
    row = User.objects.filter(pk=int(user_id), is_active=True).first()
    if row is None or not org_access.can_see_project(row, project):
        raise invalid(field, "人员不存在或不属于该项目")
    return row


# ---------------------------------------------------------------- queries


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


def verification_queue(qs: QuerySet[m.Ticket]) -> QuerySet[m.Ticket]:
    """待验证 (R-M4-01): replied tickets of the kinds that are verified."""
    return qs.filter(status=S.REPLIED, kind__in=VERIFY_KINDS)


def return_visit_queue(qs: QuerySet[m.Ticket]) -> QuerySet[m.Ticket]:
    """待回访 (R-M4-04, R-M4-11): verified (or replied suggestions) waiting for the return visit."""
    verified = Q(status=S.VERIFIED, kind__in=RETURN_VISIT_KINDS)
    suggestions = Q(status=S.REPLIED, kind__in=set(RETURN_VISIT_KINDS) - set(VERIFY_KINDS))
    return qs.filter(verified | suggestions).filter(return_visit_exemption="")


def saved_views_of(user: Any) -> list[m.SavedView]:
    return list(m.SavedView.objects.filter(user=user).order_by("name"))


def save_view(user: Any, *, name: str, query_string: str, now: dt.datetime) -> m.SavedView:
    return actions.save_view(user=user, name=name, query_string=query_string, now=now)


def delete_view(user: Any, view_id: int) -> bool:
    if not m.SavedView.objects.filter(user=user, pk=view_id).exists():
        return False
    actions.delete_view(user=user, view_id=view_id)
    return True


def inventory_confirmations(project: Project, day: dt.date, receiver_ids: list[int]) -> dict[int, m.DailyInventory]:
    rows = m.DailyInventory.objects.filter(project=project, day=day, receiver_id__in=receiver_ids,
                                           confirmed_at__isnull=False)
    return {r.receiver_id: r for r in rows}


def confirm_inventory(*, project: Project, day: dt.date, acting_user: Any, now: dt.datetime,
                      note: str = "") -> m.DailyInventory:
    from apps.tickets.inventory import confirm_inventory as confirm

    return confirm(project=project, day=day, acting_user=acting_user, now=now, note=note)


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
                         text=f"{v.get_result_display()} {v.notes}".strip() + (f"\n整改：{v.order}" if v.order else ""))
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


def close_blockers(ticket: m.Ticket) -> dict[str, list[str]]:
    """What still prevents a normal close (the close panel, R-M2-21)."""
    return actions.close_blockers(ticket)


def may_review(user: Any, project: Project) -> bool:
    """Can ``user`` review outgoing replies (品质管理部 or 办公室, R-M2-08)? For showing the panel;
    the action checks again."""
    from apps.tickets.choices import ReviewDepartment

    return any(actions._may_review(user, d, project) for d in ReviewDepartment.values)


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
    if is_open:
        out |= {"reply", "owner_update", "claim"}
        if not ticket.held_by_quality:
            out.add("escalate")
    if ticket.replies.filter(sent_at__isnull=True).exists() and is_open:
        out |= {"review", "send"}
    if ticket.replies.filter(sent_at__isnull=False, kind=ReplyKind.RESULT).exists() and is_open:
        out.add("owner_response")
    if ticket.issued_by_quality and is_open:
        out.add("report")
    if st == S.REPLIED and ticket.kind in VERIFY_KINDS:
        out.add("verify")
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
    if st != S.VOIDED and ticket.return_visits.filter(answer_due_at__isnull=False, answered_at__isnull=True).exists():
        out.add("answer_question")  # R-M4-10, also after the ticket closed
    if out & HANDLING_STEPS and handling_blocked(ticket) is not None:
        out -= HANDLING_STEPS  # R-M2-04: not before the 管理者代表 signs (the NCR panel says so)
    return out


HANDLING_STEPS = frozenset({"dispatch", "accept", "handling", "hand_back"})


def handling_blocked(ticket: m.Ticket) -> Any:
    """The unsigned 《不合格/纠正、预防措施报告》 that holds up handling (R-M2-04), or None."""
    from apps.quality.gate import handling_blocked as blocked

    return blocked(ticket)


def escalation_of(ticket: m.Ticket) -> dict[str, Any]:
    """``{level, reasons}`` — the level is written by apps.escalation; the reasons are its events."""
    try:
        from apps.escalation.services import reasons_for
    except ImportError:  # pragma: no cover - escalation app absent
        reasons: list[dict[str, Any]] = []
    else:
        reasons = reasons_for(ticket)
    return {"level": ticket.escalation_level or "none", "reasons": reasons}


# ---------------------------------------------------------------- running an action


def receive(*, project: Project, acting_user: Any, now: dt.datetime, **data: Any) -> m.Ticket:
    """受理 (R-M1-03…R-M1-13): forwards to :func:`actions.receive_ticket`."""
    data = {k: v for k, v in data.items() if v is not None or k in {"household", "person", "category", "department",
                                                                       "agreed_feedback_at", "received_at"}}
    for text in ("complainant_surname", "phone", "address", "desired_outcome", "feelings", "online_url",
                 "agreed_extension_reason", "handling_result"):
        if text in data and data[text] is None:
            data[text] = ""
    return actions.receive_ticket(project=project, acting_user=acting_user, now=now, **data)


def _pk(data: dict[str, Any], name: str) -> int:
    value = data.get(name)
    try:
        return int(value)
    except (TypeError, ValueError):
        raise invalid(name, "请选择记录") from None


def _reply(ticket: m.Ticket, data: dict[str, Any]) -> m.Reply:
    row = ticket.replies.filter(pk=_pk(data, "reply")).first()
    if row is None:
        raise invalid("reply", "回复不存在")
    return row


def _claim(ticket: m.Ticket, data: dict[str, Any]) -> m.CompensationClaim:
    row = ticket.compensation_claims.filter(pk=_pk(data, "claim")).first()
    if row is None:
        raise invalid("claim", "赔偿申请不存在")
    return row


def _transfer(ticket: m.Ticket, data: dict[str, Any]) -> m.DeveloperTransfer:
    row = ticket.developer_transfers.filter(pk=_pk(data, "transfer")).first() if data.get("transfer") else \
        ticket.developer_transfers.filter(result="").order_by("-sent_at").first()
    if row is None:
        raise invalid("transfer", "转地产记录不存在")
    return row


def _text(data: dict[str, Any], name: str) -> str:
    return (data.get(name) or "").strip()


def _dispatch(ticket: m.Ticket, data: dict[str, Any], user: Any, now: dt.datetime) -> Any:
    department = department_or_none(data.get("department"), project=ticket.project)
    if department is None:
        raise invalid("department", "请选择责任部门")
    return actions.dispatch_ticket(ticket=ticket, department=department,
                                   assignee=user_or_none(data.get("assignee"), project=ticket.project, field="assignee"),
                                   instructions=_text(data, "instructions"), due_at=data.get("due_at"),
                                   acting_user=user, now=now)


def _accept(ticket: m.Ticket, data: dict[str, Any], user: Any, now: dt.datetime) -> Any:
    dispatch = ticket.dispatches.filter(active=True).order_by("-dispatched_at", "-id").first()
    if dispatch is None:
        raise InvalidTransition(ticket.status, S.HANDLING)
    return actions.accept_dispatch(dispatch=dispatch, acting_user=user, now=now)


def _handling(ticket: m.Ticket, data: dict[str, Any], user: Any, now: dt.datetime) -> Any:
    files = [f for f in (data.get("attachments") or []) if f]
    if data.get("attachment"):
        files.append(data["attachment"])
    caption = _text(data, "caption")
    return actions.record_handling(ticket=ticket, acting_user=user, now=now,
                                   investigation=_text(data, "investigation"), measures=_text(data, "measures"),
                                   result=_text(data, "result"), done=bool(data.get("done")),
                                   arrived_at=data.get("arrived_at"), attachments=[(f, caption) for f in files])


def _reply_action(ticket: m.Ticket, data: dict[str, Any], user: Any, now: dt.datetime) -> Any:
    """A reply already given is recorded; one that needs reviews first (letter, fax, email, online —
    R-M2-08/R-M2-10) becomes a draft waiting for them."""
    kind = data.get("kind") or ReplyKind.RESULT
    channel = data.get("channel") or ""
    recipient = data.get("recipient") or "owner"
    if actions.required_reviews(channel, recipient):
        return actions.draft_reply(ticket=ticket, kind=kind, channel=channel, content=_text(data, "content"),
                                   recipient=recipient, acting_user=user, now=now)
    return actions.record_reply(ticket=ticket, kind=kind, channel=channel, content=_text(data, "content"),
                                recipient=recipient, owner_response=data.get("owner_response") or "pending",
                                owner_words=_text(data, "owner_words"), sent_at=data.get("sent_at"),
                                acting_user=user, now=now)


def _review(ticket: m.Ticket, data: dict[str, Any], user: Any, now: dt.datetime) -> Any:
    return actions.review_reply(reply=_reply(ticket, data), department=data.get("department") or "",
                                approved=bool(data.get("approved")), note=_text(data, "note"),
                                all_issues_covered=bool(data.get("all_issues_covered")), acting_user=user, now=now)


def _send(ticket: m.Ticket, data: dict[str, Any], user: Any, now: dt.datetime) -> Any:
    return actions.send_reply(reply=_reply(ticket, data), owner_response=data.get("owner_response") or "pending",
                              owner_words=_text(data, "owner_words"), acting_user=user, now=now)


def _owner_response(ticket: m.Ticket, data: dict[str, Any], user: Any, now: dt.datetime) -> Any:
    reply = _reply(ticket, data) if data.get("reply") else (
        ticket.replies.filter(sent_at__isnull=False, kind=ReplyKind.RESULT).order_by("-sent_at", "-id").first())
    if reply is None:
        raise invalid("reply", "没有可登记意见的回复")
    return actions.record_owner_response(reply=reply, owner_response=data.get("owner_response") or "",
                                         owner_words=_text(data, "owner_words"), acting_user=user, now=now)


def _verify(ticket: m.Ticket, data: dict[str, Any], user: Any, now: dt.datetime) -> Any:
    return actions.verify_ticket(ticket=ticket, passed=bool(data.get("passed")), notes=_text(data, "notes"),
                                 order=_text(data, "order"), acting_user=user, now=now)


def _return_visit(ticket: m.Ticket, data: dict[str, Any], user: Any, now: dt.datetime) -> Any:
    return actions.record_return_visit(ticket=ticket, method=data.get("method") or "", reached=bool(data.get("reached")),
                                       satisfaction=data.get("satisfaction") or "", owner_words=_text(data, "owner_words"),
                                       note=_text(data, "note"), give_up=bool(data.get("give_up")),
                                       open_question=_text(data, "open_question"),
                                       answer_due_at=data.get("answer_due_at"), acting_user=user, now=now)


def unanswered_questions(ticket: m.Ticket) -> list[m.ReturnVisit]:
    """R-M4-10: this ticket's return-visit questions still waiting for the promised answer."""
    return list(actions.unanswered_return_visit_questions(m.Ticket.objects.filter(pk=ticket.pk)))


def _answer_question(ticket: m.Ticket, data: dict[str, Any], user: Any, now: dt.datetime) -> Any:
    visit = ticket.return_visits.filter(pk=_pk(data, "visit")).first()
    if visit is None:
        raise invalid("visit", "回访记录不存在")
    return actions.answer_return_visit_question(visit=visit, answer=_text(data, "answer"), acting_user=user, now=now)


def _exempt(ticket: m.Ticket, data: dict[str, Any], user: Any, now: dt.datetime) -> Any:
    return actions.exempt_return_visit(ticket=ticket, reason=data.get("exemption") or "", note=_text(data, "note"),
                                       acting_user=user, now=now)


def _close(ticket: m.Ticket, data: dict[str, Any], user: Any, now: dt.datetime) -> Any:
    return actions.close_ticket(ticket=ticket, result=_text(data, "result"), unresolved=bool(data.get("unresolved")),
                                analysis=_text(data, "analysis"), measures=_text(data, "measures"),
                                acting_user=user, now=now)


def _claim_action(ticket: m.Ticket, data: dict[str, Any], user: Any, now: dt.datetime) -> Any:
    amount = data.get("amount")
    if amount in (None, ""):
        raise invalid("amount", "请填写金额")
    return actions.claim_compensation(ticket=ticket, amount=Decimal(str(amount)), content=_text(data, "content"),
                                      involves_engineering_or_sales=bool(data.get("involves_engineering_or_sales")),
                                      acting_user=user, now=now)


def _decide(ticket: m.Ticket, data: dict[str, Any], user: Any, now: dt.datetime) -> Any:
    return actions.decide_compensation(claim=_claim(ticket, data), approve=bool(data.get("approve")),
                                       approved_amount=data.get("approved_amount"), note=_text(data, "note"),
                                       acting_user=user, now=now)


def _refer(ticket: m.Ticket, data: dict[str, Any], user: Any, now: dt.datetime) -> Any:
    return actions.refer_compensation(claim=_claim(ticket, data), note=_text(data, "note"), acting_user=user, now=now)


ACTIONS: dict[str, Callable[[m.Ticket, dict[str, Any], Any, dt.datetime], Any]] = {
    "dispatch": _dispatch,
    "accept": _accept,
    "handling": _handling,
    "hand_back": lambda t, d, u, n: actions.hand_back(ticket=t, reason=_text(d, "reason"), acting_user=u, now=n),
    "reply": _reply_action,
    "review": _review,
    "send": _send,
    "owner_response": _owner_response,
    "verify": _verify,
    "return_visit": _return_visit,
    "exempt": _exempt,
    "close": _close,
    "reopen": lambda t, d, u, n: actions.reopen_ticket(ticket=t, reason=_text(d, "reason"), acting_user=u, now=n,
                                                        agreed_feedback_at=d.get("agreed_feedback_at")),
    "void": lambda t, d, u, n: actions.void_ticket(ticket=t, reason=_text(d, "reason"), acting_user=u, now=n),
    "escalate": lambda t, d, u, n: actions.escalate_to_quality(ticket=t, reason=_text(d, "reason"), acting_user=u,
                                                                now=n),
    "report": lambda t, d, u, n: actions.report_to_quality(ticket=t, measures=_text(d, "measures"), acting_user=u,
                                                            now=n),
    "transfer": lambda t, d, u, n: actions.transfer_to_developer(ticket=t, content=_text(d, "content"),
                                                                  document_no=_text(d, "document_no"), acting_user=u,
                                                                  now=n),
    "developer_result": lambda t, d, u, n: actions.record_developer_result(transfer=_transfer(t, d),
                                                                            result=_text(d, "result"), acting_user=u,
                                                                            now=n),
    "owner_update": lambda t, d, u, n: actions.record_owner_update(ticket=t, channel=d.get("channel") or "",
                                                                    content=_text(d, "content"), acting_user=u, now=n),
    "claim": _claim_action,
    "decide": _decide,
    "refer": _refer,
    "note": lambda t, d, u, n: actions.add_note(ticket=t, text=_text(d, "text"), acting_user=u, now=n),
    "answer_question": _answer_question,
    "internal_staff": lambda t, d, u, n: actions.edit_ticket(
        ticket=t, changes={"internal_staff": bool(d.get("internal_staff"))},
        reason=_text(d, "reason") or "内部员工投诉标记（R-M1-17）", acting_user=u, now=n),
}


def run_action(action: str, ticket: m.Ticket, *, data: dict[str, Any], acting_user: Any, now: dt.datetime) -> Any:
    """Run one named next step with interface data (form ``cleaned_data`` or an API payload)."""
    handler = ACTIONS.get(action)
    if handler is None:
        raise actions.TicketError("未知操作", code="not_found", status=404)
    return handler(ticket, data, acting_user, now)
