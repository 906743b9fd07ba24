"""Owner archive pages (issue 2 items 4, 5, 8): search, household detail with "显示完整信息",
roster import (upload → preview → commit, with progress) and export, department-head grants,
and the access log. Thin: rules live in :mod:`apps.estates.access`, :mod:`apps.estates.queries` and :mod:`apps.estates.roster`.
"""
from __future__ import annotations

import datetime as dt
import os
import tempfile
import uuid
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.core import phones
from apps.estates import access as archive
from apps.estates import actions, masking, queries, roster
from apps.estates.forms import (
    CallRecordingForm,
    DecorationRecordForm,
    ExportForm,
    GrantForm,
    HouseholdForm,
    MediaOpenForm,
    NotMovedInForm,
    PersonForm,
    RevealForm,
    UploadForm,
)
from apps.estates.models import (
    MEDIA_KINDS,
    AccessAction,
    ArchiveCustodian,
    ArchiveGrant,
    CallRecording,
    DecorationRecord,
    Household,
    ImportJob,
    ImportStatus,
    OccupancyStatus,
    Person,
)
from apps.org import access
from apps.org.http import AuthenticatedRequest
from apps.org.models import Membership, Project, User
from apps.org.roles import ROLE_INFO, Cap
from linli import clock

PAGE_SIZE = 30


def _archive_project(request: AuthenticatedRequest) -> Project:
    """The project whose archive is shown: ?project=, else the switcher's project, else the first one."""
    projects = archive.archive_projects(request.user)
    if not projects:
        raise PermissionDenied
    wanted = request.GET.get("project") or request.POST.get("project")
    current = getattr(request, "project", None)
    for p in projects:
        if wanted and str(p.pk) == wanted:
            return p
    if wanted:
        raise Http404
    if current is not None and any(p.pk == current.pk for p in projects):
        return current
    return projects[0]


def _is_htmx(request: AuthenticatedRequest) -> bool:
    return bool(getattr(request, "htmx", False)) and not getattr(request.htmx, "boosted", False)


# ---------------------------------------------------------------- search and detail


