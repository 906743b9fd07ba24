"""Ticket pages (issue 4 items 3, 7, 9): intake, list with filters and saved views, detail with
timeline and deadline badges, department / verification / return-visit queues, daily inventory.

Thin: forms validate, ``apps.tickets.adapters`` forwards to the actions (the same calls the API
makes), permissions through ``apps.org.access`` and ``apps.tickets.access``.
"""
from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.org import access as org_access
from apps.org.models import Department, Project
from apps.org.roles import Cap
from apps.tickets import access, adapters, forms, inventory_view
from apps.tickets.filters import TicketFilterForm, apply_filters
from apps.tickets.lookup import search_households
from apps.tickets.models import Deadline, Ticket
from linli import clock

PAGE_SIZE = 50
FLAG_FIELDS = ["media_or_litigation_risk", "media_exposed", "litigation", "developer_matter", "municipal"]


def _is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False)) and not getattr(request.htmx, "boosted", False)


def _current_project(request: HttpRequest) -> Project | None:
    return getattr(request, "project", None)


def _departments_for(user: Any, project: Project | None) -> QuerySet[Department]:
    projects = org_access.visible_projects(user)
    qs = Department.objects.filter(project__in=projects)
    if project is not None:
        qs = Department.objects.filter(project=project) | Department.objects.filter(
            project__isnull=True, company_id=project.company_id)
    return qs.select_related("project", "company").order_by("project__code", "name")


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
        "categories": adapters.categories_for(request.user),
        "departments": _departments_for(request.user, project),
        "saved_views": adapters.saved_views_of(request.user) if saved_views else None,
        "can_receive": org_access.has_cap(request.user, Cap.RECEIVE_TICKETS, project),
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
    base = adapters.department_queue(access.visible_tickets(request.user), request.user)
    return _list_page(request, base, heading=_("部门待办"), subheading=_("派给本部门或本人、尚未处理完毕的工单"),
                      default_sort="due")


@login_required
def queue_verification(request: HttpRequest) -> HttpResponse:
    """待验证 (R-M4-01): handled tickets waiting for a supervisor-rank verification."""
    _require_view(request)
    base = adapters.verification_queue(access.visible_tickets(request.user))
    return _list_page(request, base, heading=_("待验证"), subheading=_("处理完毕、等待管理处经理或主管以上验证"),
                      default_sort="due")


@login_required
def queue_return_visit(request: HttpRequest) -> HttpResponse:
    """待回访 (R-M4-04): verified tickets waiting for the return visit."""
    _require_view(request)
    base = adapters.return_visit_queue(access.visible_tickets(request.user))
    return _list_page(request, base, heading=_("待回访"), subheading=_("验证通过、等待回访业主"), default_sort="due")


# ---------------------------------------------------------------- intake


def _intake_choices(request: HttpRequest, project: Project) -> dict[str, Any]:
    return {
        "categories": [(c.pk, str(c)) for c in adapters.categories_for(request.user)],
        "departments": [(d.pk, str(d)) for d in _departments_for(request.user, project)],
    }


@login_required
def intake(request: HttpRequest) -> HttpResponse:
    """受理登记: fast enough for a phone call (keyboard only; 房号/电话尾号 look-up; similar open tickets)."""
    project = _current_project(request)
    if project is None or not org_access.has_cap(request.user, Cap.RECEIVE_TICKETS, project):
        raise PermissionDenied
    now = clock.now()
    form = forms.IntakeForm(request.POST or None, now=now, **_intake_choices(request, project))
    chosen = similar = None
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            household, person = adapters.household_and_person(project, data.pop("household"), data.pop("person"))
            data["category"] = adapters.category_or_none(data["category"], project=project)
            data["department"] = (Department.objects.get(pk=data["department"]) if data["department"] else None)
            ticket = adapters.receive(project=project, household=household, person=person,
                                      received_at=data.pop("received_at") or now, acting_user=request.user,
                                      now=now, **data)
        except (DjangoValidationError, *adapters.DOMAIN_ERRORS) as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("已受理，编号 %(n)s") % {"n": ticket.number})
            return redirect("tickets:detail", pk=ticket.pk)
    if form.is_bound and form.data.get("household"):
        chosen = adapters.household_in(project, form.data.get("household"))
        if chosen is not None:
            similar = _similar_open(request, chosen.pk)
    return render(request, "tickets/intake.html", {
        "form": form, "project": project, "flag_fields": FLAG_FIELDS, "chosen_household": chosen,
        "similar": similar, "household": chosen,
    })


