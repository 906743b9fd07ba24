"""Ticket pages (issue 4 items 3, 7, 9): intake, list with filters and saved views, detail with
timeline and deadline badges, department / verification / return-visit queues, daily inventory.

Thin: forms validate and turn their data into keyword arguments (``apps.tickets.forms``), each step's
view calls its typed action directly (the same calls the API makes), reads come from
``apps.tickets.queries``, permissions through ``apps.org.access`` and ``apps.tickets.access``.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from apps.core import files, phones
from apps.estates import actions as estates_actions
from apps.estates import masking
from apps.estates.access import RevealDenied
from apps.org import access as org_access
from apps.org.models import Department, Project, User
from apps.org.roles import Cap
from apps.tickets import access, actions, forms, progress, queries, work_orders
from apps.tickets.actions import TicketError
from apps.tickets.choices import TicketStatus
from apps.tickets.filters import TicketFilterForm, apply_filters
from apps.tickets.inventory_sheet import build_inventory_sheet
from apps.tickets.lookup import search_households
from apps.tickets.models import Attachment, Deadline, Ticket
from apps.tickets.policies import company_verification_pending
from apps.tickets.transitions import InvalidTransition
from linli import clock

PAGE_SIZE = 50
FLAG_FIELDS = ["media_or_litigation_risk", "media_exposed", "litigation", "developer_matter", "municipal",
               "internal_staff"]


def _is_htmx(request: HttpRequest) -> bool:
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not getattr(htmx, "boosted", False)


def _current_project(request: HttpRequest) -> Project | None:
    return getattr(request, "project", None)


def _departments_for(user: Any, project: Project | None) -> QuerySet[Department]:
    return queries.departments_for(user, project)


def _list_page(request: HttpRequest, base: QuerySet[Ticket], *, heading: str, subheading: str = "",
               defaults: dict[str, str] | None = None, default_sort: str = "-received",
               saved_views: bool = False) -> HttpResponse:
    data: QueryDict = request.GET.copy()
    for key, value in (defaults or {}).items():
        data.setdefault(key, value)
    form = TicketFilterForm(data=data)
    now = clock.now()
    qs = apply_filters(base, form, now=now, default_sort=default_sort)
    qs = qs.select_related("household", "department", "category")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context: dict[str, Any] = {"form": form, "page": page, "now": now, "heading": heading, "subheading": subheading}
    if _is_htmx(request):
        return render(request, "tickets/_rows.html", context)
    project = _current_project(request)
    context.update({
        "projects": list(org_access.visible_projects(request.user).order_by("code")),
        "categories": queries.categories_for(request.user, project),
        "departments": _departments_for(request.user, project),
        "saved_views": queries.saved_views_of(request.user) if saved_views else None,
        "can_receive": _may_record(request, project),
    })
    return render(request, "tickets/ticket_list.html", context)


def _require_view(request: HttpRequest) -> None:
    if not org_access.has_cap(request.user, Cap.VIEW_TICKETS):
        raise Http404


@login_required
def ticket_list(request: HttpRequest) -> HttpResponse:
    """工单列表: filters, sort by due time, saved views (issue 4 items 3 and 9)."""
    _require_view(request)
    return _list_page(request, access.visible_tickets(request.user), heading=_("诉求工单"), saved_views=True)


@login_required
def queue_department(request: HttpRequest) -> HttpResponse:
    """部门待办: open tickets dispatched to my department(s) or to me, earliest due first."""
    _require_view(request)
    base = queries.department_queue(access.visible_tickets(request.user), request.user)
    return _list_page(request, base, heading=_("部门待办"), subheading=_("派给本部门或本人、尚未处理完毕的工单"),
                      default_sort="due")


@login_required
def queue_verification(request: HttpRequest) -> HttpResponse:
    """待验证 (R-M4-01): handled tickets waiting for a supervisor-rank verification."""
    _require_view(request)
    base = queries.verification_queue(access.visible_tickets(request.user), request.user)
    return _list_page(request, base, heading=_("待验证"), subheading=_("处理完毕、等待管理处经理或主管以上验证；公司级投诉另待品质管理部验证"),
                      default_sort="due")


@login_required
def queue_return_visit(request: HttpRequest) -> HttpResponse:
    """待回访 (R-M4-04): verified tickets waiting for the return visit."""
    _require_view(request)
    base = queries.follow_up_queue(access.visible_tickets(request.user))  # R-M4-10: promised answers too
    return _list_page(request, base, heading=_("待回访"), subheading=_("验证通过、等待回访业主；回访中约定答复的问题"),
                      default_sort="due")


@login_required
def queue_immediate_return_visit(request: HttpRequest) -> HttpResponse:
    """待立即回访 (R-M4-06): record-form and class-1 complaints verified and waiting for the return visit the
    customer-service staff make at once."""
    _require_view(request)
    base = queries.immediate_return_visit_queue(access.visible_tickets(request.user))
    return _list_page(request, base, heading=_("待立即回访"),
                      subheading=_("记录表投诉和一类客户投诉：处理完成并验证后立即回访"), default_sort="due")


# ---------------------------------------------------------------- intake


def _intake_form(request: HttpRequest, project: Project, now: dt.datetime) -> forms.IntakeForm:
    return forms.IntakeForm(
        request.POST or None, now=now,
        categories=[(c.pk, str(c)) for c in queries.categories_for(request.user, project)],
        departments=[(d.pk, str(d)) for d in queries.departments_for(request.user, project)],
        receivers=[r for r in queries.assignees_for(project) if r[0] != request.user.pk],
        box_openings=forms.recent_box_openings(project),  # R-M1-12
        company_level=org_access.is_company_level(request.user),  # R-M2-19
    )


def _may_record(request: HttpRequest, project: Project | None) -> bool:
    """R-M1-08, R-M1-14: any employee who receives a complaint records it — every staff role of a project
    they belong to (the designated intake post is told, R-M1-07), not only the front desk."""
    return project is not None and org_access.can_see_project(request.user, project) and org_access.has_cap(
        request.user, Cap.VIEW_TICKETS, project)


@login_required
def intake(request: HttpRequest) -> HttpResponse:
    """受理登记 (R-M1-03…R-M1-09): fast enough for a phone call (keyboard only; 房号/电话尾号 look-up;
    similar open tickets of the household shown)."""
    project = _current_project(request)
    if project is None or not _may_record(request, project):
        raise PermissionDenied
    now = clock.now()
    form = _intake_form(request, project, now)
    chosen = similar = None
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = dict(form.cleaned_data)
            data.pop("submission_key", None)  # a re-sent form files one ticket: apps.api.idempotency

            def produce() -> dict[str, Any]:
                kwargs = forms.intake_kwargs(project, data)
                kwargs["received_at"] = kwargs.get("received_at") or now
                ticket = actions.receive_ticket(project=project, acting_user=access.staff_user(request), now=now, **kwargs)
                return {"id": ticket.pk, "number": ticket.number}

            try:
                made = produce()
            except TicketError as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, _("已受理，编号 %(n)s") % {"n": made["number"]})
                return redirect("tickets:detail", pk=made["id"])
    if form.is_bound and form.data.get("household"):
        chosen = queries.household_in(project, form.data.get("household"))
        if chosen is not None:
            similar = _similar_open(request, chosen.pk)
    return render(request, "tickets/intake.html", {
        "form": form, "project": project, "flag_fields": FLAG_FIELDS, "chosen_household": chosen,
        "similar": similar, "household": chosen,
    }, status=status)


REFUSALS = (TicketError, InvalidTransition)
Refusal = TicketError | InvalidTransition


def _form_errors(form: Any, exc: Refusal) -> None:
    """Put a refused action's field errors on the form; the rest become a form-wide message."""
    fields = exc.fields or {}
    placed = False
    for name, msgs in fields.items():
        target = name if name in form.fields else None
        for msg in msgs:
            form.add_error(target, msg)
        placed = True
    if not placed:
        form.add_error(None, exc.message)