@login_required
def search(request: AuthenticatedRequest) -> HttpResponse:
    """业主档案查询: by 房号, name, phone tail (issue 2 item 8). Results masked."""
    project = _archive_project(request)
    q = request.GET.get("q", "").strip()[:50]
    building = request.GET.get("building", "").strip()[:50]
    status = request.GET.get("status", "")
    status = status if status in OccupancyStatus.values else ""
    flag = request.GET.get("flag", "")
    qs = queries.search_households(request.user, project, q=q, building=building, status=status, flag=flag)
    searched = bool(q or building or status or flag)
    page = Paginator(qs.prefetch_related("persons__vehicles"), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [{"household": h, "persons": [queries.person_view(p) for p in h.persons.all() if p.active]}
            for h in page.object_list]
    context: dict[str, Any] = {"project": project, "page": page, "rows": rows, "q": q, "building": building,
                               "status": status, "flag": flag, "searched": searched,
                               "may_reveal": archive.may_reveal(request.user, project)}
    if _is_htmx(request):
        return render(request, "estates/_results.html", context)
    context.update({
        "projects": archive.archive_projects(request.user),
        "buildings": project.buildings.order_by("sort_key", "name").values_list("name", flat=True),
        "statuses": OccupancyStatus.choices,
        "can_import": access.has_cap(request.user, Cap.IMPORT_ROSTER, project),
        "can_export": access.has_cap(request.user, Cap.EXPORT_ROSTER, project),
        "can_log": access.has_cap(request.user, Cap.VIEW_ACCESS_LOG, project),
        "can_grant": access.has_cap(request.user, Cap.GRANT_ARCHIVE_ACCESS, project),
        "is_steward": project.buildings.filter(steward=request.user).exists(),
        "policy": project.company.confidentiality_policy,
        "custodian": ArchiveCustodian.objects.filter(project=project).select_related("custodian").first(),
    })
    return render(request, "estates/search.html", context)



@login_required
@require_POST
def not_moved_in_reason(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    household = archive.get_household(request.user, pk)
    form = NotMovedInForm(request.POST)
    if form.is_valid():
        try:
            actions.record_not_moved_in_reason(request.user, household, form.cleaned_data["reason"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("已登记未入住原因"))
    else:
        messages.error(request, _("请填写未入住原因"))
    return redirect("estates:household", pk=household.pk)


@login_required
def household_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """房屋档案: persons (masked), vehicles, tickets; POST = 显示完整信息 (logged, R-M7-01)."""
    household = archive.get_household(request.user, pk)
    project = household.project
    persons = queries.masked_persons(household)
    form = RevealForm(request.POST or None)
    revealed = False
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                persons = actions.reveal_household(request.user, household, reason=form.reason(),
                                                    screen="房屋档案页", fields=form.fields_wanted())
                revealed = True
            except archive.RevealDenied as exc:
                form.add_error(None, exc.message)
                status = 403
        else:
            status = 400
    grant = archive.active_grant(request.user, project)
    response = render(request, "estates/household_detail.html", {
        "household": household, "project": project, "persons": persons, "form": form, "revealed": revealed,
        "may_reveal": archive.may_reveal(request.user, project), "grant": grant,
        "can_tickets": access.has_cap(request.user, Cap.VIEW_TICKETS, project),
        "can_maintain": archive.may_maintain(request.user, project, household),
        "reason_form": NotMovedInForm(initial={"reason": household.not_moved_in_reason})
        if household.status == OccupancyStatus.NOT_MOVED_IN and archive.may_reveal(request.user, project) else None,
    }, status=status)
    if revealed:
        response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def person_call(request: AuthenticatedRequest, pk: int, field: str) -> HttpResponse:
    """拨打 beside a masked number (issue 23 item 7): reveal it under the archive's rules, log it, answer
    with the tel: link (or the refusal beside the masked number)."""
    person = get_object_or_404(Person.objects.select_related("household__project"), pk=pk,
                               household__in=archive.visible_households(request.user))
    if field not in ("phone", "phone2"):
        raise Http404
    household = person.household
    number = getattr(person, field)
    shown = masking.mask_phone(number)
    back = reverse("estates:household", args=[household.pk])
    try:
        actions.reveal_phone_for_call(request.user, household.project, household=household, person=person,
                                      field=field, screen="房屋档案页 拨打电话")
    except archive.RevealDenied as exc:
        return phones.call_answer(request, shown=shown, message=exc.message, back_url=back, status=403)
    return phones.call_answer(request, shown=shown, number=number, back_url=back)


# ---------------------------------------------------------------- maintenance (R-M7-04)



def _apply_errors(form: forms.Form, exc: ValidationError) -> None:
    for name, msgs in getattr(exc, "message_dict", {"__all__": exc.messages}).items():
        for msg in msgs:
            form.add_error(name if name in form.fields else None, msg)


@login_required
def household_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """维护房屋档案: status, area, dates, notes (客服主管 and above)."""
    household = archive.get_household(request.user, pk)
    if not archive.may_maintain(request.user, household.project, household):
        raise PermissionDenied
    initial = {name: getattr(household, name) for name in actions.HOUSEHOLD_FIELDS}
    form = HouseholdForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_household(request.user, household, form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("已保存"))
            return redirect("estates:household", pk=household.pk)
    return render(request, "estates/edit_form.html", {
        "household": household, "form": form, "title": _("维护房屋档案"),
    }, status=400 if form.errors else 200)


@login_required
def person_edit(request: AuthenticatedRequest, pk: int, person_pk: int | None = None) -> HttpResponse:
    """添加/维护业主、住户: phone and ID fields are never pre-filled; left blank they keep the stored value."""
    household = archive.get_household(request.user, pk)
    if not archive.may_maintain(request.user, household.project, household):
        raise PermissionDenied
    person = None
    initial: dict[str, Any] = {"active": True}
    if person_pk is not None:
        person = household.persons.filter(pk=person_pk).first()
        if person is None:
            raise Http404
        initial = {"name": person.name, "kind": person.kind, "move_in_date": person.move_in_date,
                   "tags": person.tags, "needs": person.needs, "active": person.active}
    form = PersonForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.save_person(request.user, household, form.cleaned_data, person)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("已保存"))
            return redirect("estates:household", pk=household.pk)
    masked = queries.person_view(person) if person else None
    return render(request, "estates/edit_form.html", {
        "household": household, "form": form, "masked": masked,
        "title": _("维护业主/住户") if person else _("添加业主/住户"),
    }, status=400 if form.errors else 200)


# ---------------------------------------------------------------- import


def _progress_key(user: User, token: str) -> str:
    return f"estates:import-progress:{user.pk}:{token}"


def _progress_callback(request: AuthenticatedRequest, token: str) -> roster.Progress | None:
    if not token:
        return None
    key = _progress_key(request.user, token)

    def report(phase: str, done: int, total: int) -> None:
        cache.set(key, {"phase": phase, "done": done, "total": total}, 600)

    report("upload", 0, 0)
    return report


@login_required
def roster_import(request: AuthenticatedRequest) -> HttpResponse:
    """导入业主名册 step 1: upload; the workbook is checked and a preview stored."""
    project = _archive_project(request)
    if not access.has_cap(request.user, Cap.IMPORT_ROSTER, project):
        raise PermissionDenied
    form = UploadForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                job = roster.create_import_job(request.user, project, form.cleaned_data["file"],
                                               form.cleaned_data["file"].name,
                                               progress=_progress_callback(request, request.POST.get("token", "")))
            except roster.RosterError as exc:
                form.add_error("file", str(exc))
                status = 400
            else:
                return redirect("estates:import_job", pk=job.pk)
        else:
            status = 400
    recent = ImportJob.objects.filter(project=project).select_related("created_by")[:10]
    return render(request, "estates/import.html", {
        "project": project, "form": form, "token": uuid.uuid4().hex, "recent": recent,
        "columns": roster.COLUMNS,
    }, status=status)


def _job_for(request: AuthenticatedRequest, pk: int) -> ImportJob:
    job = get_object_or_404(ImportJob.objects.select_related("project", "created_by"), pk=pk)
    if not access.can_see_project(request.user, job.project) or not access.has_cap(
            request.user, Cap.IMPORT_ROSTER, job.project):
        raise Http404
    return job


@login_required
def import_job(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Step 2: preview (first rows, masked), counts, row-level errors; commit or discard."""
    job = _job_for(request, pk)
    preview = []
    for r in job.rows[: roster.PREVIEW_ROWS]:
        preview.append({**r, "name": masking.mask_name(r["name"]), "phone": masking.mask_phone(r["phone"]),
                        "phone2": masking.mask_phone(r["phone2"]),
                        "email": masking.mask_email(r.get("email", "")), "fax": masking.mask_phone(r.get("fax", "")),
                        "id_number": masking.mask_id_number(r["id_number"]),
                        "plate": masking.mask_plate(r["plate"]),
                        "status_label": roster.STATUS_LABEL.get(r["status"], ""),
                        "kind_label": roster.KIND_LABEL.get(r["kind"], "") if r["name"] else ""})
    return render(request, "estates/import_job.html", {
        "job": job, "project": job.project, "preview": preview, "token": uuid.uuid4().hex,
        "error_total": job.result.get("error_total", len(job.errors)) if job.status == ImportStatus.INVALID else 0,
    })


@login_required
@require_POST
def import_commit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    job = _job_for(request, pk)
    try:
        counts = roster.commit_import(job, request.user,
                                      progress=_progress_callback(request, request.POST.get("token", "")))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("导入完成：新建房屋 %(hc)s 户、更新 %(hu)s 户；新建人员 %(pc)s 人、更新 %(pu)s 人") % {
            "hc": counts["households_created"], "hu": counts["households_updated"],
            "pc": counts["persons_created"], "pu": counts["persons_updated"]})
    return redirect("estates:import_job", pk=job.pk)


@login_required
@require_POST
def import_discard(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    job = _job_for(request, pk)
    roster.discard_import(job, request.user)
    messages.info(request, _("已放弃本次导入"))
    return redirect(f"{_url('estates:import')}?project={job.project_id}")


@login_required
def import_progress(request: AuthenticatedRequest, token: str) -> HttpResponse:
    """htmx polling target: the progress of the running check or commit."""
    state = cache.get(_progress_key(request.user, token[:64])) or {}
    return render(request, "estates/_progress.html", {"state": state})


@login_required
def import_template(request: AuthenticatedRequest) -> HttpResponseBase:
    """An empty roster with the expected columns."""
    fd, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(fd)
    roster.write_roster(path, [], unmasked=False)
    return _file_response(path, "业主名册模板.xlsx")


def _url(name: str, **kwargs: Any) -> str:

    return reverse(name, kwargs=kwargs or None)


def _file_response(path: str, filename: str) -> FileResponse:
    handle = open(path, "rb")  # noqa: SIM115 - FileResponse closes it
    os.unlink(path)  # the open handle keeps the data until the response is sent
    response = FileResponse(handle, as_attachment=True, filename=filename,
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Cache-Control"] = "no-store"  # rosters and logs are not kept by proxies or the browser cache
    return response


# ---------------------------------------------------------------- export


@login_required
def roster_export(request: AuthenticatedRequest) -> HttpResponseBase:
    """导出业主名册: masked by default; every export is logged with its row count."""
    project = _archive_project(request)
    if not access.has_cap(request.user, Cap.EXPORT_ROSTER, project):
        raise PermissionDenied
    form = ExportForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            unmasked = form.cleaned_data["unmasked"]
            reason = form.cleaned_data["reason"] or ""
            try:
                grant = archive.check_export(request.user, project, unmasked=unmasked, reason=reason)
            except archive.RevealDenied as exc:
                form.add_error(None, exc.message)
                status = 403
            else:
                fd, path = tempfile.mkstemp(suffix=".xlsx")
                os.close(fd)
                rows = roster.write_roster(path, roster.export_queryset(project).iterator(chunk_size=500),
                                           unmasked=unmasked)
                actions.log_export(request.user, project, unmasked=unmasked, reason=reason, screen="导出业主名册页",
                                    rows=rows, grant=grant)
                stamp = clock.now().astimezone(clock.SHANGHAI).strftime("%Y%m%d-%H%M")
                return _file_response(path, f"业主名册-{project.name}-{stamp}.xlsx")
        else:
            status = 400
    return render(request, "estates/export.html", {
        "project": project, "form": form, "grant": archive.active_grant(request.user, project),
        "may_reveal": archive.may_reveal(request.user, project),
    }, status=status)


# ---------------------------------------------------------------- access log


def _filtered_logs(request: AuthenticatedRequest) -> tuple[Any, dict[str, str], list[Project]]:
    projects = queries.log_projects(request.user)
    if not projects:
        raise PermissionDenied
    qs = queries.access_logs_for(request.user)
    f = {k: request.GET.get(k, "").strip()[:50] for k in ("project", "user", "action", "household", "date_from", "date_to")}
    if f["project"]:
        qs = qs.filter(project_id=f["project"]) if f["project"].isdigit() else qs.none()
    if f["user"]:
        qs = qs.filter(user__username__icontains=f["user"]) | qs.filter(user__display_name__icontains=f["user"])
    if f["action"] in AccessAction.values:
        qs = qs.filter(action=f["action"])
    if f["household"]:
        qs = qs.filter(household__label__icontains=queries.normalise_query(f["household"]))
    for key, lookup in (("date_from", "at__gte"), ("date_to", "at__lt")):
        if f[key]:
            try:
                day = dt.date.fromisoformat(f[key])
            except ValueError:
                messages.error(request, _("日期格式不正确（YYYY-MM-DD）"))
                continue
            if key == "date_to":
                day += dt.timedelta(days=1)
            qs = qs.filter(**{lookup: dt.datetime.combine(day, dt.time(), tzinfo=clock.SHANGHAI)})
    return qs.order_by("-at", "-id"), f, projects


@login_required
def access_log(request: AuthenticatedRequest) -> HttpResponse:
    """顾客资料查阅记录 (R-M7-01): read-only, filterable; VIEW_ACCESS_LOG."""
    qs, f, projects = _filtered_logs(request)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "estates/access_log.html", {
        "page": page, "projects": projects, "f": f, "actions": AccessAction.choices,
    })


@login_required
def access_log_export(request: AuthenticatedRequest) -> HttpResponseBase:
    """The filtered access log as Excel for audits (names masked; the log holds no phone numbers)."""
    import xlsxwriter

    qs, _f, _projects = _filtered_logs(request)
    fd, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(fd)
    wb = xlsxwriter.Workbook(path, {"constant_memory": True})
    ws = wb.add_worksheet("顾客资料查阅记录")
    headers = ["时间", "查阅人", "操作", "项目", "房屋", "人员", "字段", "导出行数", "事由", "页面/接口", "授权人", "授权编号"]
    for i, h in enumerate(headers):
        ws.write_string(0, i, h)
    for n, r in enumerate(qs.iterator(chunk_size=1000), start=1):
        values = [r.at.astimezone(clock.SHANGHAI).strftime("%Y-%m-%d %H:%M:%S"), str(r.user), str(r.get_action_display()),
                  r.project.name, r.household.label if r.household else "",
                  masking.mask_name(r.person.name) if r.person else "", r.field_labels,
                  "" if r.row_count is None else str(r.row_count), r.reason, r.screen,
                  str(r.grant.granted_by) if r.grant else "", str(r.grant_id or "")]
        for i, v in enumerate(values):
            ws.write_string(n, i, v)
    wb.close()
    stamp = clock.now().astimezone(clock.SHANGHAI).strftime("%Y%m%d-%H%M")
    return _file_response(path, f"顾客资料查阅记录-{stamp}.xlsx")


# ---------------------------------------------------------------- grants


def _grantees(project: Project, exclude: User) -> list[tuple[str, str]]:
    users = []
    for m in (Membership.objects.filter(project=project).select_related("user").order_by("user__username")):
        if Cap.UNMASK_PERSONAL_DATA in ROLE_INFO[m.role].caps and m.user_id != exclude.pk and m.user.is_active:
            users.append((str(m.user_id), f"{m.user}（{m.get_role_display()}）"))
    return list(dict.fromkeys(users))


@login_required
def grants(request: AuthenticatedRequest) -> HttpResponse:
    """档案查阅授权: department heads grant and revoke (R-M7-01); everyone sees their own grants."""
    project = _archive_project(request)
    can_grant = access.has_cap(request.user, Cap.GRANT_ARCHIVE_ACCESS, project)
    form = None
    status = 200
    if can_grant:
        today = clock.now().astimezone(clock.SHANGHAI).date()
        form = GrantForm(request.POST or None, grantees=_grantees(project, request.user),
                         initial={"valid_from": today, "valid_until": today + dt.timedelta(days=30)})
        if request.method == "POST":
            if form.is_valid() and form.cleaned_data["valid_from"] < today:
                form.add_error("valid_from", _("生效日期不能早于今天"))
            if form.is_valid():
                d = form.cleaned_data
                start = dt.datetime.combine(d["valid_from"], dt.time(), tzinfo=clock.SHANGHAI)
                if d["valid_from"] == today:
                    start = clock.now()  # a grant given today starts now
                until = dt.datetime.combine(d["valid_until"] + dt.timedelta(days=1), dt.time(), tzinfo=clock.SHANGHAI)
                try:
                    actions.grant_access(granted_by=request.user, grantee=User.objects.get(pk=d["grantee"]),
                                          project=project, reason=d["reason"], valid_from=start, valid_until=until)
                except ValidationError as exc:
                    for name, msgs in exc.message_dict.items():
                        for msg in msgs:
                            form.add_error(name if name in form.fields else None, msg)
                    status = 400
                else:
                    messages.success(request, _("已授权"))
                    return redirect(f"{_url('estates:grants')}?project={project.pk}")
            else:
                status = 400
    elif request.method == "POST":
        raise PermissionDenied
    rows = queries.grants_for(request.user).filter(project=project)[:200]
    now = clock.now()
    return render(request, "estates/grants.html", {
        "project": project, "projects": archive.archive_projects(request.user), "form": form,
        "rows": [{"g": g, "valid": g.is_valid_at(now)} for g in rows], "can_grant": can_grant,
    }, status=status)


@login_required
@require_POST
def grant_revoke(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    grant = get_object_or_404(ArchiveGrant.objects.select_related("project"), pk=pk)
    if not access.can_see_project(request.user, grant.project):
        raise Http404
    try:
        actions.revoke_grant(by=request.user, grant=grant)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("已撤销授权"))
    return redirect(f"{_url('estates:grants')}?project={grant.project_id}")


# ---------------------------------------------------------------- decoration archive (R-M7-09, R-M7-10)


def _media_archive_page(request: AuthenticatedRequest, pk: int, *, records: Callable[[User, Household], Any],
                        may_add: Callable[[User, Project], bool], form_class: type[forms.Form],
                        add: Callable[[User, Household, dict[str, Any]], object], saved: str, url_name: str,
                        template: str, extra: Callable[[Household, bool], dict[str, Any]]) -> HttpResponse:
    """A household's media archive page (装修档案, 通话录音): its list (``records``; hidden from a user who may not
    read it), and the form that adds an entry (``form_class`` → ``add``) for the users ``may_add`` names; a refused
    entry comes back beside its field, a kept one goes back to the page (``url_name``) with ``saved``."""
    household = archive.get_household(request.user, pk)
    try:
        rows = list(records(request.user, household))
    except PermissionDenied:
        raise Http404 from None
    may = may_add(request.user, household.project)
    form = form_class(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if not may:
            raise PermissionDenied
        if form.is_valid():
            try:
                add(request.user, household, form.cleaned_data)
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, saved)
                return redirect(url_name, pk=household.pk)
        status = 400
    return render(request, template, {
        "household": household, "project": household.project, "records": rows, "form": form,
        "open_form": MediaOpenForm(), **extra(household, may),
    }, status=status)


@login_required
def decoration(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """装修档案: the household's decoration list, photo/video/recording library, progress and problems.
    The front desk, stewards and supervisors add entries; media open only through :func:`decoration_open`."""
    return _media_archive_page(
        request, pk, records=queries.decoration_archive, may_add=archive.may_keep_decoration,
        form_class=DecorationRecordForm,
        add=lambda user, household, d: actions.add_decoration_record(user, household, kind=d["kind"], note=d["note"],
                                                                     file=d["file"], now=clock.now()),
        saved=_("已登记到装修档案"), url_name="estates:decoration", template="estates/decoration.html",
        extra=lambda household, may: {"may_keep": may, "may_open": archive.may_reveal(request.user, household.project),
                                      "media_kinds": [str(k) for k in MEDIA_KINDS]})


@login_required
@require_POST
def decoration_open(request: AuthenticatedRequest, pk: int, record_pk: int) -> HttpResponseBase:
    """Open one decoration photo/video/recording (R-M7-10): a reason, the archive's rules, a log row."""
    household = archive.get_household(request.user, pk)
    record = get_object_or_404(DecorationRecord, pk=record_pk, household=household)
    form = MediaOpenForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写查阅事由"))
        return redirect("estates:decoration", pk=household.pk)
    try:
        file = actions.open_decoration_media(request.user, record, reason=form.cleaned_data["reason"],
                                             screen="装修档案页")
    except archive.RevealDenied as exc:
        messages.error(request, exc.message)
        return redirect("estates:decoration", pk=household.pk)
    file.open("rb")
    return FileResponse(file, as_attachment=False, filename=os.path.basename(file.name))


# ---------------------------------------------------------------- call recordings (R-M7-07, R-M7-10)


@login_required
def call_recordings(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """通话录音: the household's kept call recordings (录音留存, the 入住动态表 calls first). The roles that
    phone owners add them; every recording opens only through :func:`call_recording_open`."""
    return _media_archive_page(
        request, pk, records=queries.call_recordings, may_add=archive.may_reveal, form_class=CallRecordingForm,
        add=lambda user, household, d: actions.add_call_recording(user, household, note=d["note"], file=d["file"],
                                                                  called_at=d["called_at"], now=clock.now()),
        saved=_("已保存通话录音"), url_name="estates:call_recordings", template="estates/call_recordings.html",
        extra=lambda household, may: {"may_add": may})


@login_required
@require_POST
def call_recording_open(request: AuthenticatedRequest, pk: int, record_pk: int) -> HttpResponseBase:
    """Listen to one call recording (R-M7-10): a reason, the archive's rules, a log row."""
    household = archive.get_household(request.user, pk)
    record = get_object_or_404(CallRecording, pk=record_pk, household=household)
    form = MediaOpenForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写查阅事由"))
        return redirect("estates:call_recordings", pk=household.pk)
    try:
        file = actions.open_call_recording(request.user, record, reason=form.cleaned_data["reason"],
                                           screen="通话录音页")
    except archive.RevealDenied as exc:
        messages.error(request, exc.message)
        return redirect("estates:call_recordings", pk=household.pk)
    file.open("rb")
    response = FileResponse(file, as_attachment=False, filename=os.path.basename(file.name))
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# ---------------------------------------------------------------- the steward's contacts (R-M19-05)


@login_required
def steward_contacts(request: AuthenticatedRequest) -> HttpResponse:
    """所管楼栋住户联系方式 (R-M19-05): the butler's list of every household of the buildings they steward,
    masked; POST with a reason shows all names and phones at once for the return visits (logged per
    person, VIPs stay masked without a grant)."""
    projects = queries.steward_projects(request.user)
    if not projects:
        raise Http404
    raw = request.POST.get("project") if request.method == "POST" else request.GET.get("project")
    project = next((p for p in projects if str(p.pk) == raw), projects[0])
    households = list(queries.steward_households(request.user, project))
    rows = [(h, [queries.person_view(p) for p in h.persons.all()]) for h in households]
    form = RevealForm(request.POST or None)
    revealed, status = False, 200
    if request.method == "POST":
        if form.is_valid():
            try:
                rows = actions.reveal_steward_contacts(request.user, project, reason=form.reason(),
                                                       screen="所管楼栋住户联系方式")
                revealed = True
            except archive.RevealDenied as exc:
                form.add_error(None, exc.message)
                status = 403
        else:
            status = 400
    response = render(request, "estates/steward_contacts.html", {
        "projects": projects, "project": project, "rows": rows, "form": form, "revealed": revealed},
        status=status)
    if revealed:
        response["Cache-Control"] = "no-store"
    return response
