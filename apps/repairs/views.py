"""Repair pages (thin: rules in services.py / measures.py). Phone first: the worker's list and the
work order page work at 360 px with large touch targets. A record of another project → 404."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.core.flash import flash_form_errors
from apps.org import access
from apps.org.models import Membership, Project, User
from apps.org.roles import Cap, Role
from apps.repairs import forms as f
from apps.repairs import measures as ms
from apps.repairs import services
from apps.repairs.models import SITE_CHECKLIST, PaymentStatus, PriceItemKind, Receipt, RepairOrder
from apps.repairs.services import RepairError
from apps.tickets.choices import TicketStatus as S
from apps.tickets.models import Category
from linli import clock


def _error(request: HttpRequest, exc: RepairError) -> None:
    detail = "；".join(m for msgs in exc.fields.values() for m in msgs if m not in exc.message)
    messages.error(request, f"{exc.message}{'（' + detail + '）' if detail else ''}")


class _InvalidForm(Exception):
    """A work-order step's form did not validate: its errors are shown and nothing is recorded."""

    def __init__(self, form: Any) -> None:
        super().__init__("invalid form")
        self.form = form


def _check(form: Any) -> None:
    if not form.is_valid():
        raise _InvalidForm(form)


def _order(request: HttpRequest, pk: int) -> RepairOrder:
    if not access.has_cap(request.user, Cap.VIEW_TICKETS):
        raise Http404
    return get_object_or_404(services.visible_orders(request.user).select_related(
        "ticket", "ticket__project", "ticket__category", "worker"), pk=pk)


@login_required
def order_list(request: HttpRequest) -> HttpResponse:
    """我的工单 (phone home of a worker): my open orders, the grab pool, and for dispatchers the
    repairs waiting for assignment."""
    user = request.user
    waiting = []
    projects = [p for p in access.visible_projects(user) if access.has_cap(user, Cap.DISPATCH, p)]
    if projects:
        waiting = list(services.visible_orders(user).filter(ticket__project__in=projects,
                                                            ticket__status__in=[S.RECEIVED, S.REOPENED])
                       .select_related("ticket", "ticket__category").order_by("-ticket__urgency",
                                                                              "ticket__received_at")[:50])
    return render(request, "repairs/order_list.html", {
        "mine": list(services.my_orders(user)[:100]), "pool": list(services.pool_orders(user)[:100]),
        "waiting": waiting, "cash_count": services.cash_on_hand(user).count(),
        "building": list(services.steward_orders(user)[:100]),  # R-M8-17: the steward's buildings
        "can_receive": any(access.has_cap(user, Cap.RECEIVE_TICKETS, p) for p in access.visible_projects(user)),
    })


def _repair_categories() -> list[Category]:
    return [c for c in Category.objects.filter(active=True, code__startswith="repair_").order_by("sort", "id")]


@login_required
def intake(request: HttpRequest) -> HttpResponse:
    """报修受理 (24小时报修电话, R-M8-02): classification, urgency, location, agreed visit time."""
    project: Project | None = getattr(request, "project", None)
    if project is None or not access.has_cap(request.user, Cap.RECEIVE_TICKETS, project):
        raise Http404
    categories = _repair_categories()
    form = f.IntakeForm(request.POST or None, categories=categories)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        category = next(c for c in categories if str(c.pk) == data["category"])
        try:
            order = services.receive_repair(
                project=project, category=category, kind=data["kind"], content=data["content"],
                location_kind=data["location_kind"],
                location=data["location"], urgency=data["urgency"] or None,
                complainant_surname=data["complainant_surname"], phone=data["phone"],
                agreed_visit_at=data["agreed_visit_at"], acting_user=request.user, now=clock.now())
            messages.success(request, _("已受理报修 %(n)s") % {"n": order.ticket.number})
            return redirect("repairs:order", pk=order.pk)
        except RepairError as exc:
            _error(request, exc)
    elif request.method == "POST":
        flash_form_errors(request, form)
    return render(request, "repairs/intake.html", {"form": form, "project": project})


def _price_items(order: RepairOrder) -> list[Any]:
    project = order.ticket.project
    pl = services.effective_price_list(project, clock.now().astimezone(project.tz).date())
    return list(pl.items.all()) if pl else []


