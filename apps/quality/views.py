"""Pages of the 《不合格/纠正、预防措施报告》 (thin: the rules are in actions.py). A report or ticket of a
project the user cannot see answers 404; a refused action re-shows the page with the Chinese message
and the action's HTTP status (403/409/422)."""
from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.views.decorators.http import require_POST

from apps.core.exports import render_pdf
from apps.estates import actions as estates_actions
from apps.org import access
from apps.org.roles import Cap
from apps.quality import access as ncr_access
from apps.quality import actions, queries
from apps.quality.forms import NcrActionsForm, NcrTextsForm, RaiseForm, ReturnForm, SignForm, VerifyForm, WithdrawForm
from apps.quality.models import NcrStatus, NonconformityReport
from apps.tickets.access import TicketNotFound, access_ticket, staff_user
from linli import clock

FORM_TITLE = "不合格/纠正、预防措施报告"


def _report(request: HttpRequest, pk: int) -> NonconformityReport:
    qs = ncr_access.visible_reports(request.user).select_related(
        "project", "ticket", "department", "raised_by", "signed_by", "verified_by")
    return get_object_or_404(qs, pk=pk)


def _ticket(request: HttpRequest, pk: int) -> Any:
    try:
        return access_ticket(request.user, pk)
    except TicketNotFound:
        raise Http404 from None


def _bind_error(form: Any, exc: actions.QualityError) -> None:
    if exc.field and exc.field in form.fields:
        form.add_error(exc.field, exc.message)
    else:
        form.add_error(None, exc.message)


@login_required
def ncr_list(request: HttpRequest) -> HttpResponse:
    """不合格报告 list: filter by status and project; a 管理者代表 sees the ones awaiting signature first."""
    if not ncr_access.may_use_ncr(request.user):
        raise Http404
    projects = list(access.visible_projects(request.user).order_by("code"))
    status = request.GET.get("status", "")
    if status not in NcrStatus.values:
        status = ""
    try:
        project_id = int(request.GET.get("project") or 0) or None
    except ValueError:
        project_id = None
    if project_id and project_id not in {p.pk for p in projects}:
        project_id = None
    reports = queries.list_for(request.user, status=status, project_id=project_id)[:200]
    return render(request, "quality/ncr_list.html", {
        "reports": reports, "projects": projects, "status": status, "project_id": project_id,
        "statuses": NcrStatus.choices, "signs": ncr_access.signs_somewhere(request.user),
    })


def _detail_context(request: HttpRequest, report: NonconformityReport, **bound: Any) -> dict[str, Any]:
    user, project = staff_user(request), report.project
    can_sign = access.has_cap(user, Cap.SIGN_NCR, project) and report.raised_by_id != user.pk  # own: no
    can_raise = actions.may_act_as_raiser(user, report)
    can_verify = access.has_cap(user, Cap.VERIFY_NCR, project)
    st = report.status
    texts = {f: getattr(report, f) for f in actions.TEXT_FIELDS}
    return {
        "r": report, "form_title": FORM_TITLE,
        "events": report.events.select_related("acting_user").order_by("at", "id"),
        "sign_form": bound.get("sign") or SignForm() if can_sign and st == NcrStatus.AWAITING_SIGNATURE else None,
        "return_form": (bound.get("return") or ReturnForm()
                        if can_sign and st == NcrStatus.AWAITING_SIGNATURE else None),
        "update_form": (bound.get("update") or _update_form_class(report)(initial=texts)
                        if can_raise and st in {NcrStatus.RETURNED, NcrStatus.SIGNED}
                        else None),
        "verify_form": bound.get("verify") or VerifyForm() if can_verify and st == NcrStatus.SIGNED else None,
        "awaiting_no_edit": can_raise and st == NcrStatus.AWAITING_SIGNATURE,
        "withdraw_form": (bound.get("withdraw") or WithdrawForm()
                          if actions.may_act_as_raiser(user, report, withdrawing=True)
                          and st in {NcrStatus.AWAITING_SIGNATURE, NcrStatus.RETURNED} else None),
    }


def _update_form_class(report: NonconformityReport) -> type:
    return NcrActionsForm if report.status == NcrStatus.SIGNED else NcrTextsForm