def _form_errors(form: Any, exc: Exception) -> None:
    fields = adapters.error_fields(exc)
    if isinstance(exc, DjangoValidationError) and hasattr(exc, "error_dict"):
        fields = {k: [str(m) for m in v] for k, v in exc.message_dict.items()}
    placed = False
    for name, msgs in fields.items():
        if name in form.fields:
            for m in msgs:
                form.add_error(name, m)
            placed = True
    if not placed:
        form.add_error(None, "；".join(exc.messages) if isinstance(exc, DjangoValidationError) else str(exc))


def _similar_open(request: HttpRequest, household_id: int) -> list[Ticket]:
    qs = adapters.open_only(access.visible_tickets(request.user).filter(household_id=household_id))
    return list(qs.order_by("-received_at")[:10])


@login_required
def household_lookup(request: HttpRequest) -> HttpResponse:
    """htmx partial: households of the current project matching 房号 or phone tail."""
    project = _current_project(request)
    if project is None or not org_access.has_cap(request.user, Cap.RECEIVE_TICKETS, project):
        raise PermissionDenied
    query = request.GET.get("lookup", "").strip()[:30]
    hits = search_households(project, query) if query else []
    counts = adapters.open_counts(access.visible_tickets(request.user), [h.pk for h in hits])
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
    household = adapters.household_in(project, household_id) if project else None
    if household is None:
        raise Http404
    return render(request, "tickets/_similar.html", {"similar": _similar_open(request, household_id),
                                                    "household": household})


# ---------------------------------------------------------------- detail and actions


def _detail_context(request: HttpRequest, ticket: Ticket) -> dict[str, Any]:
    project = ticket.project
    now = clock.now()
    user = request.user

    def can(cap: str) -> bool:
        return org_access.has_cap(user, cap, project)

    departments = [(d.pk, str(d)) for d in _departments_for(user, project)]
    return {
        "ticket": ticket,
        "now": now,
        "deadlines": sorted(ticket.deadlines.all(), key=lambda d: (d.due_at is None, d.due_at or now)),
        "events": adapters.events_of(ticket),
        "sections": adapters.detail_sections(ticket),
        "allowed": adapters.allowed_actions(ticket),
        "can": {c: can(c) for c in (Cap.DISPATCH, Cap.HANDLE, Cap.REPLY, Cap.VERIFY, Cap.RETURN_VISIT, Cap.VOID)},
        "dispatch_form": forms.DispatchForm(departments=departments, assignees=adapters.assignees_for(project)),
        "handling_form": forms.HandlingForm(),
        "reply_form": forms.ReplyForm(channels=adapters.reply_channels()),
        "verification_form": forms.VerificationForm(),
        "return_visit_form": forms.ReturnVisitForm(methods=adapters.return_visit_methods(),
                                                   satisfactions=adapters.satisfactions()),
        "exemption_form": forms.ExemptionForm(exemptions=adapters.exemptions()),
        "close_form": forms.CloseForm(),
        "reason_form": forms.ReasonForm(),
    }


def _load(request: HttpRequest, pk: int) -> Ticket:
    ticket = access.access_ticket(request.user, pk)
    return (Ticket.objects.select_related("project", "household", "person", "category", "department", "receiver")
            .prefetch_related(Prefetch("deadlines", queryset=Deadline.objects.order_by("due_at")))
            .get(pk=ticket.pk))


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """工单详情: deadlines (due, time left, overdue, provisional), timeline, and the next steps."""
    ticket = _load(request, pk)
    return render(request, "tickets/ticket_detail.html", _detail_context(request, ticket))


ACTION_FORMS: dict[str, tuple[str, str]] = {
    # action: (capability, form key in _detail_context)
    "dispatch": (Cap.DISPATCH, "dispatch_form"),
    "accept": (Cap.HANDLE, ""),
    "handling": (Cap.HANDLE, "handling_form"),
    "hand_back": (Cap.HANDLE, "reason_form"),
    "reply": (Cap.REPLY, "reply_form"),
    "verify": (Cap.VERIFY, "verification_form"),
    "return_visit": (Cap.RETURN_VISIT, "return_visit_form"),
    "exempt": (Cap.RETURN_VISIT, "exemption_form"),
    "close": (Cap.REPLY, "close_form"),
    "reopen": (Cap.REPLY, "reason_form"),
    "void": (Cap.VOID, "reason_form"),
}