def _similar_open(request: HttpRequest, household_id: int) -> list[Ticket]:
    qs = queries.open_only(access.visible_tickets(request.user).filter(household_id=household_id))
    return list(qs.order_by("-received_at")[:10])


@login_required
def household_lookup(request: HttpRequest) -> HttpResponse:
    """htmx partial: households of the current project matching 房号 or phone tail."""
    project = _current_project(request)
    if project is None or not _may_record(request, project):
        raise PermissionDenied
    query = request.GET.get("lookup", "").strip()[:30]
    hits = search_households(project, query) if query else []
    counts = queries.open_counts(access.visible_tickets(request.user), [h.pk for h in hits])
    households = [{**h.__dict__, "open_count": counts.get(h.pk, 0)} for h in hits]
    return render(request, "tickets/_household_results.html", {"households": households, "query": query})


@login_required
def similar(request: HttpRequest) -> HttpResponse:
    """htmx partial: open tickets of one household (avoid a duplicate intake)."""
    _require_view(request)
    try:
        household_id = int(request.GET.get("household", ""))
    except ValueError:
        raise Http404 from None
    project = _current_project(request)
    household = queries.household_in(project, household_id) if project else None
    if household is None:
        raise Http404
    return render(request, "tickets/_similar.html", {"similar": _similar_open(request, household_id),
                                                    "household": household})


# ---------------------------------------------------------------- detail and actions

