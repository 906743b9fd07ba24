"""IC card and door-code pages (thin: rules in actions, reads in queries).

- ``/cards/``: officer, flags (quarterly review missing, retrieval tasks), the register and its Excel
  export 《IC卡发放/异常情况登记表》; ``/cards/<pk>/``: one card with loss, retrieval, cancellation and the
  parking-card replacement (AS-30);
- ``/cards/doors/``: doors, their changes per quarter (AS-29), ``/cards/changes/<pk>/``: notices;
- forms: officer, issue, quarterly review, password change, access registration, door, settings.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.cards import access, actions, queries
from apps.cards.forms import (
    AccessForm,
    ChangeForm,
    DoorForm,
    IssueForm,
    NoteForm,
    NoticeForm,
    OfficerForm,
    PasswordForm,
    ReplaceForm,
    ReviewForm,
    SettingsForm,
)
from apps.cards.models import (
    AccessRegistration,
    CardKind,
    CardOfficer,
    CardRetrievalTask,
    CardStatus,
    Door,
    DoorCodeChange,
    ICCard,
    IssuingPasswordChange,
)
from apps.core.errors import DomainError
from apps.core.exports import xlsx_response
from apps.estates.models import Building, Household, Unit
from apps.org.models import Project, User
from linli import clock


def bind_error(form: Any, exc: DomainError) -> None:
    """The refusal at the top of the form and each field's message beside its field."""
    form.add_error(None, exc.message)
    for name, msgs in (exc.fields or {}).items():
        if name in form.fields:
            for m in msgs:
                if m != exc.message:
                    form.add_error(name, m)


def _project(request: HttpRequest) -> tuple[Project, list[Project]]:
    projects = list(access.card_projects(request.user))
    if not projects:
        raise PermissionDenied
    wanted = request.GET.get("project") or ""
    for p in projects:
        if str(p.pk) == wanted:
            return p, projects
    return projects[0], projects


def _staff(project: Project) -> QuerySet[User]:
    return User.objects.filter(memberships__project=project, is_active=True).distinct().order_by("username")


def _today(project: Project) -> dt.date:
    return clock.now().astimezone(project.tz).date()


REGISTER_HEADERS = ["时间", "卡号", "卡类别", "登记类别", "房号", "持卡人", "车牌", "申请人", "车主本人", "核实方式", "核实时间",
                    "经办人", "异常情况/说明"]


@login_required
def home(request: HttpRequest) -> HttpResponse | FileResponse:
    project, projects = _project(request)
    entries = queries.register([project])
    if request.GET.get("format") == "xlsx":
        return xlsx_response("IC卡发放异常情况登记表.xlsx", REGISTER_HEADERS, (
            [e.at, e.card.number, e.card.get_kind_display(), e.get_kind_display(),
             e.card.household.label if e.card.household else "", e.card.holder_name, e.card.plate, e.applicant_name,
             "是" if e.applicant_is_owner else "否", e.get_verification_method_display(), e.verified_at, str(e.by),
             e.note] for e in entries.iterator()), sheet="IC卡发放异常情况登记表", title="IC卡发放/异常情况登记表")
    today = _today(project)
    return render(request, "cards/home.html", {
        "project": project, "projects": projects, "page": Paginator(entries, 50).get_page(request.GET.get("page")),
        "officer": CardOfficer.objects.filter(project=project).select_related("officer", "stand_in").first(),
        "is_officer": access.is_card_officer(request.user, project),
        "can_record": access.can_record(request.user, project),
        "missing_reviews": queries.missing_reviews(project, today),
        "tasks": CardRetrievalTask.objects.filter(project=project, closed_at__isnull=True).select_related("staff", "card"),
        "passwords": IssuingPasswordChange.objects.filter(project=project).select_related("changed_by")[:8],
        "cards": ICCard.objects.filter(project=project).select_related("household").order_by("-issued_at")[:50],
    })


def _form_page(request: HttpRequest, *, title: str, form: Any, project: Project, run: Callable[[dict[str, Any]], str],
               done: str, allowed: bool, extra: dict[str, Any] | None = None) -> HttpResponse:
    if request.method == "POST":
        if not allowed:
            raise PermissionDenied
        if form.is_valid():
            try:
                with timezone.override(project.tz):
                    message = run(form.cleaned_data)
            except DomainError as exc:
                bind_error(form, exc)
            else:
                messages.success(request, message)
                return redirect(done)
    return render(request, "cards/form.html", {"title": title, "form": form, "project": project, "allowed": allowed,
                                               **(extra or {})}, status=400 if request.method == "POST" else 200)


def _household(project: Project, label: str) -> Household | None:
    label = (label or "").strip()
    if not label:
        return None
    found = Household.objects.filter(project=project, label=label).first()
    if found is None:
        raise actions.CardError(_("该项目没有这个房号"), field="household")
    return found