@login_required
def ncr_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    return render(request, "quality/ncr_detail.html", _detail_context(request, report))


OPS: dict[str, tuple[type, Any, str]] = {
    "sign": (SignForm, lambda r, d, u, n: actions.sign_ncr(report=r, opinion=d["opinion"], acting_user=u, now=n),
             "已签发，可以开始处理"),
    "return": (ReturnForm, lambda r, d, u, n: actions.return_ncr(report=r, reason=d["reason"], acting_user=u, now=n),
               "已退回补充"),
    "update": (NcrTextsForm, lambda r, d, u, n: actions.update_ncr(report=r, acting_user=u, now=n, **d),
               "已保存"),
    "verify": (VerifyForm, lambda r, d, u, n: actions.verify_ncr(report=r, note=d["note"], effective=d["effective"],
                                                               acting_user=u, now=n),
               "已记录验证结果"),
    "withdraw": (WithdrawForm, lambda r, d, u, n: actions.withdraw_ncr(report=r, reason=d["reason"], acting_user=u,
                                                                     now=n),
                 "已撤回"),
}


@login_required
@require_POST
def ncr_action(request: HttpRequest, pk: int, op: str) -> HttpResponse:
    if op not in OPS:
        raise Http404
    report = _report(request, pk)
    form_class, run, done = OPS[op]
    if op == "update":
        form_class = _update_form_class(report)
    form = form_class(request.POST)
    status = 422
    if form.is_valid():
        try:
            run(report, form.cleaned_data, request.user, clock.now())
        except actions.QualityError as exc:
            _bind_error(form, exc)
            messages.error(request, exc.message)
            status = exc.status
            report.refresh_from_db()
        else:
            messages.success(request, done)
            return redirect("quality:ncr_detail", pk=report.pk)
    return render(request, "quality/ncr_detail.html", _detail_context(request, report, **{op: form}), status=status)


@login_required
def ncr_raise(request: HttpRequest, ticket_pk: int) -> HttpResponse:
    """提出不合格报告 for one ticket (部门经理 → 管理者代表, R-M2-04)."""
    ticket = _ticket(request, ticket_pk)
    if not access.has_cap(request.user, Cap.RAISE_NCR, ticket.project):
        return render(request, "quality/ncr_raise.html",
                      {"ticket": ticket, "form": None, "denied": True}, status=403)
    status = 200
    if request.method == "POST":
        form = RaiseForm(request.POST, project=ticket.project)
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                report = actions.raise_ncr(ticket=ticket, acting_user=staff_user(request), now=clock.now(), **data)
            except actions.QualityError as exc:
                _bind_error(form, exc)
                status = exc.status
            else:
                messages.success(request, f"已提交 {report.number}，待管理者代表签发")
                return redirect("quality:ncr_detail", pk=report.pk)
        else:
            status = 422
    else:
        form = RaiseForm(project=ticket.project, initial={"department": ticket.department_id})
    return render(request, "quality/ncr_raise.html", {"ticket": ticket, "form": form}, status=status)


@login_required
def ncr_print(request: HttpRequest, pk: int) -> HttpResponse:
    """The printable paper form 《不合格/纠正、预防措施报告》 (SPEC §0.2); ``?format=pdf`` for a PDF."""
    report = _report(request, pk)
    t = report.ticket
    # issue 14 item 9 (R-M7-01): the owner's phone and the numbers in the texts masked unless the user holds
    # a grant; every print (page or PDF) is in the read log
    user: Any = request.user
    grant = estates_actions.print_grant(user, t.project)
    context = {"r": report, "t": t, "form_title": FORM_TITLE, "unmasked": grant is not None,
               "customer": "匿名" if t.anonymous else (f"{t.complainant_surname}（先生/女士）"
                                                      if t.complainant_surname else ""),
               "events": report.events.select_related("acting_user").order_by("at", "id")}
    if request.GET.get("format") == "pdf":
        response = HttpResponse(render_pdf(render_to_string("quality/ncr_print.html", {**context, "pdf": True})),
                                content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{report.number}.pdf"'
    else:
        response = render(request, "quality/ncr_print.html", context)
    estates_actions.log_print(user, t.project, grant=grant, rows=1, household=t.household, person=t.person,
                              screen=f"打印：不合格报告 {report.number}")
    return response