# action: (capabilities any of which shows the panel, form class, title)
ACTION_PANELS: dict[str, tuple[tuple[str, ...], Any, Any]] = {
    "dispatch": ((Cap.DISPATCH,), forms.DispatchForm, gettext_lazy("派工 / 改派")),
    "accept": ((Cap.HANDLE, Cap.DISPATCH), None, gettext_lazy("接单")),
    "handling": ((Cap.HANDLE, Cap.DISPATCH), forms.HandlingForm, gettext_lazy("记录处理情况")),
    "hand_back": ((Cap.HANDLE, Cap.DISPATCH), forms.ReasonForm, gettext_lazy("退单")),
    "reply": ((Cap.REPLY,), forms.ReplyForm, gettext_lazy("回复业主 / 管理处主任")),
    "review": ((Cap.REPLY, Cap.VIEW_TICKETS), forms.ReviewForm, gettext_lazy("审核回复")),
    "send": ((Cap.REPLY,), forms.SendForm, gettext_lazy("发出已审核的回复")),
    "owner_response": ((Cap.REPLY,), forms.OwnerResponseForm, gettext_lazy("登记业主对方案的意见")),
    "verify": ((Cap.VERIFY,), forms.VerificationForm, gettext_lazy("验证")),
    "return_visit": ((Cap.RETURN_VISIT,), forms.ReturnVisitForm, gettext_lazy("回访")),
    "exempt": ((Cap.RETURN_VISIT,), forms.ExemptionForm, gettext_lazy("免回访")),
    "close": ((Cap.RETURN_VISIT, Cap.VERIFY), forms.CloseForm, gettext_lazy("结案 / 未关闭")),
    "reopen": ((Cap.RECEIVE_TICKETS,), forms.ReopenForm, gettext_lazy("重新打开")),
    "agreed_time": ((Cap.RECEIVE_TICKETS, Cap.DISPATCH, Cap.REPLY), forms.AgreedTimeForm,
                    gettext_lazy("约定反馈时间")),
    "answer_question": ((Cap.REPLY,), forms.AnswerQuestionForm, gettext_lazy("答复回访中提出的问题")),
    "internal_staff": ((Cap.RECEIVE_TICKETS, Cap.DISPATCH), forms.InternalStaffForm,
                       gettext_lazy("内部员工投诉标记")),
    "judge": ((Cap.RECEIVE_TICKETS, Cap.DISPATCH, Cap.HANDLE, Cap.VERIFY), forms.JudgeForm,
              gettext_lazy("投诉判定（有效投诉 / 重要投诉）")),
    "escalate": ((Cap.ESCALATE,), forms.ReasonForm, gettext_lazy("上报品质管理部")),
    "report": ((Cap.REPLY,), forms.ReportForm, gettext_lazy("报品质部处理措施")),
    "quality_opinion": ((Cap.VIEW_TICKETS,), forms.QualityOpinionForm, gettext_lazy("品质管理部核实与处理意见")),
    "transfer": ((Cap.DISPATCH,), forms.TransferForm, gettext_lazy("书面转地产")),
    "developer_result": ((Cap.DISPATCH,), forms.DeveloperResultForm, gettext_lazy("登记地产处理结果")),
    "owner_update": ((Cap.REPLY,), forms.OwnerUpdateForm, gettext_lazy("告知业主进展")),
    "coordinator": ((Cap.DISPATCH,), forms.CoordinatorForm, gettext_lazy("指定市政配套协调人")),
    "record_form": ((Cap.DISPATCH, Cap.HANDLE), forms.RecordFormForm,
                    gettext_lazy("记录表投诉（处理超过一个工作日）")),
    "claim": ((Cap.REPLY,), forms.ClaimForm, gettext_lazy("登记赔偿申请")),
    "decide": ((Cap.APPROVE_COMPENSATION,), forms.DecideForm, gettext_lazy("审批赔偿")),
    "refer": ((Cap.APPROVE_COMPENSATION,), forms.ReferForm, gettext_lazy("转报赔偿")),
    "void": ((Cap.VOID,), forms.ReasonForm, gettext_lazy("作废")),
    "note": ((Cap.VIEW_TICKETS,), forms.NoteForm, gettext_lazy("添加备注")),
    "staff_named": ((Cap.RECEIVE_TICKETS,), forms.StaffNamedForm, gettext_lazy("被表扬/投诉的员工")),
}
MULTIPART = {"handling"}


# ---------------------------------------------------------------- records of the roles the procedures name
# (issue 16): 品质管理部's online-complaint notices (R-M2-09), the incident report to the 物业总经理
# (R-M2-23) and the 管理处主任's decision on a suggestion (R-M1-15) — the same actions the API calls.

RECORD_PANELS: dict[str, tuple[tuple[str, ...], Any, Any]] = {
    "online_notification": ((Cap.VIEW_TICKETS,), forms.OnlineNotificationForm,
                            gettext_lazy("网上投诉通知（邮件转发、电话通知）")),
    "gm_report": ((Cap.ESCALATE,), forms.GmReportForm, gettext_lazy("事故事件报告物业总经理")),
    "suggestion_decision": ((Cap.VIEW_TICKETS,), forms.SuggestionDecisionForm,
                            gettext_lazy("建议是否采纳（管理处主任）")),
}
ACTION_PANELS.update(RECORD_PANELS)
# who, beyond the capability, may see a panel: the actions check the same
PANEL_GATES: dict[str, Callable[[Any, Ticket], bool]] = {
    "online_notification": lambda user, ticket: org_access.is_company_level(user),
    "suggestion_decision": lambda user, ticket: actions.may_decide_suggestion(user, ticket),
}


def _form_kwargs(action: str, ticket: Ticket, user: Any) -> dict[str, Any]:
    project = ticket.project
    if action == "dispatch":
        return {"departments": [(d.pk, str(d)) for d in queries.departments_for(user, project)],
                "assignees": queries.assignees_for(project)}
    if action in {"review", "send"}:
        return {"drafts": [(r.pk, f"#{r.pk} {r.get_channel_display()} {r.content[:30]}")
                           for r in ticket.replies.filter(sent_at__isnull=True)]}
    if action == "answer_question":
        return {"questions": [(v.pk, f"{clock.local(v.answer_due_at, project.tz):%m-%d %H:%M} 前：{v.open_question[:40]}")
                              for v in queries.unanswered_questions(ticket) if v.answer_due_at is not None]}
    if action == "internal_staff":
        return {"initial": {"internal_staff": ticket.internal_staff}}
    if action == "agreed_time":
        agreed = ticket.agreed_feedback_at
        if agreed is not None and agreed.year >= 9999:  # a moment at the calendar's end has no local form
            agreed = None
        return {"initial": {"agreed_feedback_at": agreed,
                            "agreed_extension_reason": ticket.agreed_extension_reason}}
    if action == "staff_named":
        return {"staff": User.objects.filter(memberships__project=project, is_active=True).distinct(),
                "initial": {"staff": ticket.staff_named_id}}
    if action == "record_form":
        return {"staff": queries.handlers_for(project), "initial": {"handler": ticket.handler_id}}
    if action == "coordinator":
        return {"staff": User.objects.filter(memberships__project=project, is_active=True).distinct()
                .order_by("display_name", "pk"), "initial": {"coordinator": ticket.coordinator_id}}
    if action == "judge":
        return {"initial": {"valid_complaint": {True: "yes", False: "no"}.get(ticket.valid_complaint, ""),  # type: ignore[arg-type]
                            "important": ticket.important, "criterion": ticket.validity_criterion_id},
                "criteria": queries.validity_criteria_choices(project.company_id)}
    if action in {"decide", "refer"}:
        pending = ticket.compensation_claims.filter(status="pending")
        if action == "decide":  # separation of duties: nobody is offered to approve a claim they recorded
            pending = pending.exclude(recorded_by=user)
        return {"claims": [(c.pk, f"#{c.pk} ¥{c.amount} {c.content[:30]}") for c in pending]}
    return {}


