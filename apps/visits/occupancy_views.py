"""Pages of early occupancy (SPEC M9): the running-in care of new owners (``/visits/early-care/``,
R-M9-16) and the calls to owners not yet moved in (``/visits/not-moved-in/``, R-M9-17, the 入住动态表 of
R-M7-07). Thin: rules in :mod:`apps.visits.actions`, reads in :mod:`apps.visits.programme`. Anyone who
reads the project's visit archive sees them; the project's CS staff record (others: 403)."""
from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.core.errors import DomainError
from apps.core.flash import flash_refusal
from apps.estates.models import Household
from apps.org.access import visible_projects
from apps.org.models import Project
from apps.visits import access, actions, programme
from apps.visits.models import EarlyCare
from apps.visits.programme_forms import EarlyCareForm, FollowUpForm, NotMovedInCallForm
from apps.visits.programme_views import _project
from linli import clock


def _household(project: Project, label: str) -> Household | None:
    label = (label or "").strip()
    return Household.objects.filter(project=project, label=label).first() if label else None


def _now_local(project: Project) -> str:
    return clock.local(clock.now(), project.tz).strftime("%Y-%m-%dT%H:%M")


@login_required
def early_care(request: HttpRequest) -> HttpResponse:
    """磨合期业户关怀 (R-M9-16): interviews with their feedback followed up, home-alarm activation,
    service cards at the gates, the on-site desk — listed and recorded."""
    project = _project(request)
    can_record = access.can_record(request.user, project)
    form = EarlyCareForm(request.POST or None, initial={"held_at": _now_local(project)})
    status = 200
    if request.method == "POST":
        if not can_record:
            raise PermissionDenied
        with timezone.override(project.tz):
            valid = form.is_valid()
        if valid:
            d = form.cleaned_data
            household = _household(project, d["household"])
            if d["household"] and household is None:
                form.add_error("household", _("房号不存在"))
                messages.error(request, _("房号不存在"))
            else:
                try:
                    actions.record_early_care(project=project, kind=d["kind"], household=household,
                                              held_at=d["held_at"], place=d["place"], served=d["served"],
                                              note=d["note"], feedback=d["feedback"],
                                              acting_user=access.acting_user(request), now=clock.now())
                except DomainError as exc:
                    flash_refusal(request, exc, form=form)
                else:
                    messages.success(request, _("磨合期关怀已记录"))
                    return redirect(f"/visits/early-care/?project={project.pk}")
        else:
            messages.error(request, _("请更正下列错误"))
        status = 400
    awaiting = request.GET.get("awaiting") == "1"
    page = Paginator(programme.early_care_rows(project, awaiting=awaiting), 50).get_page(request.GET.get("page"))
    return render(request, "visits/early_care.html", {
        "project": project, "projects": access.archive_projects(request.user), "page": page, "form": form,
        "awaiting": awaiting, "awaiting_count": programme.early_care_rows(project, awaiting=True).count(),
        "can_record": can_record, "follow_form": FollowUpForm(),
    }, status=status)


@login_required
@require_POST
def early_care_follow_up(request: HttpRequest, pk: int) -> HttpResponse:
    """R-M9-16: the feedback of a running-in interview followed up and closed."""
    care = EarlyCare.objects.filter(pk=pk, project__in=visible_projects(request.user)).select_related("project").first()
    if care is None or not access.can_read_archive(request.user, care.project):
        raise Http404
    if not access.can_record(request.user, care.project):
        raise PermissionDenied
    form = FollowUpForm(request.POST)
    try:
        actions.follow_up_early_care(care=care, text=form.data.get("text", ""),
                                     acting_user=access.acting_user(request), now=clock.now())
    except DomainError as exc:
        flash_refusal(request, exc)
    else:
        messages.success(request, _("反馈跟进已记录"))
    return redirect(f"/visits/early-care/?project={care.project_id}")


@login_required
def not_moved_in(request: HttpRequest) -> HttpResponse:
    """入住动态表 (R-M7-07) and the calls to owners not yet moved in (R-M9-17): each household's reason,
    last call and number of calls; the CS staff record a call, which updates the household's reason."""
    project = _project(request)
    can_record = access.can_record(request.user, project)
    initial: dict[str, Any] = {"called_at": _now_local(project), "household": request.GET.get("hh", "")[:100]}
    form = NotMovedInCallForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if not can_record:
            raise PermissionDenied
        with timezone.override(project.tz):
            valid = form.is_valid()
        if valid:
            d = form.cleaned_data
            household = _household(project, d["household"])
            if household is None:
                form.add_error("household", _("房号不存在"))
                messages.error(request, _("房号不存在"))
            else:
                try:
                    actions.record_not_moved_in_call(household=household, called_at=d["called_at"],
                                                     reached=d["reached"] == "yes", reason=d["reason"],
                                                     note=d["note"], emergency_reason=d["emergency_reason"],
                                                     acting_user=access.acting_user(request),
                                                     now=clock.now())
                except DomainError as exc:
                    flash_refusal(request, exc, form=form)
                else:
                    messages.success(request, _("通话已记录"))
                    return redirect(f"/visits/not-moved-in/?project={project.pk}")
        else:
            messages.error(request, _("请更正下列错误"))
        status = 400
    page = Paginator(programme.not_moved_in(project), 50).get_page(request.GET.get("page"))
    return render(request, "visits/not_moved_in.html", {
        "project": project, "projects": access.archive_projects(request.user), "page": page, "form": form,
        "can_record": can_record,
    }, status=status)