@login_required
def order_detail(request: HttpRequest, pk: int) -> HttpResponse:
    order = _order(request, pk)
    ticket = order.ticket
    user = request.user
    items = _price_items(order)
    dispatch = services.current_dispatch(order)
    deadlines = {d.stage: d for d in ticket.deadlines.filter(cycle=ticket.cycle)}
    workers: list[User] = []
    if access.has_cap(user, Cap.DISPATCH, ticket.project):
        dept = dispatch.department if dispatch else services.repair_department(ticket.project, ticket.category)
        workers = services.department_workers(dept) if dept else []
    receipt = order.receipts.exclude(status=PaymentStatus.VOID).first()
    visit_ready = ticket.status == S.VERIFIED and access.has_cap(user, Cap.RETURN_VISIT, ticket.project)
    return render(request, "repairs/order_detail.html", {
        "order": order, "ticket": ticket, "dispatch": dispatch, "deadlines": deadlines, "now": clock.now(),
        "can_work": services.can_work(user, order), "workers": workers,
        "is_mine": dispatch is not None and dispatch.assignee_id == user.pk,
        "in_pool": dispatch is not None and dispatch.assignee_id is None and ticket.status == S.DISPATCHED,
        "service_items": [i for i in items], "materials": [i for i in items if i.kind == PriceItemKind.MATERIAL],
        "lines": list(order.charge_lines.all()), "consent": order.consent, "consent_ok": services.consent_valid(order),
        "receipt": receipt, "photos": list(order.photos.all()), "used": list(order.materials.select_related("item")),
        "next_visits": list(order.next_visits.all()), "ratings": list(order.ratings.all()),
        "diagnose_form": f.DiagnoseForm(initial={"diagnosis": order.diagnosis, "chargeable": bool(order.chargeable)}),
        "consent_form": f.ConsentForm(initial={"owner_name": ticket.complainant_surname}),
        "material_form": f.MaterialForm(materials=[i for i in items if i.kind == PriceItemKind.MATERIAL]),
        "photo_form": f.PhotoForm(), "complete_form": f.CompleteForm(), "next_form": f.NextVisitForm(),
        "sign_form": f.SignForm(initial={"quality_ok": True}), "refuse_form": f.RefuseForm(),
        "payment_form": f.PaymentForm(), "reason_form": f.ReasonForm(),
        "visit_form": f.ReturnVisitForm() if visit_ready else None,
        "same_day": services.same_local_day(ticket.project, ticket.received_at, clock.now()),
        "checklist": [{"key": k, "label": label, "rule": rule, "checked": bool((order.checklist or {}).get(k))}
                      for k, label, rule in SITE_CHECKLIST],
        "leaders": _leaders(ticket.project), "colleagues": _colleagues(order, user),
    })


def _leaders(project: Project) -> list[User]:
    """Who may consent to a wiring change (R-M8-11) or a shift hand-over (R-M8-10) in this project."""
    ids = Membership.objects.filter(project=project, role__in=[Role.DEPT_HEAD, Role.PROJECT_MANAGER,
                                                               Role.CS_SUPERVISOR, Role.CS_MANAGER])
    return list(User.objects.filter(pk__in=ids.values("user_id"), is_active=True).order_by("pk"))


def _colleagues(order: RepairOrder, user: User) -> list[User]:
    dispatch = services.current_dispatch(order)
    if dispatch is None:
        return []
    return [w for w in services.department_workers(dispatch.department) if w.pk != user.pk]


def _qty_items(request: HttpRequest, items: list[Any]) -> list[tuple[Any, Any]]:
    chosen = []
    for item in items:
        raw = (request.POST.get(f"qty_{item.pk}") or "").strip()
        if raw and raw not in {"0", "0.0", "0.00"}:
            chosen.append((item, raw))
    return chosen