def _panels(request: HttpRequest, ticket: Ticket, *, bound: tuple[str, Any] | None = None) -> list[dict[str, Any]]:
    user = request.user
    allowed = queries.allowed_actions(ticket)
    panels = []
    for action, (caps, form_class, title) in ACTION_PANELS.items():
        is_bound = bound is not None and bound[0] == action
        if not is_bound and (action not in allowed or not any(org_access.has_cap(user, c, ticket.project)
                                                              for c in caps)):
            continue
        if action == "quality_opinion" and not is_bound and not org_access.is_company_level(user):
            continue  # R-M1-10: 品质管理部's own record
        if action == "record_form" and not is_bound and not actions.may_mark_record_form(user, ticket):
            continue  # R-M2-17: the handler, or the department head / routing staff
        if action == "review" and not is_bound and not actions.may_review(access.staff_user(request), ticket.project):
            continue
        if action in PANEL_GATES and not is_bound and not PANEL_GATES[action](user, ticket):
            continue  # records only the role the procedures name may make (issue 16)
        if work_orders.step_on_work_order(ticket, action):  # M8: done on the repair work order
            continue
        form = None
        if is_bound:
            form = bound[1]  # type: ignore[index]
        elif form_class is not None:
            kwargs = _form_kwargs(action, ticket, user)
            if action == "decide" and not kwargs["claims"]:
                continue  # only claims this user recorded are pending: someone else decides them
            form = form_class(**kwargs)
        panel = {"action": action, "title": title, "form": form, "multipart": action in MULTIPART}
        if action == "close":
            panel.update(_close_extras(request, ticket))
        panels.append(panel)
    return panels


def _close_extras(request: HttpRequest, ticket: Ticket) -> dict[str, Any]:
    """The close panel shows what still blocks a normal close (R-M2-18, R-M2-21, R-M4-01, R-M4-05) and,
    when the reply to the 管理处主任 is missing (R-M2-21), a short form that records it (it posts to
    the ``reply`` step with the recipient set)."""
    blockers = actions.close_blockers(ticket)
    extras: dict[str, Any] = {"blockers": [{"key": k, "messages": v} for k, v in blockers.items()]}
    if "manager_reply" in blockers and org_access.has_cap(request.user, Cap.REPLY, ticket.project):
        extras["manager_form"] = forms.ReplyForm(initial={"recipient": "project_manager", "kind": "result",
                                                          "content": ticket.handling_result})
    return extras


def _detail_context(request: HttpRequest, ticket: Ticket, *, bound: tuple[str, Any] | None = None) -> dict[str, Any]:
    now = clock.now()
    return {
        "ticket": ticket,
        "now": now,
        "deadlines": sorted(ticket.deadlines.all(), key=lambda d: (d.cycle, d.due_at is None, d.due_at or now)),
        "events": queries.events_of(ticket),
        "sections": queries.detail_sections(ticket),
        "panels": _panels(request, ticket, bound=bound),
        "open_action": bound[0] if bound else "",
        "escalation": queries.escalation_of(ticket),
        "work_order_url": work_orders.work_order_url(ticket) if work_orders.has_work_order(ticket) else "",
        "exemption_offer": _exemption_offer(request, ticket),
        "phone_call_url": queries.phone_call_url(request.user, ticket),
        "owner_update_due": progress.owner_update_due_at(ticket),  # R-M2-03
        "committee_receipt": queries.has_committee_receipt(ticket),  # R-M1-13
        # R-M4-03, POLICY P-13: a company-level complaint waiting for 品质管理部's own verification
        "company_verification_pending": ticket.status in {TicketStatus.VERIFIED, TicketStatus.RETURN_VISITED}
        and company_verification_pending(ticket),
    }


def _exemption_offer(request: HttpRequest, ticket: Ticket) -> dict[str, Any] | None:
    """Exemption B shown at the top of an anonymous or contact-less ticket (R-M4-05, POLICY P-07; issue
    23 item 11), with a one-click request through the ordinary ``exempt`` step when it can be taken now
    by this user. The offer itself is the action's own check (``actions.no_contact_exemption_offer``)."""
    offer = actions.no_contact_exemption_offer(ticket)
    if offer is None:
        return None
    may = org_access.has_cap(request.user, Cap.RETURN_VISIT, ticket.project)
    can_request = bool(offer["ready"]) and may
    message = (queries.EXEMPTION_OFFER_READY if can_request
               else queries.EXEMPTION_OFFER_OTHERS if offer["ready"] else queries.EXEMPTION_OFFER_LATER)
    return {**offer, "can_request": can_request, "message": message}


def _load(request: HttpRequest, pk: int) -> Ticket:
    ticket = access.access_ticket(request.user, pk)
    return (Ticket.objects.select_related("project", "household", "person", "category", "department", "receiver",
                                          "handler", "coordinator", "record_form_by")
            .prefetch_related(Prefetch("deadlines", queryset=Deadline.objects.order_by("due_at")))
            .get(pk=ticket.pk))


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """工单详情: deadlines (due, time left, overdue, provisional), timeline, and the next steps."""
    ticket = _load(request, pk)
    return render(request, "tickets/ticket_detail.html", _detail_context(request, ticket))


