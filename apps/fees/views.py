"""Fee pages for the 收银员 and the CS managers (thin: rules in actions, reads in queries).

- ``/fees/``: the project's arrears ageing, today's receipts, pending hand-overs; find a household;
- ``/fees/households/<pk>/``: the household's account and the payment form (the cashier's page);
- ``/fees/payments/<pk>/``: a receipt, its PDF (``?format=pdf``), void/refund by reversal;
- ``/fees/arrears/`` (+ Excel), ``/fees/reconciliation/`` (+ Excel for the finance system);
- ``/fees/standards/``, ``/fees/cycles/``, ``/fees/charges/new/``, ``/fees/settings/``, ``/fees/import/``,
  ``/fees/handovers/``, ``/fees/publish/``.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Sum
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from apps.core.api_errors import ApiError
from apps.core.errors import DomainError
from apps.core.exports import render_pdf, xlsx_response
from apps.estates.models import Household
from apps.fees import access, actions, queries
from apps.fees.forms import (
    AnswerForm,
    ChargeForm,
    CycleForm,
    HandoverForm,
    ImportForm,
    InquiryForm,
    PaymentForm,
    PriceChargeForm,
    PublishForm,
    ReverseForm,
    SettingsForm,
    StandardForm,
    TransferForm,
    bind_error,
)
from apps.fees.models import (
    Bill,
    BillingCycle,
    BillStatus,
    Channel,
    FeeInquiry,
    FeeStandard,
    Payment,
    PaymentKind,
    TransferCheck,
)
from apps.org.models import Project, User
from linli import clock


def _project(request: HttpRequest) -> tuple[Project, list[Project]]:
    projects = list(access.fee_projects(request.user))
    if not projects:
        raise PermissionDenied
    wanted = request.GET.get("project") or request.POST.get("project") or ""
    current = getattr(request, "project", None)
    for p in projects:
        if str(p.pk) == wanted:
            return p, projects
    for p in projects:
        if current is not None and p.pk == current.pk:
            return p, projects
    return projects[0], projects


def _today(project: Project) -> dt.date:
    return clock.now().astimezone(project.tz).date()


@login_required
def home(request: HttpRequest) -> HttpResponse:
    project, projects = _project(request)
    today = _today(project)
    label = (request.GET.get("q") or "").strip()
    found = list(Household.objects.filter(project=project, label__icontains=label).order_by("label")[:20]) if label else []
    pending = (Payment.objects.filter(project=project, handovers__isnull=True, kind=PaymentKind.PAYMENT)
               .exclude(channel=Channel.COUNTER).select_related("household", "collected_by"))
    return render(request, "fees/home.html", {
        "project": project, "projects": projects, "ageing": queries.arrears_ageing([project], today),
        "buckets": queries.AGE_BUCKETS, "q": label, "found": found, "pending": pending, "now": clock.now(),
        "today_total": Payment.objects.filter(project=project, business_date=today).aggregate(s=Sum("amount"))["s"],
        "can_manage": access.can_manage(request.user, project), "is_cashier": access.is_cashier(request.user, project),
    })


def _household(request: HttpRequest, pk: int) -> Household:
    household = Household.objects.select_related("project").filter(pk=pk).first()
    if household is None or not access.can_view(request.user, household.project):
        raise Http404
    return household


@login_required
def household_account(request: HttpRequest, pk: int) -> HttpResponse:
    """The household's bills and receipts; the cashier records a payment here."""
    household = _household(request, pk)
    project = household.project
    bills = list(queries.bills_of_household(household.pk))
    unpaid = [b for b in bills if b.status != BillStatus.PAID]
    form = PaymentForm(request.POST or None, bills=unpaid)
    can_collect = access.can_collect(request.user, project)
    if request.method == "POST":
        if not can_collect:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data

            def produce() -> dict[str, Any]:
                p = actions.record_payment(
                    project=project, household=household, amount=data["amount"], method=data["method"],
                    channel=data["channel"], bill_ids=[int(x) for x in data["bill_ids"]] or None,
                    prepayment=data["prepayment"], receipt_no=data["receipt_no"], payer=data["payer"],
                    acting_user=access.acting_user(request), now=clock.now())
                return {"id": p.pk, "number": p.number}

            try:
                made = produce()
            except DomainError as exc:
                bind_error(form, exc)
            except ApiError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("已收款，收据号 %(n)s") % {"n": made["number"]})
                return redirect("fees:payment", pk=made["id"])
    payments = list(queries.payments_of_household(household.pk).select_related("collected_by"))
    return render(request, "fees/account.html", {
        "household": household, "project": project, "bills": bills, "payments": payments, "form": form,
        "can_collect": can_collect, "outstanding": sum((b.outstanding for b in unpaid), 0),
        "prepaid": queries.prepaid_balance(household.pk),
        "applications": household.prepaid_applications.select_related("bill", "applied_by").order_by("-applied_at", "-id"),
    }, status=400 if request.method == "POST" else 200)


