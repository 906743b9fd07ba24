"""Improvement-plan pages (/improvement/): the plans, one plan with its rows, progress, meetings and
the effect on the linked survey items."""
from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from apps.core.errors import DomainError
from apps.improvement import access, actions, queries
from apps.improvement.forms import ActionForm, MeetingForm, PlanForm, ProgressForm
from apps.improvement.models import ImprovementPlan, PlanAction
from apps.org.access import visible_projects
from apps.org.models import Company, User
from apps.surveys.views import refuse_into
from linli import clock


def _user(request: HttpRequest) -> User:
    if not isinstance(request.user, User):
        raise PermissionDenied
    return request.user


def _companies(request: HttpRequest) -> list[int]:
    return sorted({p.company_id for p in visible_projects(request.user)})


@login_required
def index(request: HttpRequest) -> HttpResponse:
    if not access.can_view(request.user):
        raise PermissionDenied
    companies = _companies(request)
    if request.method == "POST" and not access.can_manage(request.user):
        raise PermissionDenied
    form = PlanForm(request.POST or None, initial={"year": clock.local(clock.now()).year, "kind": "line"})
    if request.method == "POST" and form.is_valid() and companies:
        d = form.cleaned_data
        try:
            plan = actions.create_plan(company=Company.objects.get(pk=companies[0]), year=d["year"], kind=d["kind"],
                                       line=d["line"], title=d["title"], acting_user=_user(request), now=clock.now())
        except DomainError as exc:
            refuse_into(request, form, exc)
        else:
            return redirect("improvement:plan", pk=plan.pk)
    return render(request, "improvement/index.html", {"plans": queries.plans(companies), "form": form,
                                                      "can_manage": access.can_manage(request.user)},
                  status=400 if request.method == "POST" else 200)


@login_required
def plan(request: HttpRequest, pk: int) -> HttpResponse:
    if not access.can_view(request.user):
        raise PermissionDenied
    p = ImprovementPlan.objects.filter(pk=pk, company_id__in=_companies(request)).first()
    if p is None:
        raise Http404
    form = ActionForm(None, company_id=p.company_id)
    meeting_form = MeetingForm()
    if request.method == "POST":
        if not access.can_manage(request.user):
            raise PermissionDenied
        op = request.POST.get("op")
        user, now = _user(request), clock.now()
        target: Any = None
        try:
            if op == "action":
                target = form = ActionForm(request.POST, company_id=p.company_id)
                if form.is_valid():
                    d = form.cleaned_data
                    actions.add_action(plan=p, item=d["item"], causes=d["causes"], summary=d["summary"],
                                       support=d["support"], stage=d["stage"], action_strategy=d["action_strategy"],
                                       department=d["department"], due_on=d["due_on"], responsible=d["responsible"],
                                       strategy=d["item"] if p.kind == "lifecycle" else "",
                                       survey_items=form.codes(), complaint_categories=list(d["complaint_categories"]),
                                       acting_user=user, now=now)
                    return redirect("improvement:plan", pk=p.pk)
            elif op == "progress":
                row = PlanAction.objects.filter(plan=p, pk=request.POST.get("action") or 0).first()
                if row is None:
                    raise Http404
                target = ProgressForm(request.POST)
                if target.is_valid():
                    actions.update_action(action=row, acting_user=user, now=now, **target.cleaned_data)
                    return redirect("improvement:plan", pk=p.pk)
                messages.error(request, "；".join(str(e) for errs in target.errors.values() for e in errs))
            elif op == "meeting":
                target = meeting_form = MeetingForm(request.POST)
                if meeting_form.is_valid():
                    nums = [int(x) for x in meeting_form.cleaned_data["numbers"].replace("，", ",").split(",")
                            if x.strip().isdigit()]
                    actions.record_meeting(plan=p, held_on=meeting_form.cleaned_data["held_on"],
                                           minutes=meeting_form.cleaned_data["minutes"],
                                           actions=list(p.actions.filter(number__in=nums)), acting_user=user, now=now)
                    return redirect("improvement:plan", pk=p.pk)
            else:
                raise Http404
        except DomainError as exc:
            if target is not None and hasattr(target, "fields"):
                refuse_into(request, target, exc)
            else:
                messages.error(request, exc.message)
    rows = queries.rows(p)
    compared, effects = queries.effects(p, rows)
    return render(request, "improvement/plan.html", {
        "plan": p, "rows": rows, "form": form, "meeting_form": meeting_form, "progress_form": ProgressForm(),
        "compared": compared, "effects": effects, "meetings": p.meetings.prefetch_related("actions"),
        "can_manage": access.can_manage(request.user)}, status=400 if request.method == "POST" else 200)