@login_required
def committee_receipt(request: HttpRequest, pk: int) -> HttpResponse:
    """投诉意见记录回执单 (R-M1-13): the 管理处 reception prints the owner's receipt of a written
    业委会-platform form, with the ticket number and the reply due time."""
    ticket = _load(request, pk)
    if not queries.has_committee_receipt(ticket):
        raise Http404
    return render(request, "tickets/committee_receipt.html", {"ticket": ticket,
                                                              "receipt": queries.committee_receipt(ticket)})


@login_required
@require_POST
def call_phone(request: HttpRequest, pk: int) -> HttpResponse:
    """拨打 beside the ticket's masked contact number (issue 23 item 7): revealed under the owner archive's
    rules and logged (R-M7-01), answered with the tel: link; the work order page uses it too."""
    ticket = _load(request, pk)
    if not ticket.phone:
        raise Http404
    shown = masking.mask_phone(ticket.phone)
    back = request.GET.get("back", "")
    back = back if back.startswith("/") and not back.startswith("//") else reverse("tickets:detail", args=[ticket.pk])
    person = ticket.person if ticket.person is not None and ticket.person.phone == ticket.phone else None
    try:
        estates_actions.reveal_phone_for_call(access.staff_user(request), ticket.project, household=ticket.household,
                                              person=person, field="phone",
                                              screen=f"工单 {ticket.number} 拨打电话")
    except RevealDenied as exc:
        return phones.call_answer(request, shown=shown, message=exc.message, back_url=back, status=403)
    return phones.call_answer(request, shown=shown, number=ticket.phone, back_url=back)


STEP_DONE: dict[str, Any] = {
    "agreed_time": gettext_lazy("已记录约定反馈时间"),
    "dispatch": gettext_lazy("已派工"), "accept": gettext_lazy("已接单"), "handling": gettext_lazy("已记录处理情况"),
    "hand_back": gettext_lazy("已退单"), "reply": gettext_lazy("已记录回复"), "review": gettext_lazy("已记录审核意见"),
    "send": gettext_lazy("回复已发出"), "owner_response": gettext_lazy("已记录顾客意见"),
    "verify": gettext_lazy("已记录验证结果"), "return_visit": gettext_lazy("已记录回访"),
    "exempt": gettext_lazy("已记录免回访"), "close": gettext_lazy("工单已结案"), "reopen": gettext_lazy("工单已重新打开"),
    "void": gettext_lazy("工单已作废"), "escalate": gettext_lazy("已上报品质管理部"),
    "transfer": gettext_lazy("已书面转地产"), "developer_result": gettext_lazy("已登记地产处理结果"),
    "owner_update": gettext_lazy("已记录进展告知"), "coordinator": gettext_lazy("已指定市政配套协调人"),
    "record_form": gettext_lazy("已列入记录表并指定处理人"),
    "claim": gettext_lazy("已登记赔偿申请"),
    "decide": gettext_lazy("已记录赔偿审批"), "refer": gettext_lazy("已转报"), "note": gettext_lazy("已添加备注"),
    "report": gettext_lazy("已上报处理措施"), "quality_opinion": gettext_lazy("已记录核实情况和处理意见"), "internal_staff": gettext_lazy("已更新内部员工投诉标记"),
    "answer_question": gettext_lazy("已记录对业主问题的答复"), "judge": gettext_lazy("已记录投诉判定"),
}

# One step: the ticket, the form's cleaned data, the acting user and the time → the typed action's call.
Step = Callable[[Ticket, dict[str, Any], Any, dt.datetime], object]


def _step(request: HttpRequest, pk: int, action: str, call: Step) -> HttpResponse:
    """Run one next step from its panel. Bad input re-renders the detail page with Chinese messages on
    the open panel (422); a refused step (wrong state 409, not allowed 403) likewise; nothing is
    written unless the whole action succeeds (the request's transaction)."""
    ticket = _load(request, pk)
    if work_orders.step_on_work_order(ticket, action):  # M8: a repair's step goes through its work order
        messages.error(request, _("报修和有偿服务须在维修工作单上派工、处理和回访"))
        return redirect(work_orders.work_order_url(ticket))
    _caps, form_class, _title = ACTION_PANELS[action]
    data: dict[str, Any] = {}
    form = None
    if form_class is not None:
        form = form_class(request.POST, request.FILES, **_form_kwargs(action, ticket, request.user))
        if not form.is_valid():
            return render(request, "tickets/ticket_detail.html",
                          _detail_context(request, ticket, bound=(action, form)), status=422)
        data = dict(form.cleaned_data)
    try:
        with transaction.atomic():
            call(ticket, data, access.staff_user(request), clock.now())
    except REFUSALS as exc:
        if exc.status == 404:
            raise Http404 from exc
        if form is None:
            messages.error(request, exc.message)
            return redirect("tickets:detail", pk=ticket.pk)
        _form_errors(form, exc)
        ticket = _load(request, pk)
        return render(request, "tickets/ticket_detail.html", _detail_context(request, ticket, bound=(action, form)),
                      status=exc.status)
    messages.success(request, STEP_DONE.get(action, _("已保存")))
    return redirect("tickets:detail", pk=ticket.pk)


# One POST view per next step (urls.py: ``<pk>/<step>/``), each calling its typed action.


@login_required
@require_POST
def dispatch_step(request: HttpRequest, pk: int, action: str = "dispatch") -> HttpResponse:
    return _step(request, pk, "dispatch", lambda t, d, u, now: actions.dispatch_ticket(
        ticket=t, **forms.dispatch_kwargs(t, d), acting_user=u, now=now))


