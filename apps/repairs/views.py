"""Repair pages (thin: rules in actions/ and queries.py, measures in measures.py). Phone first: the
worker's list and the work order page work at 360 px with large touch targets. A record of another
project → 404. Each button of the work order page is its own view calling one typed action."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from functools import wraps
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.core import files
from apps.core.errors import bind_to_form
from apps.core.flash import flash_form_errors
from apps.estates import actions as estates_actions
from apps.org import access
from apps.org.models import Project, User
from apps.org.roles import Cap
from apps.repairs import actions
from apps.repairs import forms as f
from apps.repairs import measures as ms
from apps.repairs import queries as q
from apps.repairs.access import can_work, may_decide_requisition, may_request_materials
from apps.repairs.actions.consents import may_decide
from apps.repairs.errors import RepairError
from apps.repairs.models import (
    SITE_CHECKLIST,
    CashHandover,
    LeaderConsent,
    MaterialRequisition,
    PaymentStatus,
    PriceItemKind,
    PriceList,
    Receipt,
    RepairOrder,
    RepairPhoto,
    RequisitionStatus,
)
from apps.tickets import queries as ticket_queries
from apps.tickets.choices import TicketStatus as S
from linli import clock


def _user(request: HttpRequest) -> User:
    """The signed-in staff member (every view here is behind login_required)."""
    return cast(User, request.user)


def _error(request: HttpRequest, exc: RepairError) -> None:
    detail = "；".join(m for msgs in exc.fields.values() for m in msgs if m not in exc.message)
    messages.error(request, f"{exc.message}{'（' + detail + '）' if detail else ''}")


class _InvalidForm(Exception):
    """A work-order step's form did not validate: its errors are shown and nothing is recorded."""

    def __init__(self, form: Any) -> None:
        super().__init__("invalid form")
        self.form = form


def _valid(form: Any) -> dict[str, Any]:
    if not form.is_valid():
        raise _InvalidForm(form)
    return cast(dict[str, Any], form.cleaned_data)


def _order(request: HttpRequest, pk: int) -> RepairOrder:
    if not access.has_cap(request.user, Cap.VIEW_TICKETS):
        raise Http404
    return get_object_or_404(q.visible_orders(request.user).select_related(
        "ticket", "ticket__project", "ticket__category", "worker"), pk=pk)


Step = Callable[[HttpRequest, RepairOrder, User, dt.datetime], "str | HttpResponse"]


def _step(view: Step) -> Callable[[HttpRequest, int], HttpResponseBase]:
    """A button of the work order page: POST only, the visible order, one action; the returned
    text is flashed (or a response returned as is); a refusal or an invalid form is shown on the
    order page and nothing is recorded."""

    @login_required
    @require_POST
    @wraps(view)
    def run(request: HttpRequest, pk: int) -> HttpResponseBase:
        order = _order(request, pk)
        try:
            done = view(request, order, _user(request), clock.now())
        except _InvalidForm as exc:
            flash_form_errors(request, exc.form)
        except RepairError as exc:
            _error(request, exc)
        else:
            if isinstance(done, HttpResponse):
                return done
            messages.success(request, done)
        return redirect("repairs:order", pk=order.pk)

    return run


# ---------------------------------------------------------------- lists and intake


@login_required
def order_list(request: HttpRequest) -> HttpResponse:
    """我的工单 (phone home of a worker): my open orders, the grab pool, and for dispatchers the
    repairs waiting for assignment."""
    user = _user(request)
    return render(request, "repairs/order_list.html", {
        "mine": list(q.my_orders(user)[:100]), "pool": list(q.pool_orders(user)[:100]),
        "waiting": list(q.waiting_orders(user)[:50]), "cash_count": q.cash_on_hand(user).count(),
        "building": list(q.steward_orders(user)[:100]),  # R-M8-17: the steward's buildings
        "can_receive": any(access.has_cap(user, Cap.RECEIVE_TICKETS, p) for p in access.visible_projects(user)),
        "can_requisition": any(may_request_materials(user, p) or may_decide_requisition(user, p)
                               for p in access.visible_projects(user)),
    })


