"""The page step shared by the plans the 物业总经理 approves (the monthly visit plan, R-M9-10, and the annual
return-visit plan, R-M9-13): the decision form sent, the action called, the plan's page again on an error (beside
the field, at the top of the form and in the message)."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from apps.core.errors import DomainError
from apps.core.flash import flash_refusal
from apps.visits import access
from apps.visits.programme_forms import DecideForm
from linli import clock


def decide_step(request: HttpRequest, plan: Any, *, decide: Callable[..., Any], done: str,
                page: Callable[..., HttpResponse]) -> HttpResponse:
    """``decide`` is the plan's action (``actions.decide_plan`` or ``actions.decide_annual_plan``), ``done`` the
    URL name of the plan's page, ``page`` renders that page with the bound ``decide_form`` and a status."""
    form = DecideForm(request.POST)
    if form.is_valid():
        try:
            decide(plan=plan, approve=form.cleaned_data["decision"] == "approve", note=form.cleaned_data["note"],
                   acting_user=access.acting_user(request), now=clock.now())
        except DomainError as exc:
            flash_refusal(request, exc, form=form)
        else:
            messages.success(request, _("审批已保存"))
            return redirect(done, pk=plan.pk)
    return page(request, plan, decide_form=form, status=400)