@login_required
@require_POST
def accept_step(request: HttpRequest, pk: int, action: str = "accept") -> HttpResponse:
    return _step(request, pk, "accept", lambda t, d, u, now: actions.accept_dispatch(
        dispatch=forms.current_dispatch(t), acting_user=u, now=now))


@login_required
@require_POST
def handling_step(request: HttpRequest, pk: int, action: str = "handling") -> HttpResponse:
    return _step(request, pk, "handling", lambda t, d, u, now: actions.record_handling(
        ticket=t, **forms.handling_kwargs(d), acting_user=u, now=now))


@login_required
@require_POST
def hand_back_step(request: HttpRequest, pk: int, action: str = "hand_back") -> HttpResponse:
    return _step(request, pk, "hand_back", lambda t, d, u, now: actions.hand_back(
        ticket=t, reason=forms.reason(d), acting_user=u, now=now))


@login_required
@require_POST
def reply_step(request: HttpRequest, pk: int, action: str = "reply") -> HttpResponse:
    return _step(request, pk, "reply", lambda t, d, u, now: actions.give_reply(
        ticket=t, **forms.reply_kwargs(d), acting_user=u, now=now))


@login_required
@require_POST
def review_step(request: HttpRequest, pk: int, action: str = "review") -> HttpResponse:
    return _step(request, pk, "review", lambda t, d, u, now: actions.review_reply(
        **forms.review_kwargs(t, d), acting_user=u, now=now))


@login_required
@require_POST
def send_step(request: HttpRequest, pk: int, action: str = "send") -> HttpResponse:
    return _step(request, pk, "send", lambda t, d, u, now: actions.send_reply(
        **forms.send_kwargs(t, d), acting_user=u, now=now))


@login_required
@require_POST
def owner_response_step(request: HttpRequest, pk: int, action: str = "owner_response") -> HttpResponse:
    return _step(request, pk, "owner_response", lambda t, d, u, now: actions.record_owner_response(
        **forms.owner_response_kwargs(t, d), acting_user=u, now=now))


@login_required
@require_POST
def verify_step(request: HttpRequest, pk: int, action: str = "verify") -> HttpResponse:
    return _step(request, pk, "verify", lambda t, d, u, now: actions.verify_ticket(
        ticket=t, **forms.verify_kwargs(d), acting_user=u, now=now))


@login_required
@require_POST
def return_visit_step(request: HttpRequest, pk: int, action: str = "return_visit") -> HttpResponse:
    return _step(request, pk, "return_visit", lambda t, d, u, now: actions.record_return_visit(
        ticket=t, **forms.return_visit_kwargs(d), acting_user=u, now=now))


@login_required
@require_POST
def answer_question_step(request: HttpRequest, pk: int, action: str = "answer_question") -> HttpResponse:
    return _step(request, pk, "answer_question", lambda t, d, u, now: actions.answer_return_visit_question(
        **forms.answer_question_kwargs(t, d), acting_user=u, now=now))


@login_required
@require_POST
def exempt_step(request: HttpRequest, pk: int, action: str = "exempt") -> HttpResponse:
    return _step(request, pk, "exempt", lambda t, d, u, now: actions.exempt_return_visit(
        ticket=t, **forms.exempt_kwargs(d), acting_user=u, now=now))


@login_required
@require_POST
def close_step(request: HttpRequest, pk: int, action: str = "close") -> HttpResponse:
    return _step(request, pk, "close", lambda t, d, u, now: actions.close_ticket(
        ticket=t, **forms.close_kwargs(d), acting_user=u, now=now))


@login_required
@require_POST
def reopen_step(request: HttpRequest, pk: int, action: str = "reopen") -> HttpResponse:
    return _step(request, pk, "reopen", lambda t, d, u, now: actions.reopen_ticket(
        ticket=t, reason=forms.reason(d), agreed_feedback_at=d.get("agreed_feedback_at"), acting_user=u, now=now))


@login_required
@require_POST
def void_step(request: HttpRequest, pk: int, action: str = "void") -> HttpResponse:
    return _step(request, pk, "void", lambda t, d, u, now: actions.void_ticket(
        ticket=t, reason=forms.reason(d), acting_user=u, now=now))


@login_required
@require_POST
def escalate_step(request: HttpRequest, pk: int, action: str = "escalate") -> HttpResponse:
    return _step(request, pk, "escalate", lambda t, d, u, now: actions.escalate_to_quality(
        ticket=t, reason=forms.reason(d), acting_user=u, now=now))


@login_required
@require_POST
def report_step(request: HttpRequest, pk: int, action: str = "report") -> HttpResponse:
    return _step(request, pk, "report", lambda t, d, u, now: actions.report_to_quality(
        ticket=t, measures=(d.get("measures") or "").strip(), facts=d.get("facts") or "", result=d.get("result") or "",
        acting_user=u, now=now))


@login_required
@require_POST
def quality_opinion_step(request: HttpRequest, pk: int, action: str = "quality_opinion") -> HttpResponse:
    return _step(request, pk, "quality_opinion", lambda t, d, u, now: actions.record_quality_opinion(
        ticket=t, fact_check=(d.get("fact_check") or ""), opinion=(d.get("opinion") or ""), acting_user=u, now=now))


@login_required
@require_POST
def transfer_step(request: HttpRequest, pk: int, action: str = "transfer") -> HttpResponse:
    return _step(request, pk, "transfer", lambda t, d, u, now: actions.transfer_to_developer(
        ticket=t, **forms.transfer_kwargs(d), acting_user=u, now=now))


