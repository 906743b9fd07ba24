"""Owner pages under /me/ (phone first: 360 px, large tap targets)."""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.core import files
from apps.core.lockout import client_address
from apps.notify import queries as notify_queries
from apps.owners import access, actions, policy, queries
from apps.owners.actions import OwnerError
from apps.owners.models import CommitteeMember, OwnerPhoto
from apps.portal.queries import board_items
from apps.repairs.models import RepairOrder
from apps.surveys.forms import AnswerForm
from apps.tickets.channels import published_channels
from apps.tickets.models import Category
from apps.workdays.keys import Kind
from linli import clock


def _errors(exc: OwnerError) -> dict[str, Any]:
    return {"error": exc.message, "field_errors": exc.fields or {}}


def sign_in(request: HttpRequest) -> HttpResponseBase:
    """Step 1 and 2 of the sign-in: the phone, then the code sent to it."""
    if request.user.is_authenticated:
        return access.staff_refused(request)
    if access.current_account(request) is not None:
        return redirect("owners:home")
    ctx: dict[str, Any] = {"phone": "", "step": "phone", "ttl": int(policy.code_ttl().total_seconds() // 60)}
    status = 200
    if request.method == "POST":
        phone = (request.POST.get("phone") or "").strip()
        ctx["phone"] = phone
        try:
            if request.POST.get("step") == "code":
                ctx["step"] = "code"
                account = actions.verify(phone=phone, code=request.POST.get("code") or "", now=clock.now())
                access.sign_in(request, account)
                return redirect("owners:home")
            actions.request_code(phone=phone, ip=client_address(request) or "", now=clock.now())
            ctx["step"] = "code"
            ctx["sent"] = True
        except OwnerError as exc:
            ctx.update(_errors(exc))
            status = 400 if exc.status < 500 else exc.status
    return render(request, "owners/sign_in.html", ctx, status=status)


@require_POST
def sign_out(request: HttpRequest) -> HttpResponseBase:
    if request.user.is_authenticated:
        return access.staff_refused(request)
    access.sign_out(request)
    return redirect("owners:sign_in")


@access.owner_required(household=False)
def choose(request: HttpRequest) -> HttpResponseBase:
    account = request.owner_account  # type: ignore[attr-defined]
    homes = list(queries.households_for_phone(account.phone))
    if request.method == "POST":
        chosen = queries.household_for_phone(account.phone, request.POST.get("household"))
        if chosen is None:
            raise Http404
        request.session[access.HOUSEHOLD_KEY] = chosen.pk
        return redirect("owners:home")
    return render(request, "owners/choose.html", {"homes": homes})


@access.owner_required()
def home(request: HttpRequest) -> HttpResponse:
    household = request.owner_household  # type: ignore[attr-defined]
    account = request.owner_account  # type: ignore[attr-defined]
    tickets = list(queries.tickets_for_household(household)[:5])
    many = queries.households_for_phone(account.phone).count() > 1
    committee = queries.committee_memberships(account.phone).exists()
    return render(request, "owners/home.html", {"household": household, "tickets": tickets, "many": many,
                                                "committee": committee,
                                                "channels": published_channels(household.project)})  # R-M1-01


@access.owner_required()
def members(request: HttpRequest) -> HttpResponse:
    household = request.owner_household  # type: ignore[attr-defined]
    account = request.owner_account  # type: ignore[attr-defined]
    ctx: dict[str, Any] = {"household": household, "form": {}}
    status = 200
    if request.method == "POST":
        now = clock.now()
        try:
            if request.POST.get("remove"):
                actions.remove_member(account=account, household=household, person_id=request.POST["remove"], now=now)
                messages.success(request, _("已移除"))
            else:
                ctx["form"] = request.POST
                actions.add_member(account=account, household=household, name=request.POST.get("name") or "",
                                   phone=request.POST.get("phone") or "", kind=request.POST.get("kind") or "",
                                   now=now)
                messages.success(request, _("已添加"))
            return redirect("owners:members")
        except OwnerError as exc:
            if exc.status == 404:
                raise Http404 from None
            ctx.update(_errors(exc))
            status = 400
    people = list(queries.members(household))
    ctx["people"] = [{"pk": p.pk, "name": p.name, "kind": p.get_kind_display(), "kind_code": p.kind,
                      "tail": p.phone[-4:] if p.phone else "", "me": p.phone == account.phone} for p in people]
    return render(request, "owners/members.html", ctx, status=status)


def _categories(household: Any) -> list[Category]:
    return list(Category.objects.filter(active=True, parent__isnull=True, company_id__in=[household.project.company_id])
                .order_by("sort", "id")) or list(Category.objects.filter(active=True, parent__isnull=True,
                                                                         company__isnull=True).order_by("sort", "id"))


def _parse_local(value: str, tz: Any) -> dt.datetime | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        naive = dt.datetime.fromisoformat(value)
    except ValueError:
        raise OwnerError("时间格式不正确", field="preferred_visit_at") from None
    return timezone.make_aware(naive, tz) if naive.tzinfo is None else naive


KIND_CHOICES = [(k, Kind(k).label) for k in queries.OWNER_KINDS]


@access.owner_required()
def new_request(request: HttpRequest) -> HttpResponse:
    household = request.owner_household  # type: ignore[attr-defined]
    account = request.owner_account  # type: ignore[attr-defined]
    ctx: dict[str, Any] = {"household": household, "kinds": KIND_CHOICES, "categories": _categories(household),
                           "form": {"kind": request.GET.get("kind") or "repair"}, "max_photos": policy.max_photos(),
                           "max_text": policy.max_text()}
    status = 200
    if request.method == "POST":
        ctx["form"] = request.POST
        try:
            ticket = actions.submit_request(
                account=account, household=household, kind=request.POST.get("kind") or "",
                content=request.POST.get("content") or "", category_id=request.POST.get("category") or None,
                preferred_visit_at=_parse_local(request.POST.get("preferred_visit_at") or "", household.project.tz),
                photos=request.FILES.getlist("photos"), now=clock.now())
        except OwnerError as exc:
            ctx.update(_errors(exc))
            status = 400
        else:
            return redirect("owners:submitted", pk=ticket.pk)
    return render(request, "owners/new_request.html", ctx, status=status)


def _ticket(request: HttpRequest, pk: int) -> Any:
    ticket = queries.ticket_for_household(request.owner_household, pk)  # type: ignore[attr-defined]
    if ticket is None:
        raise Http404
    return ticket


@access.owner_required()
def submitted(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = _ticket(request, pk)
    return render(request, "owners/submitted.html", {"ticket": ticket, "promised": queries.promised(ticket)})


@access.owner_required()
def request_list(request: HttpRequest) -> HttpResponse:
    household = request.owner_household  # type: ignore[attr-defined]
    return render(request, "owners/request_list.html",
                  {"household": household, "tickets": list(queries.tickets_for_household(household)[:100])})


@access.owner_required()
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = _ticket(request, pk)
    ctx: dict[str, Any] = {"ticket": ticket, "promised": queries.promised(ticket), "timeline": queries.timeline(ticket),
                           "open": ticket.status in actions.OPEN_STATUSES, "photos": list(ticket.owner_photos.all()),
                           "max_photos": policy.max_photos(), "may_rate": actions.may_rate(ticket),
                           "rated": ticket.return_visits.filter(completed_at__isnull=False).order_by("-cycle").first()}
    order = RepairOrder.objects.filter(ticket=ticket).first()
    ctx.update({"order": order, "may_confirm": actions.may_confirm(ticket)})
    status = 200
    if request.method == "POST" and request.POST.get("confirm") in ("fixed", "not_fixed"):
        fixed = request.POST["confirm"] == "fixed"
        try:
            actions.confirm_repair(account=request.owner_account, household=request.owner_household,  # type: ignore[attr-defined]
                                   ticket=ticket, fixed=fixed, reason=request.POST.get("reason") or "",
                                   now=clock.now())
        except OwnerError as exc:
            ctx.update(_errors(exc))
            ctx["reason"] = request.POST.get("reason") or ""
            status = 400
        else:
            messages.success(request, _("已确认维修完成") if fixed else _("已反馈，物业将尽快核实处理"))
            return redirect("owners:request", pk=ticket.pk)
    elif request.method == "POST" and request.POST.get("satisfaction") is not None:
        try:
            actions.rate_handling(account=request.owner_account, household=request.owner_household,  # type: ignore[attr-defined]
                                  ticket=ticket, satisfaction=request.POST.get("satisfaction") or "",
                                  attitude=request.POST.get("attitude") or "", words=request.POST.get("words") or "",
                                  now=clock.now())
        except OwnerError as exc:
            ctx.update(_errors(exc))
            ctx["words"] = request.POST.get("words") or ""
            status = 400
        else:
            messages.success(request, _("感谢您的评价"))
            return redirect("owners:request", pk=ticket.pk)
    elif request.method == "POST":
        try:
            actions.add_information(account=request.owner_account, household=request.owner_household,  # type: ignore[attr-defined]
                                    ticket=ticket, text=request.POST.get("text") or "",
                                    photos=request.FILES.getlist("photos"), now=clock.now())
        except OwnerError as exc:
            ctx.update(_errors(exc))
            ctx["text"] = request.POST.get("text") or ""
            status = 400
        else:
            messages.success(request, _("已补充"))
            return redirect("owners:request", pk=ticket.pk)
    return render(request, "owners/request_detail.html", ctx, status=status)


@access.owner_required()
def photo(request: HttpRequest, pk: int, photo_id: int) -> HttpResponseBase:
    ticket = _ticket(request, pk)
    row = OwnerPhoto.objects.filter(ticket=ticket, pk=photo_id).first()
    if row is None:
        raise Http404
    return files.serve(row.file, thumb=request.GET.get("thumb") == "1")


# ---------------------------------------------------------------- surveys, fees, IC cards (issue 19 items 4, 5)


@access.owner_required()
def survey_list(request: HttpRequest) -> HttpResponse:
    household = request.owner_household  # type: ignore[attr-defined]
    return render(request, "owners/survey_list.html", {"household": household, "rows": queries.surveys(household)})


@access.owner_required()
def survey_answer(request: HttpRequest, pk: int) -> HttpResponse:
    """Answer a questionnaire the household was sampled for, once (the same form as the one-time link)."""
    household = request.owner_household  # type: ignore[attr-defined]
    row = queries.survey_for_household(household, pk)
    if row is None:
        raise Http404
    q = row.survey.campaign.questionnaire
    form = AnswerForm(request.POST or None, items=list(q.items.all().order_by("order")), options=list(q.options.all()))
    ctx: dict[str, Any] = {"household": household, "row": row, "q": q, "form": form,
                           "answerable": any(r["id"] == row.pk and r["answerable"] for r in queries.surveys(household))}
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                actions.answer_survey(account=request.owner_account, household=household,  # type: ignore[attr-defined]
                                      response_id=row.pk, answers=form.answers(),
                                      comment=form.cleaned_data["comment"], now=clock.now())
            except OwnerError as exc:
                if exc.status == 404:
                    raise Http404 from None
                ctx.update(_errors(exc))
            else:
                messages.success(request, _("问卷已提交，感谢您的参与"))
                return redirect("owners:surveys")
        else:
            ctx["error"] = _("请检查下面标出的题目")
        status = 400
    return render(request, "owners/survey_answer.html", ctx, status=status)


@access.owner_required()
def sms_preferences(request: HttpRequest) -> HttpResponse:
    """短信通知设置 (issue 19 item 6): which SMS the owner wants."""
    household = request.owner_household  # type: ignore[attr-defined]
    account = request.owner_account  # type: ignore[attr-defined]
    ctx: dict[str, Any] = {"household": household}
    status = 200
    if request.method == "POST":
        try:
            actions.set_sms_preferences(account=account, enabled=request.POST.getlist("topics"), now=clock.now())
        except OwnerError as exc:
            ctx.update(_errors(exc))
            status = 400
        else:
            messages.success(request, _("短信通知设置已保存"))
            return redirect("owners:sms")
    ctx["topics"] = notify_queries.owner_sms_topics(account.phone)
    ctx["tail"] = account.phone[-4:]
    return render(request, "owners/sms.html", ctx, status=status)


@access.owner_required()
def fees(request: HttpRequest) -> HttpResponse:
    household = request.owner_household  # type: ignore[attr-defined]
    today = clock.now().astimezone(household.project.tz).date()
    return render(request, "owners/fees.html", {"household": household, "today": today,
                                                **queries.fees(household, today)})


@access.owner_required()
def cards(request: HttpRequest) -> HttpResponse:
    household = request.owner_household  # type: ignore[attr-defined]
    return render(request, "owners/cards.html", {"household": household, **queries.cards(household)})


# ---------------------------------------------------------------- owners' committee (issue 19 item 7, R-M1-13, AS-03)


def _member(request: HttpRequest) -> CommitteeMember:
    account = request.owner_account  # type: ignore[attr-defined]
    member = queries.committee_membership(account.phone, request.GET.get("project") or request.POST.get("project"))
    if member is None:
        raise Http404
    return member


COMMITTEE_KIND_CHOICES = [(k, Kind(k).label) for k in actions.COMMITTEE_KINDS]


@access.owner_required(household=False)
def committee(request: HttpRequest) -> HttpResponse:
    """业委会: forward an owner's 业主投诉意见记录表, follow the forwarded ones, read the board."""
    account = request.owner_account  # type: ignore[attr-defined]
    member = _member(request)
    ctx: dict[str, Any] = {"member": member, "kinds": COMMITTEE_KIND_CHOICES, "form": {"kind": "complaint"},
                           "projects": list(queries.committee_memberships(account.phone)),
                           "max_text": policy.max_text()}
    status = 200
    if request.method == "POST":
        ctx["form"] = request.POST
        try:
            filled = (request.POST.get("filled_on") or "").strip()
            try:
                filled_on = dt.date.fromisoformat(filled) if filled else None
            except ValueError:
                raise OwnerError("日期格式不正确", field="filled_on") from None
            ticket = actions.forward_committee_form(
                account=account, member=member, kind=request.POST.get("kind") or "",
                content=request.POST.get("content") or "",
                complainant_name=request.POST.get("complainant_name") or "",
                complainant_phone=request.POST.get("complainant_phone") or "", room=request.POST.get("room") or "",
                filled_on=filled_on, now=clock.now())
        except OwnerError as exc:
            if exc.status == 404:
                raise Http404 from None
            ctx.update(_errors(exc))
            status = 400
        else:
            messages.success(request, _("已转交物业管理处，请打印回执单交给业主"))
            return redirect("owners:committee_ticket", pk=ticket.pk)
    rows = list(queries.committee_tickets(member)[:100])
    ctx["rows"] = [{"t": t, "due": queries.reply_due(t)} for t in rows]
    ctx["board"] = list(board_items(member.project)[:5])
    return render(request, "owners/committee.html", ctx, status=status)


def _committee_ticket(request: HttpRequest, pk: int) -> tuple[CommitteeMember, Any]:
    member = _member(request)
    ticket = queries.committee_ticket(member, pk)
    if ticket is None:
        raise Http404
    return member, ticket


@access.owner_required(household=False)
def committee_ticket(request: HttpRequest, pk: int) -> HttpResponse:
    member, ticket = _committee_ticket(request, pk)
    return render(request, "owners/committee_ticket.html",
                  {"member": member, "ticket": ticket, "forward": ticket.committee_forward,
                   "due": queries.reply_due(ticket), "timeline": queries.timeline(ticket),
                   "promised": queries.promised(ticket)})


@access.owner_required(household=False)
def committee_receipt(request: HttpRequest, pk: int) -> HttpResponse:
    """投诉意见记录回执单 — printable, with the ticket number and the reply due time."""
    member, ticket = _committee_ticket(request, pk)
    return render(request, "owners/committee_receipt.html",
                  {"member": member, "ticket": ticket, "forward": ticket.committee_forward,
                   "due": queries.reply_due(ticket)})