@login_required
def apply_prepaid(request: HttpRequest, pk: int) -> HttpResponse:
    """预交冲抵: the household's prepaid balance settles its open bills, oldest first (POST only)."""
    household = _household(request, pk)
    if request.method != "POST":
        return redirect("fees:account", pk=household.pk)
    if not (access.can_collect(request.user, household.project) or access.can_manage(request.user, household.project)):
        raise PermissionDenied
    try:
        result = actions.apply_prepaid(project=household.project, household=household,
                                       acting_user=access.acting_user(request), now=clock.now())
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已用预交款冲抵 %(n)s 张账单，共 %(a)s 元") % {"n": result.bills, "a": result.applied})
    return redirect("fees:account", pk=household.pk)


def _payment(request: HttpRequest, pk: int) -> Payment:
    p = (Payment.objects.select_related("project", "household", "collected_by", "reverses", "series")
         .prefetch_related("allocations__bill", "reversals").filter(pk=pk).first())
    if p is None or not access.can_view(request.user, p.project):
        raise Http404
    return p


@login_required
def payment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    payment = _payment(request, pk)
    if request.GET.get("format") == "pdf":
        html = render_to_string("fees/receipt_pdf.html", {"p": payment, "project": payment.project})
        response = HttpResponse(render_pdf(html), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="receipt-{payment.number}.pdf"'
        return response
    form = ReverseForm(request.POST or None)
    can_reverse = access.can_reverse(request.user, payment.project) and payment.kind == PaymentKind.PAYMENT
    if request.method == "POST":
        if form.is_valid():
            try:
                rev = actions.reverse_payment(payment=payment, kind=form.cleaned_data["kind"],
                                              amount=form.cleaned_data["amount"], reason=form.cleaned_data["reason"],
                                              acting_user=access.acting_user(request), now=clock.now())
            except DomainError as exc:
                bind_error(form, exc)
            else:
                messages.success(request, _("已冲销，红字收据 %(n)s") % {"n": rev.number})
                return redirect("fees:payment", pk=rev.pk)
    return render(request, "fees/payment.html", {"p": payment, "form": form, "can_reverse": can_reverse},
                  status=400 if request.method == "POST" else 200)


ARREARS_HEADERS = ["项目", "房号", "最早到期日", "欠费合计", "逾期1–30天", "逾期31–90天", "逾期91–180天",
                   "逾期181–365天", "逾期一年以上"]


@login_required
def arrears(request: HttpRequest) -> HttpResponse | FileResponse:
    """欠费账龄 per household (one grouped query); ``?format=xlsx`` exports it."""
    project, projects = _project(request)
    today = _today(project)
    rows = queries.arrears_by_household([project], today)
    if request.GET.get("format") == "xlsx":
        return xlsx_response("欠费明细.xlsx", ARREARS_HEADERS, (
            [r["project__name"], r["household__label"], r["oldest_due"], r["total"], r["d1_30"], r["d31_90"],
             r["d91_180"], r["d181_365"], r["over_365"]] for r in rows.iterator()), sheet="欠费明细", title="欠费明细")
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(request, "fees/arrears.html", {"project": project, "projects": projects, "page": page,
                                                 "ageing": queries.arrears_ageing([project], today),
                                                 "buckets": queries.AGE_BUCKETS, "today": today})


RECON_HEADERS = ["营业日", "项目", "收款人", "收据张数", "起始收据号", "截止收据号", "收款", "冲销", "收据合计", "入账合计", "是否平衡"]


@login_required
def reconciliation(request: HttpRequest) -> HttpResponse | FileResponse:
    """收款对账 per collector and day, with the Excel export for the finance system."""
    project, projects = _project(request)
    today = _today(project)
    try:
        date_from = dt.date.fromisoformat(request.GET.get("from") or today.replace(day=1).isoformat())
        date_to = dt.date.fromisoformat(request.GET.get("to") or today.isoformat())
    except ValueError:
        messages.error(request, _("日期格式应为 YYYY-MM-DD"))
        date_from, date_to = today.replace(day=1), today
    if date_to < date_from or (date_to - date_from).days > 366:
        messages.error(request, _("日期范围不正确（最长一年）"))
        date_from, date_to = today.replace(day=1), today
    rows = queries.reconciliation([project], date_from, date_to)
    if request.GET.get("format") == "xlsx":
        return xlsx_response("收款对账表.xlsx", RECON_HEADERS, (
            [r["day"], r["project"], r["collector"], r["receipts"], r["first"], r["last"], r["payments"],
             r["reversals"], r["total"], r["accounted"], "是" if r["balanced"] else "否"] for r in rows),
            sheet="收款对账表", title="收款对账表")
    return render(request, "fees/reconciliation.html", {
        "project": project, "projects": projects, "rows": rows, "date_from": date_from, "date_to": date_to,
        "gaps": queries.receipt_gaps(project)})


def _form_page(request: HttpRequest, *, title: str, form: Any, project: Project, run: Callable[[dict[str, Any]], str],
               done: str, extra: dict[str, Any] | None = None, allowed: bool = True) -> HttpResponse:
    """A one-form page: GET shows it; a valid POST runs the action; a refusal is shown beside its field."""
    if request.method == "POST":
        if not allowed:
            raise PermissionDenied
        if form.is_valid():
            try:
                message = run(form.cleaned_data)
            except DomainError as exc:
                bind_error(form, exc)
            else:
                messages.success(request, message)
                return redirect(f"{done}?project={project.pk}")
    return render(request, "fees/form.html", {"title": title, "form": form, "project": project,
                                              "allowed": allowed, **(extra or {})},
                  status=400 if request.method == "POST" else 200)


@login_required
def standards(request: HttpRequest) -> HttpResponse:
    project, _projects = _project(request)
    form = StandardForm(request.POST or None)

    def run(d: dict[str, Any]) -> str:
        s = actions.add_standard(project=project, acting_user=access.acting_user(request), now=clock.now(), **d)
        return _("收费标准已登记，自 %(d)s 起生效") % {"d": s.valid_from}

    return _form_page(request, title=_("收费标准"), form=form, project=project, run=run, done=reverse("fees:standards"),
                      allowed=access.can_manage(request.user, project),
                      extra={"standards": FeeStandard.objects.filter(project=project)})


@login_required
def cycles(request: HttpRequest) -> HttpResponse:
    project, _projects = _project(request)
    form = CycleForm(request.POST or None)

    def run(d: dict[str, Any]) -> str:
        c = actions.generate_cycle(project=project, period_start=d["period_start"],
                                   discount_rate=d.get("discount_rate") or 0, discount_ref=d.get("discount_ref", ""),
                                   acting_user=access.acting_user(request), now=clock.now())
        return _("已生成 %(label)s 账单 %(n)s 张，合计 %(t)s 元") % {"label": c.label, "n": c.bill_count, "t": c.total}

    return _form_page(request, title=_("生成账期账单"), form=form, project=project, run=run, done=reverse("fees:cycles"),
                      allowed=access.can_manage(request.user, project),
                      extra={"cycles": BillingCycle.objects.filter(project=project)})


@login_required
def charge_new(request: HttpRequest) -> HttpResponse:
    project, _projects = _project(request)
    form = ChargeForm(request.POST or None)

    def run(d: dict[str, Any]) -> str:
        household = Household.objects.filter(project=project, label=d["household"].strip()).first()
        if household is None:
            raise actions.FeeError(_("该项目没有这个房号"), field="household")
        b = actions.add_charge(project=project, household=household, kind=d["kind"], description=d["description"],
                               amount=d["amount"], due_date=d["due_date"], acting_user=access.acting_user(request),
                               now=clock.now())
        return _("已登记 %(h)s %(d)s %(a)s 元") % {"h": household.label, "d": b.description, "a": b.amount}

    return _form_page(request, title=_("登记其他收费"), form=form, project=project, run=run, done=reverse("fees:home"),
                      allowed=access.can_manage(request.user, project) or access.can_collect(request.user, project))


@login_required
def price_charge(request: HttpRequest) -> HttpResponse:
    """有偿服务收费 from the project's published price list (R-M16-10/-11): only quantities are typed."""
    project, _projects = _project(request)
    items = queries.price_list_items(project, clock.now())
    form = PriceChargeForm(request.POST or None, items=items)

    def run(d: dict[str, Any]) -> str:
        household = Household.objects.filter(project=project, label=d["household"].strip()).first()
        if household is None:
            raise actions.FeeError(_("该项目没有这个房号"), field="household")
        b = actions.charge_from_price_list(project=project, household=household, lines=form.lines(),
                                           due_date=d["due_date"], note=d["note"],
                                           acting_user=access.acting_user(request), now=clock.now())
        return _("已登记 %(h)s %(d)s %(a)s 元") % {"h": household.label, "d": b.description, "a": b.amount}

    return _form_page(request, title=_("按价目表收费"), form=form, project=project, run=run,
                      done=reverse("fees:home"),
                      allowed=access.can_manage(request.user, project) or access.can_collect(request.user, project),
                      extra={"no_price_list": not items})


@login_required
def fee_settings(request: HttpRequest) -> HttpResponse:
    project, _projects = _project(request)
    conf = queries.settings_of(project)
    form = SettingsForm(request.POST or None, initial={
        "cycle_months": conf.cycle_months, "due_days": conf.due_days, "reminder_day": conf.reminder_day,
        "arrears_steps": conf.arrears_steps, "receipt_series": conf.receipt_series})

    def run(d: dict[str, Any]) -> str:
        actions.save_settings(project=project, acting_user=access.acting_user(request), now=clock.now(), **d)
        return _("收费设置已保存")

    return _form_page(request, title=_("收费设置"), form=form, project=project, run=run, done=reverse("fees:settings"),
                      allowed=access.can_manage(request.user, project))


@login_required
def import_opening(request: HttpRequest) -> HttpResponse:
    project, _projects = _project(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    errors: list[str] = []

    def run(d: dict[str, Any]) -> str:
        result = actions.import_opening_balances(project=project, file=d["file"], acting_user=access.acting_user(request),
                                                 now=clock.now())
        if result.errors:
            errors.extend(result.errors)
            raise actions.FeeError(_("导入未完成：有 %(n)s 行错误，未写入任何数据") % {"n": len(result.errors)},
                                   field="file")
        return _("已导入期初欠费 %(n)s 户，合计 %(t)s 元") % {"n": result.created, "t": result.total}

    response = _form_page(request, title=_("导入期初欠费"), form=form, project=project, run=run,
                          done=reverse("fees:home"), allowed=access.can_manage(request.user, project),
                          extra={"row_errors": errors})
    return response


@login_required
def handovers(request: HttpRequest) -> HttpResponse:
    """代收款交接: the cashier takes over one collector's out-of-hours / door-to-door receipts."""
    project, _projects = _project(request)
    pending = list(Payment.objects.filter(project=project, handovers__isnull=True, kind=PaymentKind.PAYMENT)
                   .exclude(channel=Channel.COUNTER).select_related("household", "collected_by"))
    form = HandoverForm(request.POST or None, payments=pending)

    def run(d: dict[str, Any]) -> str:
        chosen = [p for p in pending if str(p.pk) in d["payment_ids"]]
        collectors = {p.collected_by_id for p in chosen}
        if len(collectors) != 1:
            raise actions.FeeError(_("一次交接只能选择同一位交款人的收据"), field="payment_ids")
        h = actions.hand_over(project=project, collector=User.objects.get(pk=collectors.pop()), payments=chosen,
                              amount=d["amount"], acting_user=access.acting_user(request), now=clock.now())
        return _("已接收代收款 %(a)s 元") % {"a": h.amount}

    return _form_page(request, title=_("代收款交接"), form=form, project=project, run=run,
                      done=reverse("fees:handovers"), allowed=access.is_cashier(request.user, project),
                      extra={"now": clock.now()})


@login_required
def publish(request: HttpRequest) -> HttpResponse:
    project, _projects = _project(request)
    form = PublishForm(request.POST or None)

    def run(d: dict[str, Any]) -> str:
        actions.publish_half_year(project=project, year=d["year"], half=d["half"],
                                  acting_user=access.acting_user(request), now=clock.now())
        return _("收费情况已公示到业主公告栏")

    return _form_page(request, title=_("半年收费公示"), form=form, project=project, run=run, done=reverse("fees:home"),
                      allowed=access.can_manage(request.user, project))


@login_required
def bills(request: HttpRequest) -> HttpResponse:
    project, projects = _project(request)
    qs = Bill.objects.filter(project=project).select_related("household").order_by("-due_date", "household__label")
    status = request.GET.get("status", "")
    if status in BillStatus.values:
        qs = qs.filter(status=status)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "fees/bills.html", {"project": project, "projects": projects, "page": page,
                                               "status": status, "statuses": BillStatus.choices})


@login_required
def transfers(request: HttpRequest) -> HttpResponse:
    """过户费用核查 (R-M16-09): a transfer is held with a warning while the house owes fees."""
    project, _projects = _project(request)
    form = TransferForm(request.POST or None)

    def run(d: dict[str, Any]) -> str:
        household = Household.objects.filter(project=project, label=d["household"].strip()).first()
        if household is None:
            raise actions.FeeError(_("该项目没有这个房号"), field="household")
        t = actions.record_transfer(project=project, household=household, old_owner=d["old_owner"],
                                    new_owner=d["new_owner"], proceed_with_arrears=d["proceed_with_arrears"],
                                    reason=d["reason"], acting_user=access.acting_user(request), now=clock.now())
        if t.cleared:
            return _("已登记过户：%(h)s 费用已结清") % {"h": household.label}
        return _("已登记过户：%(h)s 尚欠 %(a)s 元，经确认继续办理") % {"h": household.label, "a": t.outstanding}

    return _form_page(request, title=_("过户费用核查"), form=form, project=project, run=run,
                      done=reverse("fees:transfers"), allowed=access.can_view(request.user, project),
                      extra={"transfers": TransferCheck.objects.filter(project=project)
                             .select_related("household", "recorded_by", "acknowledged_by")[:50]})


@login_required
def inquiries(request: HttpRequest) -> HttpResponse:
    """收费咨询 (R-M16-03): the front desk records an owner's question and its answer with the time."""
    project, _projects = _project(request)
    answering = request.method == "POST" and "answer" in request.POST
    form = InquiryForm(None if answering else (request.POST or None))
    answer_form = AnswerForm(request.POST if answering else None)
    if answering:
        if not access.can_view(request.user, project):
            raise PermissionDenied
        if answer_form.is_valid():
            inquiry = FeeInquiry.objects.filter(pk=answer_form.cleaned_data["inquiry"], project=project).first()
            if inquiry is None:
                raise Http404
            try:
                actions.answer_inquiry(inquiry=inquiry, answer=answer_form.cleaned_data["answer"],
                                       acting_user=access.acting_user(request), now=clock.now())
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("已答复"))
                return redirect(f"{reverse('fees:inquiries')}?project={project.pk}")
        else:
            messages.error(request, _("请填写答复内容"))

    def run(d: dict[str, Any]) -> str:
        household = None
        if d["household"].strip():
            household = Household.objects.filter(project=project, label=d["household"].strip()).first()
            if household is None:
                raise actions.FeeError(_("该项目没有这个房号"), field="household")
        actions.record_inquiry(project=project, household=household, asker=d["asker"], question=d["question"],
                               acting_user=access.acting_user(request), now=clock.now())
        return _("已登记收费咨询")

    if answering:
        request.method = "GET"  # show the page with the answer error; the record form is not submitted
    return _form_page(request, title=_("收费咨询"), form=form, project=project, run=run,
                      done=reverse("fees:inquiries"), allowed=access.can_view(request.user, project),
                      extra={"inquiries": FeeInquiry.objects.filter(project=project)
                             .select_related("household", "received_by", "answered_by")[:50]})