@login_required
def intake(request: HttpRequest) -> HttpResponse:
    """报修受理 (24小时报修电话, R-M8-02): classification, urgency, location, agreed visit time."""
    project: Project | None = getattr(request, "project", None)
    if project is None or not access.has_cap(request.user, Cap.RECEIVE_TICKETS, project):
        raise Http404
    categories = q.repair_categories()
    form = f.IntakeForm(request.POST or None, categories=categories)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        category = next(c for c in categories if str(c.pk) == data["category"])
        try:
            order = actions.receive_repair(
                project=project, category=category, kind=data["kind"], content=data["content"],
                location_kind=data["location_kind"], location=data["location"], urgency=data["urgency"] or None,
                complainant_surname=data["complainant_surname"], phone=data["phone"],
                agreed_visit_at=data["agreed_visit_at"], acting_user=_user(request), now=clock.now())
            messages.success(request, _("已受理报修 %(n)s") % {"n": order.ticket.number})
            return redirect("repairs:order", pk=order.pk)
        except RepairError as exc:
            _error(request, exc)
    elif request.method == "POST":
        flash_form_errors(request, form)
    return render(request, "repairs/intake.html", {"form": form, "project": project})


@login_required
def for_ticket(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """The work order of a repair/paid-service ticket (the ticket page and the queues link here,
    issue 17): every 派工, 处理 and 回访 of a repair goes through the work order's actions. A ticket
    received before its work order was made (its job still pending) gets it now (idempotent)."""
    if not access.has_cap(request.user, Cap.VIEW_TICKETS):
        raise Http404
    order = q.visible_orders(request.user).filter(ticket_id=ticket_id).first()
    if order is None:
        ticket = get_object_or_404(q.visible_repair_tickets(request.user), pk=ticket_id)
        with transaction.atomic():
            order = actions.order_for(ticket)
    return redirect("repairs:order", pk=order.pk)


@login_required
def order_detail(request: HttpRequest, pk: int) -> HttpResponse:
    order = _order(request, pk)
    ticket = order.ticket
    user = _user(request)
    now = clock.now()
    items = q.price_items(ticket.project, now)
    materials = [i for i in items if i.kind == PriceItemKind.MATERIAL]
    dispatch = q.current_dispatch(order)
    deadlines = {d.stage: d for d in ticket.deadlines.filter(cycle=ticket.cycle)}
    workers: list[User] = []
    if access.has_cap(user, Cap.DISPATCH, ticket.project):
        dept = dispatch.department if dispatch else q.repair_department(ticket.project, ticket.category)
        workers = q.department_workers(dept) if dept else []
    receipt = order.receipts.exclude(status=PaymentStatus.VOID).first()
    visit_ready = ticket.status == S.VERIFIED and access.has_cap(user, Cap.RETURN_VISIT, ticket.project)
    call_url = ticket_queries.phone_call_url(user, ticket)  # 拨打 the owner (issue 23 item 7), back to this page
    if call_url:
        call_url += "?" + urlencode({"back": reverse("repairs:order", args=[order.pk])})
    return render(request, "repairs/order_detail.html", {
        "phone_call_url": call_url,
        "order": order, "ticket": ticket, "dispatch": dispatch, "deadlines": deadlines, "now": now,
        "can_work": can_work(user, order), "workers": workers,
        "is_mine": dispatch is not None and dispatch.assignee_id == user.pk,
        "in_pool": dispatch is not None and dispatch.assignee_id is None and ticket.status == S.DISPATCHED,
        "service_items": items, "materials": materials,
        "lines": list(order.charge_lines.all()), "consent": q.latest_consent(order), "consent_ok": q.consent_valid(order),
        "receipt": receipt, "photos": list(order.photos.all()), "used": list(order.materials.all()),
        "next_visits": list(order.next_visits.all()), "ratings": list(order.ratings.all()),
        "diagnose_form": f.DiagnoseForm(initial={"diagnosis": order.diagnosis, "chargeable": bool(order.chargeable)}),
        "consent_form": f.ConsentForm(initial={"owner_name": ticket.complainant_surname},
                                      leaders=q.leaders(ticket.project)),
        "material_form": f.MaterialForm(materials=materials),
        "photo_form": f.PhotoForm(), "complete_form": f.CompleteForm(), "next_form": f.NextVisitForm(),
        "sign_form": f.SignForm(), "refuse_form": f.RefuseForm(),
        "payment_form": f.PaymentForm(), "reason_form": f.ReasonForm(),
        "visit_form": f.ReturnVisitForm() if visit_ready else None,
        "same_day": q.same_local_day(ticket.project, ticket.received_at, now),
        "checklist": [{"key": k, "label": label, "checked": bool((order.checklist or {}).get(k))}
                      for k, label, _rule in SITE_CHECKLIST],
        "checklist_unmet": ([label for k, label, _rule in SITE_CHECKLIST if k in q.checklist_unmet(order.checklist)]
                            if order.completed_at else []),
        "leaders": q.leaders(ticket.project), "colleagues": q.colleagues(order, user),
        "leader_consents": [{"c": c, "can_decide": c.decided_at is None and c.requested_by_id != user.pk
                             and may_decide(user, order, c.kind)}
                            for c in order.leader_consents.select_related("requested_by", "decided_by", "to_user")],
    })


# ---------------------------------------------------------------- the work order's steps


def _qty_items(request: HttpRequest, order: RepairOrder, now: dt.datetime) -> list[tuple[Any, Any]]:
    chosen = []
    for item in q.price_items(order.ticket.project, now):
        raw = (request.POST.get(f"qty_{item.pk}") or "").strip()
        if raw and raw not in {"0", "0.0", "0.00"}:
            chosen.append((item, raw))
    return chosen


@_step
def accept(request: HttpRequest, order: RepairOrder, user: User, now: dt.datetime) -> str:
    actions.accept_order(order=order, acting_user=user, now=now)
    return _("已接单")


@_step
def assign(request: HttpRequest, order: RepairOrder, user: User, now: dt.datetime) -> str:
    if not (request.POST.get("assignee") or "").strip():  # issue 23 item 1: said in Chinese, not a bare 404
        raise RepairError(_("请选择维修人员"), field="assignee")
    worker = get_object_or_404(User, pk=request.POST.get("assignee"))
    reason = request.POST.get("reason", "").strip()
    if q.current_dispatch(order) is not None and reason:
        actions.transfer_order(order=order, to_user=worker, reason=reason, acting_user=user, now=now)
    else:
        actions.assign_order(order=order, assignee=worker, acting_user=user, now=now)
    return _("已派工")


@_step
def hand_back(request: HttpRequest, order: RepairOrder, user: User, now: dt.datetime) -> HttpResponse:
    actions.hand_back_order(order=order, reason=request.POST.get("reason", ""), acting_user=user, now=now)
    messages.success(request, _("已退单"))
    return redirect("repairs:list")


@_step
def arrive(request: HttpRequest, order: RepairOrder, user: User, now: dt.datetime) -> str:
    actions.record_arrival(order=order, acting_user=user, now=now)
    return _("已登记到场")


@_step
def diagnose(request: HttpRequest, order: RepairOrder, user: User, now: dt.datetime) -> str:
    data = _valid(f.DiagnoseForm(request.POST))
    actions.diagnose(order=order, diagnosis=data["diagnosis"], chargeable=data["chargeable"],
                     items=_qty_items(request, order, now) if data["chargeable"] else (), acting_user=user, now=now)
    return _("已保存")


@_step
def consent(request: HttpRequest, order: RepairOrder, user: User, now: dt.datetime) -> str:
    leaders = q.leaders(order.ticket.project)
    data = _valid(f.ConsentForm(request.POST, leaders=leaders))
    reported_to = next((u for u in leaders if str(u.pk) == data["reported_to"]), None)
    actions.record_consent(order=order, agreed=data["agreed"], owner_name=data["owner_name"],
                           explanation=data["explanation"], reported_to=reported_to, acting_user=user, now=now)
    return _("已保存")


@_step
def start(request: HttpRequest, order: RepairOrder, user: User, now: dt.datetime) -> str:
    actions.start_work(order=order, acting_user=user, now=now)
    return _("已开工")


@_step
def material(request: HttpRequest, order: RepairOrder, user: User, now: dt.datetime) -> str:
    materials = [i for i in q.price_items(order.ticket.project, now) if i.kind == PriceItemKind.MATERIAL]
    data = _valid(f.MaterialForm(request.POST, materials=materials))
    actions.add_material(order=order, item=int(data["item"]) if data["item"] else None, quantity=data["quantity"],
                         name="" if data["item"] else data["name"], unit="" if data["item"] else data["unit"],
                         acting_user=user, now=now)
    return _("已保存")


@_step
def photo(request: HttpRequest, order: RepairOrder, user: User, now: dt.datetime) -> str:
    data = _valid(f.PhotoForm(request.POST, request.FILES))
    actions.add_photo(order=order, phase=data["phase"], file=data["file"], acting_user=user, now=now)
    return _("照片已上传")


@_step
def complete(request: HttpRequest, order: RepairOrder, user: User, now: dt.datetime) -> str:
    post = request.POST
    data = _valid(f.CompleteForm(post))
    actions.complete_repair(order=order, result=data["result"], labour_hours=data["labour_hours"],
                            late_explanation=data["late_explanation"], checklist_note=data["checklist_note"],
                            checklist={k: post.get(f"check_{k}") == "on" for k in q.CHECKLIST_KEYS},
                            wiring_changed=post.get("wiring_changed") == "on",
                            acting_user=user, now=now)
    return _("已完工，请业主签名验收")


@_step
def next_visit(request: HttpRequest, order: RepairOrder, user: User, now: dt.datetime) -> str:
    data = _valid(f.NextVisitForm(request.POST))
    actions.agree_next_visit(order=order, agreed_at=data["agreed_at"], reason=data["reason"], acting_user=user,
                             now=now)
    return _("已约定再次上门")


@_step
def sign(request: HttpRequest, order: RepairOrder, user: User, now: dt.datetime) -> str:
    data = _valid(f.SignForm(request.POST))
    actions.sign_acceptance(order=order, signature=data["signature"], signed_name=data["signed_name"],
                            quality_ok=data["quality_ok"], cosmetic_ok=data["cosmetic_ok"], acting_user=user,
                            now=now)
    return _("业主已签名验收")


@_step
def request_consent(request: HttpRequest, order: RepairOrder, user: User, now: dt.datetime) -> str:
    """The worker asks the leader (R-M8-10 交接班, R-M8-11 改动线路)."""
    kind = request.POST.get("kind", "")
    to_user = User.objects.filter(pk=request.POST.get("to_user") or 0).first() if kind == "handover" else None
    actions.request_consent(order=order, kind=kind, to_user=to_user, reason=request.POST.get("reason", ""),
                            acting_user=user, now=now)
    return _("已提交负责人，待其同意")


@login_required
@require_POST
def decide_consent(request: HttpRequest, pk: int) -> HttpResponse:
    """The leader decides on the work order page (R-M8-10, R-M8-11)."""
    consent = get_object_or_404(LeaderConsent.objects.select_related("order"), pk=pk)
    order = _order(request, consent.order_id)
    try:
        actions.decide_consent(consent=consent, approve=request.POST.get("decision") == "approve",
                               note=request.POST.get("note", ""), acting_user=_user(request), now=clock.now())
        messages.success(request, _("已记录您的决定"))
    except RepairError as exc:
        _error(request, exc)
    return redirect("repairs:order", pk=order.pk)


@_step
def refuse(request: HttpRequest, order: RepairOrder, user: User, now: dt.datetime) -> str:
    actions.refuse_acceptance(order=order, reason=request.POST.get("reason", ""), acting_user=user, now=now)
    return _("已登记业主拒签")


@_step
def issue_receipt(request: HttpRequest, order: RepairOrder, user: User, now: dt.datetime) -> str:
    receipt = actions.issue_receipt(order=order, acting_user=user, now=now)
    return _("已开具收据 %(n)s") % {"n": receipt.number}


@_step
def pay(request: HttpRequest, order: RepairOrder, user: User, now: dt.datetime) -> str:
    receipt = get_object_or_404(Receipt, order=order, pk=request.POST.get("receipt") or 0)
    data = _valid(f.PaymentForm(request.POST))
    actions.record_payment(receipt=receipt, method=data["method"], payer_name=data["payer_name"], acting_user=user,
                           now=now)
    return _("已收款")


@_step
def return_visit(request: HttpRequest, order: RepairOrder, user: User, now: dt.datetime) -> str:
    d = _valid(f.ReturnVisitForm(request.POST))
    actions.record_repair_return_visit(
        order=order, method=d["method"], reached=d["reached"], quality=d["quality"], attitude=d["attitude"],
        owner_words=d["owner_words"], working_well=d["working_well"] if d["reached"] else None,
        emergency_reason=d["emergency_reason"], give_up=d["give_up"], acting_user=user, now=now)
    return _("回访已登记")


# ---------------------------------------------------------------- signature, receipts, cash, prices, measures


def signature(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The owner's signature of an order the viewer may see (404 for anyone else, signed in or not)."""
    order = _order(request, pk)
    if not order.signature:
        raise Http404
    return files.serve(order.signature, thumb=request.GET.get("thumb") == "1",
                       download_name=f"{order.ticket.number}-signature")


def photo_file(request: HttpRequest, pk: int, photo_pk: int) -> HttpResponseBase:
    """A before/after photo of an order the viewer may see (404 otherwise); ``?thumb=1`` the thumbnail."""
    order = _order(request, pk)
    photo = get_object_or_404(RepairPhoto, pk=photo_pk, order=order)
    return files.serve(photo.file, thumb=request.GET.get("thumb") == "1",
                       download_name=f"{order.ticket.number}-{photo.phase}-{photo.pk}")


def _receipt(request: HttpRequest, pk: int) -> Receipt:
    return get_object_or_404(Receipt.objects.filter(project__in=access.visible_projects(request.user))
                             .select_related("order__ticket", "project", "issued_by", "collected_by"), pk=pk)


@login_required
def receipt(request: HttpRequest, pk: int) -> HttpResponse:
    """收据 (printable); a supervisor may void it with a reason (the number stays used)."""
    return _receipt_page(request, _receipt(request, pk), f.ReasonForm())


def _receipt_page(request: HttpRequest, r: Receipt, void_form: Any, status: int = 200) -> HttpResponse:
    can_void = r.status != PaymentStatus.VOID and r.handover_id is None and access.has_cap(
        request.user, Cap.VOID, r.project)
    # issue 14 item 9 (R-M7-01): the payer's name and the phone numbers in the address masked unless the
    # user holds a grant; every showing of the printable receipt is in the read log
    grant = estates_actions.print_grant(_user(request), r.project)
    response = render(request, "repairs/receipt.html", {"r": r, "lines": list(r.order.charge_lines.all()),
                                                        "can_void": can_void, "unmasked": grant is not None,
                                                        "void_form": void_form}, status=status)
    ticket = r.order.ticket
    estates_actions.log_print(_user(request), r.project, grant=grant, rows=1, household=ticket.household,
                              person=ticket.person, screen=f"打印：有偿服务收费收据 {r.number}")
    return response


@login_required
@require_POST
def void_receipt(request: HttpRequest, pk: int) -> HttpResponse:
    """作废收据 (supervisor, with the reason): a refusal comes back beside the reason, on the receipt's page."""
    r = _receipt(request, pk)
    form = f.ReasonForm(request.POST)
    if form.is_valid():
        try:
            actions.void_receipt(receipt=r, reason=form.cleaned_data["reason"], acting_user=_user(request),
                                 now=clock.now())
        except RepairError as exc:
            if exc.field not in form.fields:  # refused as a whole (not allowed, already void): said on the page
                _error(request, exc)
                return redirect("repairs:receipt", pk=r.pk)
            bind_to_form(form, exc)
        else:
            messages.success(request, _("已作废"))
            return redirect("repairs:receipt", pk=r.pk)
    return _receipt_page(request, r, form, status=400)


@login_required
def cash(request: HttpRequest) -> HttpResponse:
    """现金交接 (R-M8-08 g): the cash receipts I hold, handed to a cashier of the project."""
    user = _user(request)
    project: Project | None = getattr(request, "project", None)
    if project is None or not access.can_see_project(user, project):
        raise Http404
    held = q.cash_on_hand(user, project).select_related("order__ticket")
    people = (User.objects.filter(memberships__project=project, is_active=True).exclude(pk=user.pk).distinct()
              .order_by("display_name"))
    form = f.CashHandoverForm(request.POST if request.method == "POST" else None, held=held, people=people)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            h = actions.hand_over_cash(project=project, receipts=list(d["receipts"]), amount=d["amount"],
                                       received_by=d["received_by"], acting_user=user, now=clock.now(),
                                       note=d["note"])
        except RepairError as exc:
            bind_to_form(form, exc)  # beside its field, listed at the top of the form
        else:
            messages.success(request, _("已交接 ¥%(a)s") % {"a": h.amount})
            return redirect("repairs:cash")
    rows = list(held)
    history = CashHandover.objects.filter(project=project, handed_by=user).select_related("received_by")[:20]
    return render(request, "repairs/cash.html", {"held": rows, "form": form, "history": history,
                                                 "total": sum((r.amount for r in rows), Decimal("0.00"))},
                  status=400 if form.errors else 200)


def prices(request: HttpRequest, code: str) -> HttpResponse:
    """公示 (R-M8-16): the project's published price list — public, no login."""
    project = get_object_or_404(Project, code=code, active=True)
    pl = q.effective_price_list(project, clock.now().astimezone(project.tz).date())
    return render(request, "repairs/prices.html", {"project": project, "pl": pl,
                                                   "items": list(pl.items.all()) if pl else []})


@login_required
def measures(request: HttpRequest) -> HttpResponse:
    """维修指标: on-time arrival / completion, quality pass, return-visit rate with definitions."""
    if not access.has_cap(request.user, Cap.VIEW_TICKETS):
        raise Http404
    today = clock.today()
    try:
        start = dt.date.fromisoformat((request.GET.get("from") or today.strftime("%Y-%m")) + "-01")
        last = dt.date.fromisoformat((request.GET.get("to") or start.strftime("%Y-%m")) + "-01")
    except ValueError:
        messages.error(request, _("月份格式应为 YYYY-MM"))
        start = last = today.replace(day=1)
    end = (last.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    group = request.GET.get("group", "department")
    group_by = ms.GROUPS.get(group, ms.GROUPS["department"])
    targets = ms.targets_from(q.company_repair_settings(request.user))
    rows = ms.repair_measures(projects=access.visible_projects(request.user), start=start, end=end, as_of=clock.now(),
                              group_by=group_by, targets=targets)
    for row in rows:
        row["cells"] = [{**row[m], "percent": None if row[m]["rate"] is None else (row[m]["rate"] * 100).quantize(
            Decimal("0.1"))} for m in ms.MEASURES]
    return render(request, "repairs/measures.html", {
        "rows": rows, "group_by": group_by, "group": group, "from": start.strftime("%Y-%m"),
        "to": last.strftime("%Y-%m"),
        "measures": [{"code": m, "label": ms.LABELS[m], "definition": ms.DEFINITIONS[m], "target": targets[m]}
                     for m in ms.MEASURES],
    })


# ---------------------------------------------------------------- price lists (R-M8-15, R-M8-16)
def _price_projects(request: HttpRequest) -> list[Project]:
    """Projects whose price lists the user keeps (管理处经理: MANAGE_CONFIG); none → 404."""
    projects = [p for p in access.visible_projects(request.user).order_by("code")
                if access.has_cap(request.user, Cap.MANAGE_CONFIG, p)]
    if not projects:
        raise Http404
    return projects


@login_required
def price_lists(request: HttpRequest) -> HttpResponse:
    """价目表: every version of each project's list; drafts are edited, published ones are frozen."""
    projects = _price_projects(request)
    lists = (PriceList.objects.filter(project__in=projects).select_related("project", "previous")
             .order_by("project__code", "-effective_from", "-version", "-pk"))
    return render(request, "repairs/price_lists.html", {"projects": projects, "lists": lists})


@login_required
def price_list_new(request: HttpRequest) -> HttpResponse:
    projects = _price_projects(request)
    project = next((p for p in projects if str(p.pk) == request.GET.get("project", "")), projects[0])
    return _price_list_form(request, project, None)


@login_required
def price_list_detail(request: HttpRequest, pk: int) -> HttpResponse:
    projects = _price_projects(request)
    pl = get_object_or_404(PriceList.objects.select_related("project", "previous"), pk=pk, project__in=projects)
    if request.method == "POST" and request.POST.get("step") in ("publish", "new_version"):
        try:
            if request.POST["step"] == "publish":
                actions.publish_price_list(price_list=pl, acting_user=_user(request), now=clock.now())
                messages.success(request, _("价目表已公示，业主可在公示页查看"))
                return redirect("repairs:price_list", pk=pl.pk)
            draft = actions.new_price_list_version(price_list=pl, acting_user=_user(request), now=clock.now())
            messages.success(request, _("已新建第%(v)d版草稿，修改后公示即取代当前版本") % {"v": draft.version})
            return redirect("repairs:price_list", pk=draft.pk)
        except RepairError as exc:
            _error(request, exc)
            return redirect("repairs:price_list", pk=pl.pk)
    return _price_list_form(request, pl.project, pl)


def _price_list_form(request: HttpRequest, project: Project, pl: PriceList | None) -> HttpResponse:
    items = list(pl.items.all()) if pl else []
    frozen = pl is not None and pl.published_at is not None
    initial = ({"name": pl.name, "effective_from": pl.effective_from, "notes": pl.notes, "items": f.items_text(items)}
               if pl else {"effective_from": clock.now().astimezone(project.tz).date()})
    form = f.PriceListForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST" and not frozen:
        if form.is_valid():
            data = form.cleaned_data
            try:
                saved = actions.save_price_list_draft(
                    project=project, price_list=pl, name=data["name"], effective_from=data["effective_from"],
                    notes=data["notes"], items=data["items"], acting_user=_user(request), now=clock.now())
                messages.success(request, _("价目表草稿已保存"))
                return redirect("repairs:price_list", pk=saved.pk)
            except RepairError as exc:
                _error(request, exc)
                for name, msgs in exc.fields.items():
                    if name in form.fields:
                        for m in msgs:
                            form.add_error(name, m)
        else:
            messages.error(request, _("输入有误，请按提示修改"))
        status = 422
    return render(request, "repairs/price_list_form.html", {
        "project": project, "pl": pl, "form": form, "frozen": frozen, "items": items,
        "has_next": pl is not None and PriceList.objects.filter(previous=pl).exists(),
        "error_list": [str(e) for errs in form.errors.values() for e in errs] if form.is_bound else [],
    }, status=status)


# ---------------------------------------------------------------- materials requisitions (R-M8-12)


@login_required
def requisitions(request: HttpRequest) -> HttpResponse:
    """材料申购 (R-M8-12): the project's engineering staff ask for common and consumable materials,
    the 物业管理部 (管理处经理 / 综合管理部) agrees or not; each line shows what the project's repairs
    used of it in the last three months, so that stock is not excessive."""
    user = _user(request)
    projects = [p for p in access.visible_projects(user).order_by("code")
                if may_request_materials(user, p) or may_decide_requisition(user, p)]
    if not projects:
        raise Http404
    project = next((p for p in projects if str(p.pk) == (request.GET.get("project") or "")), None)
    if project is None:
        current = getattr(request, "project", None)
        project = next((p for p in projects if current is not None and p.pk == current.pk), projects[0])
    can_request, can_decide = may_request_materials(user, project), may_decide_requisition(user, project)
    form = f.RequisitionForm()
    if request.method == "POST" and request.POST.get("step") == "new" and can_request:
        form = f.RequisitionForm(request.POST)
        if form.is_valid():
            try:
                actions.request_materials(project=project, reason=form.cleaned_data["reason"], lines=form.lines(),
                                          acting_user=user, now=clock.now())
                messages.success(request, _("申购单已提交，等待物业管理部审批"))
                return redirect(f"{reverse('repairs:requisitions')}?project={project.pk}")
            except RepairError as exc:
                for key, msgs in exc.fields.items():
                    parts = key.split(".")  # "lines.<row>.<field>" → the row's field on the form
                    target = f"{parts[2]}_{parts[1]}" if len(parts) == 3 else key
                    for m in msgs:
                        form.add_error(target if target in form.fields else None, m)
                if not exc.fields:
                    form.add_error(None, exc.message)
        if form.errors:
            messages.error(request, _("申购单未提交，请按提示修改"))
    elif request.method == "POST" and request.POST.get("step") == "decide":
        req = get_object_or_404(MaterialRequisition, pk=request.POST.get("requisition") or 0, project=project)
        data = f.RequisitionDecisionForm(request.POST)
        try:
            note = data.cleaned_data["note"] if data.is_valid() else ""
            if not data.is_valid():
                raise RepairError(_("审批意见最多200个字"), field="note")
            actions.decide_requisition(requisition=req, approve=request.POST.get("approve") == "1", note=note,
                                       acting_user=user, now=clock.now())
            messages.success(request, _("已审批"))
        except RepairError as exc:
            _error(request, exc)
        return redirect(f"{reverse('repairs:requisitions')}?project={project.pk}")
    reqs = list(q.project_requisitions(project)[:100])
    used = q.recent_consumption(project, {ln.name for r in reqs for ln in r.lines.all()}, clock.now())
    rows = [{"r": r, "lines": [{"ln": ln, "used": used.get(ln.name)} for ln in r.lines.all()],
             "can_decide": can_decide and r.status == RequisitionStatus.REQUESTED and r.requested_by_id != user.pk}
            for r in reqs]
    return render(request, "repairs/requisitions.html", {
        "projects": projects, "project": project, "can_request": can_request, "form": form, "rows": rows,
        "decision_form": f.RequisitionDecisionForm(),
    })


@login_required
def duty_log(request: HttpRequest) -> HttpResponse:
    """值班记录表 (R-M8-15 (2)): the repairs and paid services the project received on a day, with who
    received each, when, the department sent to and the progress (filled from the intake records)."""
    user = _user(request)
    projects = [p for p in access.visible_projects(user).order_by("code")
                if access.has_cap(user, Cap.VIEW_TICKETS, p)]
    if not projects:
        raise Http404
    project = next((p for p in projects if str(p.pk) == (request.GET.get("project") or "")), None)
    if project is None:
        current = getattr(request, "project", None)
        project = next((p for p in projects if current is not None and p.pk == current.pk), projects[0])
    today = clock.now().astimezone(project.tz).date()
    raw = (request.GET.get("date") or "").strip()
    error = ""
    try:
        day = dt.date.fromisoformat(raw) if raw else today
    except ValueError:
        day, error = today, _("日期格式不正确，请按 年-月-日 填写")
    if not error and not (dt.date(2000, 1, 1) <= day <= today):
        day, error = today, _("日期须在2000-01-01至今天之间")
    orders = q.duty_log(user, project, day)
    return render(request, "repairs/duty_log.html", {
        "projects": projects, "project": project, "day": day, "error": error,
        "rows": [{"o": o, "dispatch": q.current_dispatch(o)} for o in orders],
    })