@login_required
@require_POST
def order_action(request: HttpRequest, pk: int, op: str) -> HttpResponse:
    """Every button of the work order page: one service call each."""
    order = _order(request, pk)
    user, now = request.user, clock.now()
    post, files = request.POST, request.FILES
    done = _("已保存")
    try:
        if op == "accept":
            services.accept_order(order=order, acting_user=user, now=now)
            done = _("已接单")
        elif op == "assign":
            worker = get_object_or_404(User, pk=post.get("assignee"))
            reason = post.get("reason", "").strip()
            if services.current_dispatch(order) is not None and reason:
                services.transfer_order(order=order, to_user=worker, reason=reason, acting_user=user, now=now)
            else:
                services.assign_order(order=order, assignee=worker, acting_user=user, now=now)
            done = _("已派工")
        elif op == "hand_back":
            services.hand_back_order(order=order, reason=post.get("reason", ""), acting_user=user, now=now)
            messages.success(request, _("已退单"))
            return redirect("repairs:list")
        elif op == "arrive":
            services.record_arrival(order=order, acting_user=user, now=now)
            done = _("已登记到场")
        elif op == "diagnose":
            form = f.DiagnoseForm(post)
            _check(form)
            services.diagnose(order=order, diagnosis=form.cleaned_data["diagnosis"],
                              chargeable=form.cleaned_data["chargeable"],
                              items=_qty_items(request, _price_items(order)) if form.cleaned_data["chargeable"] else (),
                              acting_user=user, now=now)
        elif op == "consent":
            form = f.ConsentForm(post)
            _check(form)
            services.record_consent(order=order, agreed=form.cleaned_data["agreed"],
                                    owner_name=form.cleaned_data["owner_name"],
                                    explanation=form.cleaned_data["explanation"], acting_user=user, now=now)
        elif op == "start":
            services.start_work(order=order, acting_user=user, now=now)
            done = _("已开工")
        elif op == "material":
            form = f.MaterialForm(post, materials=[i for i in _price_items(order) if i.kind == PriceItemKind.MATERIAL])
            _check(form)
            services.add_material(order=order, item=int(form.cleaned_data["item"]),
                                  quantity=form.cleaned_data["quantity"], acting_user=user, now=now)
        elif op == "photo":
            form = f.PhotoForm(post, files)
            _check(form)
            services.add_photo(order=order, phase=form.cleaned_data["phase"], file=form.cleaned_data["file"],
                               acting_user=user, now=now)
            done = _("照片已上传")
        elif op == "complete":
            form = f.CompleteForm(post)
            _check(form)
            approver = User.objects.filter(pk=post.get("wiring_approved_by") or 0).first()
            services.complete_repair(order=order, result=form.cleaned_data["result"],
                                     labour_hours=form.cleaned_data["labour_hours"],
                                     late_explanation=form.cleaned_data["late_explanation"],
                                     checklist={k: post.get(f"check_{k}") == "on" for k in services.CHECKLIST_KEYS},
                                     wiring_changed=post.get("wiring_changed") == "on", wiring_approved_by=approver,
                                     acting_user=user, now=now)
            done = _("已完工，请业主签名验收")
        elif op == "next_visit":
            form = f.NextVisitForm(post)
            _check(form)
            services.agree_next_visit(order=order, agreed_at=form.cleaned_data["agreed_at"],
                                      reason=form.cleaned_data["reason"], acting_user=user, now=now)
            done = _("已约定再次上门")
        elif op == "sign":
            form = f.SignForm(post)
            _check(form)
            services.sign_acceptance(order=order, signature=form.cleaned_data["signature"],
                                     signed_name=form.cleaned_data["signed_name"],
                                     quality_ok=form.cleaned_data["quality_ok"], acting_user=user, now=now)
            done = _("业主已签名验收")
        elif op == "shift_handover":
            to_user = get_object_or_404(User, pk=post.get("to_user") or 0)
            leader = get_object_or_404(User, pk=post.get("consented_by") or 0)
            services.shift_handover(order=order, to_user=to_user, consented_by=leader, reason=post.get("reason", ""),
                                    acting_user=user, now=now)
            done = _("已交接班")
        elif op == "refuse":
            services.refuse_acceptance(order=order, reason=post.get("reason", ""), acting_user=user, now=now)
            done = _("已登记业主拒签")
        elif op == "receipt":
            receipt = services.issue_receipt(order=order, acting_user=user, now=now)
            done = _("已开具收据 %(n)s") % {"n": receipt.number}
        elif op == "pay":
            form = f.PaymentForm(post)
            receipt = get_object_or_404(Receipt, order=order, pk=post.get("receipt"))
            _check(form)
            services.record_payment(receipt=receipt, method=form.cleaned_data["method"],
                                    payer_name=form.cleaned_data["payer_name"], acting_user=user, now=now)
            done = _("已收款")
        elif op == "return_visit":
            form = f.ReturnVisitForm(post)
            _check(form)
            d = form.cleaned_data
            services.record_repair_return_visit(
                order=order, method=d["method"], reached=d["reached"], quality=d["quality"], attitude=d["attitude"],
                owner_words=d["owner_words"], working_well=d["working_well"] if d["reached"] else None,
                emergency_reason=d["emergency_reason"], give_up=d["give_up"], acting_user=user, now=now)
            done = _("回访已登记")
        else:
            raise Http404
        messages.success(request, done)
    except _InvalidForm as exc:
        flash_form_errors(request, exc.form)
    except RepairError as exc:
        _error(request, exc)
    return redirect("repairs:order", pk=order.pk)