@login_required
def officer(request: HttpRequest) -> HttpResponse:
    project, _p = _project(request)
    current = CardOfficer.objects.filter(project=project).first()
    form = OfficerForm(request.POST or None, staff=_staff(project),
                       initial={"officer": current.officer_id if current else None,
                                "stand_in": current.stand_in_id if current else None})

    def run(d: dict[str, Any]) -> str:
        actions.name_officer(project=project, officer=d["officer"], stand_in=d["stand_in"],
                             acting_user=access.acting_user(request), now=clock.now())
        return _("已指定IC卡管理员")

    return _form_page(request, title=_("指定IC卡管理员及代理人"), form=form, project=project, run=run,
                      done=reverse("cards:home") + f"?project={project.pk}",
                      allowed=access.can_name_officer(request.user, project))


@login_required
def issue(request: HttpRequest) -> HttpResponse:
    project, _p = _project(request)
    form = IssueForm(request.POST or None, staff=_staff(project))

    def run(d: dict[str, Any]) -> str:
        card = actions.issue_card(project=project, number=d["number"], kind=d["kind"], holder_name=d["holder_name"],
                                  household=_household(project, d["household"]) if d["kind"] != CardKind.STAFF else None,
                                  staff=d["staff"], plate=d["plate"], note=d["note"],
                                  acting_user=access.acting_user(request), now=clock.now())
        return _("已发卡 %(n)s") % {"n": card.number}

    return _form_page(request, title=_("发放IC卡"), form=form, project=project, run=run,
                      done=reverse("cards:home") + f"?project={project.pk}",
                      allowed=access.is_card_officer(request.user, project))


def _card(request: HttpRequest, pk: int) -> ICCard:
    card = ICCard.objects.select_related("project", "household", "staff").filter(pk=pk).first()
    if card is None or not access.can_view(request.user, card.project):
        raise Http404
    return card


@login_required
def card_detail(request: HttpRequest, pk: int) -> HttpResponse:
    card = _card(request, pk)
    project = card.project
    replace = ReplaceForm(request.POST or None, request.FILES or None) if request.POST.get("op") == "replace" else ReplaceForm()
    note = NoteForm(request.POST or None) if request.POST.get("op") in ("lost", "retrieve", "cancel") else NoteForm()
    if request.method == "POST":
        op = request.POST.get("op")
        user = access.acting_user(request)
        try:
            with timezone.override(project.tz):
                if op == "replace" and replace.is_valid():
                    d = replace.cleaned_data
                    new = actions.replace_parking_card(
                        card=card, new_number=d["new_number"], applicant_name=d["applicant_name"],
                        applicant_is_owner=d["applicant_is_owner"], authorisation_doc=d["authorisation_doc"],
                        licence_doc=d["licence_doc"], verified_at=d["verified_at"],
                        verification_method=d["verification_method"], note=d["note"], acting_user=user, now=clock.now())
                    messages.success(request, _("已补办新卡 %(n)s，原卡注销") % {"n": new.number})
                    return redirect("cards:card", pk=new.pk)
                if op in ("lost", "retrieve", "cancel") and note.is_valid():
                    fn = {"lost": actions.report_lost, "retrieve": actions.retrieve_card, "cancel": actions.cancel_card}[op]
                    fn(card=card, note=note.cleaned_data["note"], acting_user=user, now=clock.now())
                    messages.success(request, _("已登记"))
                    return redirect("cards:card", pk=card.pk)
        except DomainError as exc:
            bind_error(replace if op == "replace" else note, exc)
    return render(request, "cards/card.html", {
        "card": card, "project": project, "entries": card.entries.select_related("by", "verified_by"),
        "replace_form": replace, "note_form": note, "is_officer": access.is_card_officer(request.user, project),
        "can_record": access.can_record(request.user, project),
        "can_replace": card.kind == CardKind.PARKING and card.status in (CardStatus.ACTIVE, CardStatus.LOST)},
        status=400 if request.method == "POST" else 200)


@login_required
def review(request: HttpRequest) -> HttpResponse:
    project, _p = _project(request)
    form = ReviewForm(request.POST or None)

    def run(d: dict[str, Any]) -> str:
        actions.record_quarterly_review(project=project, acting_user=access.acting_user(request), now=clock.now(), **d)
        return _("IC卡季度整理表已保存")

    return _form_page(request, title=_("IC卡季度整理表"), form=form, project=project, run=run,
                      done=reverse("cards:home") + f"?project={project.pk}",
                      allowed=access.can_record(request.user, project))


@login_required
def password(request: HttpRequest) -> HttpResponse:
    project, _p = _project(request)
    form = PasswordForm(request.POST or None, staff=_staff(project))

    def run(d: dict[str, Any]) -> str:
        actions.record_password_change(project=project, changed_on=d["changed_on"], changed_by=d["changed_by"],
                                       acting_user=access.acting_user(request), now=clock.now())
        return _("已登记发卡电脑密码更改（系统不保存密码）")

    return _form_page(request, title=_("发卡电脑密码更改记录"), form=form, project=project, run=run,
                      done=reverse("cards:home") + f"?project={project.pk}",
                      allowed=access.can_record(request.user, project))


