"""Staff settings pages of the complaint pipeline kept by the company's administrators and 品质管理部:
有效投诉判定标准 (R-M1-18); and the 管理处's 投诉渠道公布 (R-M1-01). Every save goes through
:mod:`apps.tickets.actions`."""
from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from apps.org import access as org_access
from apps.org.models import Company, Project
from apps.org.roles import Cap
from apps.tickets import access, actions, channels, forms, queries
from apps.tickets.actions import TicketError
from apps.tickets.models import ValidityCriterion
from apps.tickets.views import _form_errors
from linli import clock


def _company(request: HttpRequest) -> Company:
    managed = access.managed_company_ids(request.user)
    if not managed:
        raise PermissionDenied
    wanted = request.GET.get("company") or request.POST.get("company")
    company_id = int(wanted) if wanted and wanted.isdigit() and int(wanted) in managed else managed[0]
    return Company.objects.get(pk=company_id)


def _page(request: HttpRequest, company: Company, *, new_form: Any = None, bound: tuple[int, Any] | None = None,
          status: int = 200) -> HttpResponse:
    rows = []
    for c in queries.validity_criteria(company.pk, active_only=False):
        form = bound[1] if bound is not None and bound[0] == c.pk else forms.ValidityCriterionForm(
            initial={"label": c.label, "valid": "yes" if c.valid else "no", "position": c.position, "active": c.active},
            prefix=f"c{c.pk}")
        rows.append({"criterion": c, "form": form, "open": bound is not None and bound[0] == c.pk})
    return render(request, "tickets/validity_criteria.html", {
        "company": company, "rows": rows, "new_form": new_form or forms.ValidityCriterionForm(),
        "companies": Company.objects.filter(pk__in=access.managed_company_ids(request.user)).order_by("id"),
    }, status=status)


@login_required
def validity_criteria(request: HttpRequest) -> HttpResponse:
    """有效投诉判定标准: list and add (R-M1-18)."""
    company = _company(request)
    if request.method != "POST":
        return _page(request, company)
    form = forms.ValidityCriterionForm(request.POST)
    if not form.is_valid():
        return _page(request, company, new_form=form, status=422)
    try:
        with transaction.atomic():
            actions.save_validity_criterion(company=company, **_values(form), acting_user=access.staff_user(request),
                                            now=clock.now())
    except TicketError as exc:
        _form_errors(form, exc)
        return _page(request, company, new_form=form, status=exc.status)
    messages.success(request, _("已新增判定标准"))
    return redirect(f"{request.path}?company={company.pk}")


@login_required
def validity_criterion_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change or retire one criterion (POST only; the form sits on the list page)."""
    row = get_object_or_404(ValidityCriterion, pk=pk, company_id__in=access.managed_company_ids(request.user))
    if request.method != "POST":
        return redirect(f"/tickets/settings/validity-criteria/?company={row.company_id}")
    form = forms.ValidityCriterionForm(request.POST, prefix=f"c{row.pk}")
    if not form.is_valid():
        return _page(request, row.company, bound=(row.pk, form), status=422)
    try:
        with transaction.atomic():
            actions.save_validity_criterion(company=row.company, criterion=row, **_values(form),
                                            acting_user=access.staff_user(request), now=clock.now())
    except TicketError as exc:
        _form_errors(form, exc)
        return _page(request, row.company, bound=(row.pk, form), status=exc.status)
    messages.success(request, _("已保存判定标准"))
    return redirect(f"/tickets/settings/validity-criteria/?company={row.company_id}")


def _values(form: Any) -> dict[str, Any]:
    d = form.cleaned_data
    return {"label": d["label"], "valid": d["valid"], "position": d.get("position") or 0, "active": d["active"]}


# ---------------------------------------------------------------- 投诉渠道公布 (R-M1-01)


def _channel_projects(request: HttpRequest) -> tuple[list[Any], Any]:
    """The projects whose channels this user sees, and those where they may record a publication (the
    管理处's routing staff)."""
    user = request.user
    seen = [p for p in org_access.visible_projects(user).filter(active=True).order_by("code", "pk")
            if org_access.has_cap(user, Cap.VIEW_TICKETS, p)]
    may = [p.pk for p in seen if org_access.has_cap(user, Cap.DISPATCH, p)]
    return seen, Project.objects.filter(pk__in=may).order_by("code", "pk")


@login_required
def channel_publications(request: HttpRequest) -> HttpResponse:
    """投诉渠道公布: per project the channels published (value, date, where posted) and those still
    missing; the 管理处 records a publication here (R-M1-01)."""
    seen, recordable = _channel_projects(request)
    if not seen:
        raise PermissionDenied
    current = getattr(request, "project", None)
    initial = {"project": current.pk} if current is not None and current.pk in {p.pk for p in recordable} else {}
    form = forms.ChannelPublicationForm(projects=recordable, initial=initial)
    status = 200
    if request.method == "POST":
        form = forms.ChannelPublicationForm(request.POST, projects=recordable)
        status = 422
        if form.is_valid():
            d = form.cleaned_data
            try:
                with transaction.atomic():
                    actions.record_channel_publication(
                        project=d["project"], kind=d["kind"], value=d["value"], published_on=d["published_on"],
                        where_posted=d["where_posted"], acting_user=access.staff_user(request), now=clock.now())
            except TicketError as exc:
                _form_errors(form, exc)
                status = exc.status
            else:
                messages.success(request, _("已登记投诉渠道公布"))
                return redirect("tickets:channel_publications")
    return render(request, "tickets/channel_publications.html", {
        "rows": channels.overview(seen), "form": form if recordable.exists() else None,
    }, status=status)