@login_required
def signature(request: HttpRequest, pk: int) -> HttpResponse:
    order = _order(request, pk)
    if not order.signature:
        raise Http404
    return FileResponse(order.signature.open("rb"), content_type="image/png")


@login_required
def receipt(request: HttpRequest, pk: int) -> HttpResponse:
    """收据 (printable)."""
    r = get_object_or_404(Receipt.objects.filter(project__in=access.visible_projects(request.user))
                          .select_related("order__ticket", "project", "issued_by", "collected_by"), pk=pk)
    return render(request, "repairs/receipt.html", {"r": r, "lines": list(r.order.charge_lines.all())})


@login_required
def cash(request: HttpRequest) -> HttpResponse:
    """现金交接 (R-M8-08 g): the cash receipts I hold, handed to a cashier of the project."""
    user = request.user
    project: Project | None = getattr(request, "project", None)
    if project is None or not access.can_see_project(user, project):
        raise Http404
    held = list(services.cash_on_hand(user, project).select_related("order__ticket"))
    if request.method == "POST":
        ids = [int(x) for x in request.POST.getlist("receipts") if x.isdigit()]
        cashier = User.objects.filter(pk=request.POST.get("received_by") or 0).first()
        if cashier is None:
            messages.error(request, _("请选择收款人"))
        else:
            try:
                h = services.hand_over_cash(project=project, receipts=ids, amount=request.POST.get("amount", ""),
                                            received_by=cashier, acting_user=user, now=clock.now(),
                                            note=request.POST.get("note", ""))
                messages.success(request, _("已交接 ¥%(a)s") % {"a": h.amount})
                return redirect("repairs:cash")
            except RepairError as exc:
                _error(request, exc)
    people = (User.objects.filter(memberships__project=project, is_active=True).exclude(pk=user.pk).distinct()
              .order_by("display_name"))
    from apps.repairs.models import CashHandover

    history = CashHandover.objects.filter(project=project, handed_by=user).select_related("received_by")[:20]
    return render(request, "repairs/cash.html", {"held": held, "people": people, "history": history,
                                                 "total": sum((r.amount for r in held), Decimal("0.00"))})


def prices(request: HttpRequest, code: str) -> HttpResponse:
    """公示 (R-M8-16): the project's published price list — public, no login."""
    project = get_object_or_404(Project, code=code, active=True)
    today = clock.now().astimezone(project.tz).date()
    pl = services.effective_price_list(project, today)
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
    groups = {"month": ("month",), "department": ("month", "department"), "worker": ("month", "department", "worker")}
    group_by = groups.get(group, groups["department"])
    rows = ms.repair_measures(projects=access.visible_projects(request.user), start=start, end=end, as_of=clock.now(),
                              group_by=group_by)
    for row in rows:
        row["cells"] = [{**row[m], "percent": None if row[m]["rate"] is None else (row[m]["rate"] * 100).quantize(
            Decimal("0.1"))} for m in ms.MEASURES]
    return render(request, "repairs/measures.html", {
        "rows": rows, "group_by": group_by, "group": group, "from": start.strftime("%Y-%m"),
        "to": last.strftime("%Y-%m"),
        "measures": [{"code": m, "label": ms.LABELS[m], "definition": ms.DEFINITIONS[m], "target": ms.TARGETS[m]}
                     for m in ms.MEASURES],
    })