@login_required
def access_log(request: HttpRequest) -> HttpResponse:
    project, _p = _project(request)
    form = AccessForm(request.POST or None)

    def run(d: dict[str, Any]) -> str:
        actions.register_access(project=project, name=d["name"], identity=d["identity"], reason=d["reason"],
                                household=_household(project, d["household"]),
                                acting_user=access.acting_user(request), now=clock.now())
        return _("已登记")

    rows = AccessRegistration.objects.filter(project=project).select_related("household", "recorded_by")[:100]
    return _form_page(request, title=_("未带卡出入登记"), form=form, project=project, run=run,
                      done=reverse("cards:access") + f"?project={project.pk}",
                      allowed=access.can_record(request.user, project), extra={"access_rows": rows})


@login_required
def doors(request: HttpRequest) -> HttpResponse:
    """Doors and their code changes per quarter (R-M11-06): changed this quarter? notified in time?"""
    project, projects = _project(request)
    form = DoorForm(request.POST or None)
    if request.method == "POST":
        if not access.can_record(request.user, project):
            raise PermissionDenied
        if form.is_valid():
            d = form.cleaned_data
            try:
                building = Building.objects.filter(project=project, name=d["building"].strip()).first()
                if building is None:
                    raise actions.CardError(_("该项目没有这个楼栋"), field="building")
                unit = None
                if d["unit"].strip():
                    unit = Unit.objects.filter(building=building, name=d["unit"].strip()).first()
                    if unit is None:
                        raise actions.CardError(_("该楼栋没有这个单元"), field="unit")
                actions.add_door(project=project, building=building, unit=unit, name=d["name"],
                                 acting_user=access.acting_user(request), now=clock.now())
            except DomainError as exc:
                bind_error(form, exc)
            else:
                messages.success(request, _("已添加门禁"))
                return redirect(reverse("cards:doors") + f"?project={project.pk}")
    today = _today(project)
    start = dt.date(today.year - 1, 1, 1)
    grid = queries.door_code_quarters(project, start, today)
    changes = (DoorCodeChange.objects.filter(project=project).select_related("door")
               .prefetch_related("notices")[:100])
    return render(request, "cards/doors.html", {"project": project, "projects": projects, "form": form, "grid": grid,
                                                "changes": changes, "can_record": access.can_record(request.user, project),
                                                "doors": Door.objects.filter(project=project)},
                  status=400 if request.method == "POST" else 200)


@login_required
def change_new(request: HttpRequest, door_pk: int) -> HttpResponse:
    door = Door.objects.select_related("project").filter(pk=door_pk).first()
    if door is None or not access.can_view(request.user, door.project):
        raise Http404
    form = ChangeForm(request.POST or None)
    holder: dict[str, int] = {}

    def run(d: dict[str, Any]) -> str:
        change = actions.record_code_change(door=door, effective_on=d["effective_on"],
                                            acting_user=access.acting_user(request), now=clock.now())
        holder["pk"] = change.pk
        return _("已登记密码更换，请登记通知住户")

    response = _form_page(request, title=_("登记门禁密码更换") + f" · {door.name}", form=form, project=door.project,
                          run=run, done=reverse("cards:doors"), allowed=access.can_record(request.user, door.project))
    if "pk" in holder:
        return redirect("cards:change", pk=holder["pk"])
    return response


@login_required
def change_detail(request: HttpRequest, pk: int) -> HttpResponse:
    change = DoorCodeChange.objects.select_related("project", "door").filter(pk=pk).first()
    if change is None or not access.can_view(request.user, change.project):
        raise Http404
    form = NoticeForm(request.POST or None)
    if request.method == "POST":
        if not access.can_record(request.user, change.project):
            raise PermissionDenied
        if form.is_valid():
            d = form.cleaned_data
            try:
                notice = actions.record_code_notice(change=change, channel=d["channel"], new_code=d["new_code"],
                                                    households_reached=d["households_reached"], note=d["note"],
                                                    acting_user=access.acting_user(request), now=clock.now())
            except DomainError as exc:
                bind_error(form, exc)
            else:
                change.refresh_from_db()
                if change.late_notice:
                    messages.warning(request, _("已登记通知。通知距生效日不足规定天数，已记为不符合项。"))
                else:
                    messages.success(request, _("已登记通知，通知到 %(n)s 户") % {"n": notice.households_reached})
                return redirect("cards:change", pk=change.pk)
    return render(request, "cards/change.html", {
        "change": change, "project": change.project, "form": form, "notices": change.notices.select_related("recorded_by"),
        "households": queries.door_households(change.door).count(),
        "can_record": access.can_record(request.user, change.project)}, status=400 if request.method == "POST" else 200)


@login_required
def card_settings(request: HttpRequest) -> HttpResponse:
    project, _p = _project(request)
    conf = queries.settings_of(project)
    form = SettingsForm(request.POST or None, initial={"notice_lead_days": conf.notice_lead_days,
                                                       "rotation_months": conf.rotation_months})

    def run(d: dict[str, Any]) -> str:
        actions.save_settings(project=project, acting_user=access.acting_user(request), now=clock.now(), **d)
        return _("设置已保存")

    return _form_page(request, title=_("门禁设置"), form=form, project=project, run=run,
                      done=reverse("cards:home") + f"?project={project.pk}",
                      allowed=access.can_name_officer(request.user, project))