@login_required
@require_POST
def developer_result_step(request: HttpRequest, pk: int, action: str = "developer_result") -> HttpResponse:
    return _step(request, pk, "developer_result", lambda t, d, u, now: actions.record_developer_result(
        transfer=forms.developer_transfer_of(t, d), result=(d.get("result") or "").strip(), acting_user=u, now=now))


@login_required
@require_POST
def owner_update_step(request: HttpRequest, pk: int, action: str = "owner_update") -> HttpResponse:
    return _step(request, pk, "owner_update", lambda t, d, u, now: actions.record_owner_update(
        ticket=t, **forms.owner_update_kwargs(d), acting_user=u, now=now))


@login_required
@require_POST
def coordinator_step(request: HttpRequest, pk: int, action: str = "coordinator") -> HttpResponse:
    return _step(request, pk, "coordinator", lambda t, d, u, now: actions.designate_coordinator(
        ticket=t, coordinator=d.get("coordinator"), acting_user=u, now=now))


@login_required
@require_POST
def record_form_step(request: HttpRequest, pk: int, action: str = "record_form") -> HttpResponse:
    return _step(request, pk, "record_form", lambda t, d, u, now: actions.mark_record_form(
        ticket=t, handler=d.get("handler"), reason=d.get("reason") or "", acting_user=u, now=now))


@login_required
@require_POST
def claim_step(request: HttpRequest, pk: int, action: str = "claim") -> HttpResponse:
    return _step(request, pk, "claim", lambda t, d, u, now: actions.claim_compensation(
        ticket=t, **forms.claim_kwargs(d), acting_user=u, now=now))


@login_required
@require_POST
def decide_step(request: HttpRequest, pk: int, action: str = "decide") -> HttpResponse:
    return _step(request, pk, "decide", lambda t, d, u, now: actions.decide_compensation(
        **forms.decide_kwargs(t, d), acting_user=u, now=now))


@login_required
@require_POST
def refer_step(request: HttpRequest, pk: int, action: str = "refer") -> HttpResponse:
    return _step(request, pk, "refer", lambda t, d, u, now: actions.refer_compensation(
        **forms.refer_kwargs(t, d), acting_user=u, now=now))


@login_required
@require_POST
def note_step(request: HttpRequest, pk: int, action: str = "note") -> HttpResponse:
    return _step(request, pk, "note", lambda t, d, u, now: actions.add_note(
        ticket=t, text=(d.get("text") or "").strip(), acting_user=u, now=now))


@login_required
@require_POST
def internal_staff_step(request: HttpRequest, pk: int, action: str = "internal_staff") -> HttpResponse:
    return _step(request, pk, "internal_staff", lambda t, d, u, now: actions.edit_ticket(
        ticket=t, **forms.internal_staff_kwargs(d), acting_user=u, now=now))


@login_required
@require_POST
def staff_named_step(request: HttpRequest, pk: int, action: str = "staff_named") -> HttpResponse:
    return _step(request, pk, "staff_named", lambda t, d, u, now: actions.name_staff_member(
        ticket=t, staff=d.get("staff"), acting_user=u, now=now))


@login_required
@require_POST
def agreed_time_step(request: HttpRequest, pk: int, action: str = "agreed_time") -> HttpResponse:
    return _step(request, pk, "agreed_time", lambda t, d, u, now: actions.agree_feedback_time(
        ticket=t, agreed_feedback_at=d["agreed_feedback_at"], extension_reason=d.get("agreed_extension_reason") or "",
        acting_user=u, now=now))


@login_required
@require_POST
def judge_step(request: HttpRequest, pk: int, action: str = "judge") -> HttpResponse:
    return _step(request, pk, "judge", lambda t, d, u, now: actions.judge_complaint(
        ticket=t, **forms.judge_kwargs(d), acting_user=u, now=now))


# ---------------------------------------------------------------- saved views


@login_required
@require_POST
def saved_view_create(request: HttpRequest) -> HttpResponse:
    form = forms.SavedViewForm(request.POST)
    if form.is_valid():
        qs = QueryDict(form.cleaned_data["query_string"], mutable=True)
        qs.pop("page", None)
        clean = urlencode([(k, v) for k in qs for v in qs.getlist(k) if v], doseq=False)
        actions.save_view(user=access.staff_user(request), name=form.cleaned_data["name"], query_string=clean, now=clock.now())
        messages.success(request, _("已保存视图“%(n)s”") % {"n": form.cleaned_data["name"]})
        return redirect(reverse("tickets:list") + (f"?{clean}" if clean else ""))
    messages.error(request, _("请填写视图名称"))
    return redirect("tickets:list")


@login_required
@require_POST
def saved_view_delete(request: HttpRequest, pk: int) -> HttpResponse:
    if not any(v.pk == pk for v in queries.saved_views_of(request.user)):
        raise Http404
    actions.delete_view(user=access.staff_user(request), view_id=pk)
    messages.success(request, _("已删除视图"))
    return redirect("tickets:list")


# ---------------------------------------------------------------- daily inventory


@login_required
def inventory(request: HttpRequest) -> HttpResponse:
    """日盘点 (R-M1-11): per receiver, today's tickets, what is still open, what is due tomorrow."""
    return render(request, "tickets/inventory.html", {**_inventory_context(request), "unmasked": True})


@login_required
def inventory_print(request: HttpRequest) -> HttpResponse:
    """Printable 日盘点 list (print CSS; one section per receiver). Issue 14 item 9 (R-M7-01): phone and ID
    numbers in the texts are masked unless the user holds a grant, and the print is in the read log."""
    context = _inventory_context(request)
    project, sheet = context["project"], context["sheet"]
    user = access.staff_user(request)
    grant = estates_actions.print_grant(user, project)
    response = render(request, "tickets/inventory_print.html", {**context, "unmasked": grant is not None})
    estates_actions.log_print(user, project, grant=grant, rows=sum(sheet.totals.values()),
                              screen=f"打印：日盘点清单 {sheet.day}")
    return response