@login_required
@require_POST
def ticket_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """One POST endpoint per next step; errors re-render the detail page with the form's messages."""
    if action not in ACTION_FORMS:
        raise Http404
    ticket = _load(request, pk)
    cap, form_key = ACTION_FORMS[action]
    if not org_access.has_cap(request.user, cap, ticket.project):
        raise PermissionDenied
    context = _detail_context(request, ticket)
    form = None
    if form_key:
        bound_kwargs: dict[str, Any] = {}
        template_form = context[form_key]
        form = type(template_form)(request.POST, request.FILES, **_form_kwargs(template_form, ticket, request))
        context[form_key] = form
        if not form.is_valid():
            context["open_action"] = action
            return render(request, "tickets/ticket_detail.html", context, status=422)
        bound_kwargs = dict(form.cleaned_data)
    else:
        bound_kwargs = {}
    now = clock.now()
    try:
        adapters.run_action(action, ticket, data=bound_kwargs, acting_user=request.user, now=now)
    except (DjangoValidationError, *adapters.DOMAIN_ERRORS, *adapters.TRANSITION_ERRORS) as exc:
        if form is not None:
            _form_errors(form, exc)
        else:
            messages.error(request, str(exc))
        context["open_action"] = action
        return render(request, "tickets/ticket_detail.html", context, status=409)
    messages.success(request, adapters.ACTION_DONE.get(action, _("已保存")))
    return redirect("tickets:detail", pk=ticket.pk)


def _form_kwargs(form: Any, ticket: Ticket, request: HttpRequest) -> dict[str, Any]:
    if isinstance(form, forms.DispatchForm):
        return {"departments": form.fields["department"].choices,
                "assignees": [c for c in form.fields["assignee"].choices if c[0] != ""]}
    if isinstance(form, forms.ReplyForm):
        return {"channels": form.fields["channel"].choices}
    if isinstance(form, forms.ReturnVisitForm):
        return {"methods": form.fields["method"].choices,
                "satisfactions": [c for c in form.fields["satisfaction"].choices if c[0] != ""]}
    if isinstance(form, forms.ExemptionForm):
        return {"exemptions": form.fields["exemption"].choices}
    return {}


# ---------------------------------------------------------------- saved views


@login_required
@require_POST
def saved_view_create(request: HttpRequest) -> HttpResponse:
    form = forms.SavedViewForm(request.POST)
    if form.is_valid():
        qs = QueryDict(form.cleaned_data["query_string"], mutable=True)
        qs.pop("page", None)
        clean = urlencode([(k, v) for k in qs for v in qs.getlist(k) if v], doseq=False)
        adapters.save_view(request.user, name=form.cleaned_data["name"], query_string=clean, now=clock.now())
        messages.success(request, _("已保存视图“%(n)s”") % {"n": form.cleaned_data["name"]})
        return redirect(reverse("tickets:list") + (f"?{clean}" if clean else ""))
    messages.error(request, _("请填写视图名称"))
    return redirect("tickets:list")


@login_required
@require_POST
def saved_view_delete(request: HttpRequest, pk: int) -> HttpResponse:
    if not adapters.delete_view(request.user, pk):
        raise Http404
    messages.success(request, _("已删除视图"))
    return redirect("tickets:list")


# ---------------------------------------------------------------- daily inventory


@login_required
def inventory(request: HttpRequest) -> HttpResponse:
    """日盘点 (R-M1-11): per receiver, today's tickets, what is still open, what is due tomorrow."""
    return _inventory(request, "tickets/inventory.html")


@login_required
def inventory_print(request: HttpRequest) -> HttpResponse:
    """Printable 日盘点 list (print CSS; one section per receiver)."""
    return _inventory(request, "tickets/inventory_print.html")


def _inventory(request: HttpRequest, template: str) -> HttpResponse:
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
    sheet = inventory_view.build(access.visible_tickets(request.user).filter(project=project), project=project,
                                 day=day, now=now, receiver_id=receiver_id)
    return render(request, template, {"sheet": sheet, "project": project, "day": day, "now": now, "form": form,
                                      "prev_day": day - dt.timedelta(days=1), "next_day": day + dt.timedelta(days=1)})