@login_required
@require_POST
def inventory_confirm(request: HttpRequest) -> HttpResponse:
    """The receiver confirms their 日盘点 of the day (R-M1-11)."""
    _require_view(request)
    project = _current_project(request)
    if project is None:
        raise Http404
    form = forms.InventoryForm(request.POST)
    day = clock.today(project.tz)
    if form.is_valid() and form.cleaned_data.get("day"):
        day = form.cleaned_data["day"]
    try:
        actions.confirm_inventory(project=project, day=day, acting_user=access.staff_user(request), now=clock.now(),
                                  note=request.POST.get("note", "")[:1000])
    except TicketError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已确认 %(d)s 的日盘点") % {"d": day.isoformat()})
    return redirect(reverse("tickets:inventory") + f"?day={day.isoformat()}")


def _inventory_context(request: HttpRequest) -> dict[str, Any]:
    _require_view(request)
    project = _current_project(request)
    if project is None:
        raise Http404
    form = forms.InventoryForm(request.GET or None)
    day = clock.today(project.tz)
    receiver_id = None
    if form.is_valid():
        day = form.cleaned_data.get("day") or day
        receiver_id = form.cleaned_data.get("receiver")
    now = clock.now()
    sheet = build_inventory_sheet(access.visible_tickets(request.user).filter(project=project), project=project,
                                  day=day, now=now, receiver_id=receiver_id)
    return {"sheet": sheet, "project": project, "day": day, "now": now, "form": form,
            "prev_day": day - dt.timedelta(days=1), "next_day": day + dt.timedelta(days=1)}


def attachment(request: HttpRequest, pk: int, aid: int) -> HttpResponseBase:
    """One attachment of a ticket the viewer may see — anyone else, signed in or not, gets 404. The
    private file is served by :func:`apps.core.files.serve` (images inline, everything else as a
    download, ``nosniff``); ``?thumb=1`` answers the image's thumbnail (issue 14 item 3)."""
    ticket = access.access_ticket(request.user, pk)  # TicketNotFound is a 404
    att = get_object_or_404(Attachment, pk=aid, ticket=ticket)
    return files.serve(att.file, thumb=request.GET.get("thumb") == "1", download_name=f"{ticket.number}-{att.pk}")


# ---------------------------------------------------------------- records of the roles the procedures name


STEP_DONE.update({
    "online_notification": gettext_lazy("已登记网上投诉通知"), "gm_report": gettext_lazy("已记录报告物业总经理"),
    "suggestion_decision": gettext_lazy("已记录建议处理决定"),
})


@login_required
@require_POST
def online_notification_step(request: HttpRequest, pk: int, action: str = "online_notification") -> HttpResponse:
    """R-M2-09: 品质管理部 records the email forward and the phone call."""
    return _step(request, pk, "online_notification", lambda t, d, u, now: actions.record_online_notification(
        ticket=t, emailed=bool(d.get("emailed")), phoned=bool(d.get("phoned")), note=d.get("note") or "",
        acting_user=u, now=now))


@login_required
@require_POST
def gm_report_step(request: HttpRequest, pk: int, action: str = "gm_report") -> HttpResponse:
    """R-M2-23: the 客服经理 reports an owner's accident or incident to the 物业总经理."""
    return _step(request, pk, "gm_report", lambda t, d, u, now: actions.report_incident_to_gm(
        ticket=t, report=d.get("report") or "", acting_user=u, now=now))


@login_required
@require_POST
def suggestion_decision_step(request: HttpRequest, pk: int, action: str = "suggestion_decision") -> HttpResponse:
    """R-M1-15: the 管理处主任 adopts (measures posted publicly) or declines a suggestion."""
    return _step(request, pk, "suggestion_decision", lambda t, d, u, now: actions.decide_suggestion(
        ticket=t, adopted=bool(d.get("adopted")), measures=d.get("measures") or "",
        posted_where=d.get("posted_where") or "", posted_on=d.get("posted_on"), note=d.get("note") or "",
        acting_user=u, now=now))


@login_required
def box_openings(request: HttpRequest) -> HttpResponse:
    """意见箱开箱记录 (R-M1-12): the designated person logs each daily opening (time, person, number of
    slips); the last 30 days are listed with the tickets created from each opening, and days without an
    opening are flagged."""
    _require_view(request)
    project = _current_project(request)
    if project is None:
        raise Http404
    staff = [(u.pk, str(u)) for u in User.objects.filter(memberships__project=project, is_active=True)
             .distinct().order_by("display_name", "pk")]
    form = forms.BoxOpeningForm(request.POST or None, staff=staff)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            user = access.staff_user(request)
            try:
                with transaction.atomic():
                    opened_by = forms.user_or_none(data.get("opened_by"), project=project, field="opened_by") or user
                    actions.record_box_opening(project=project, opened_at=data["opened_at"], opened_by=opened_by,
                                               slip_count=data["slip_count"], note=data.get("note") or "",
                                               acting_user=user, now=clock.now())
            except TicketError as exc:
                if exc.status == 403:
                    raise PermissionDenied from exc
                _form_errors(form, exc)
            else:
                messages.success(request, _("已登记开箱"))
                return redirect("tickets:box_openings")
    return render(request, "tickets/box_openings.html",
                  {"form": form, "project": project, **queries.box_opening_log(project, clock.today(project.tz)),
                   "may_record": org_access.has_cap(request.user, Cap.RECEIVE_TICKETS, project)}, status=status)
