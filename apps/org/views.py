"""Organisation pages: the internal directory (R-M19-12) and the company / project settings pages
(SPEC Appendix A, issue 17 item 3): every module's policies, changed by the 系统管理员 for the
company and by the 管理处经理 as their project's override, with the reason and a history."""
from __future__ import annotations

import json
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from apps.core.errors import DomainError, bind_to_form
from apps.org import access, actions, settings_registry, staff
from apps.org.directory import directory
from apps.org.forms import AssetForm, PlanForm
from apps.org.models import (
    AssetStatus,
    Company,
    Department,
    DepartmentPlan,
    FixedAsset,
    Membership,
    Project,
    SettingChange,
    StaffChange,
    User,
)
from apps.org.roles import Cap, Role
from linli import clock


@login_required
def directory_page(request: HttpRequest) -> HttpResponse:
    project = getattr(request, "project", None)
    return render(request, "org/directory.html", {"sections": directory(project) if project else []})


def _company(request: HttpRequest) -> Company:
    """The user's company; only holders of the configuration capability see the settings pages."""
    if not access.has_cap(request.user, Cap.MANAGE_CONFIG):
        raise Http404
    company_id = access.company_of(request.user)
    company = Company.objects.filter(pk=company_id).first() if company_id else None
    if company is None:
        raise Http404
    return company


def _config_projects(request: HttpRequest, company: Company) -> list[Project]:
    return [p for p in access.visible_projects(request.user).filter(company=company).order_by("code")
            if access.has_cap(request.user, Cap.MANAGE_CONFIG, p)]


def source_label(source: str) -> str:
    return {"project": _("项目单独设置"), "company": _("公司设置"), "default": _("系统默认")}[source]


@login_required
def settings_index(request: HttpRequest) -> HttpResponse:
    company = _company(request)
    projects = _config_projects(request, company)
    groups: dict[str, list[dict[str, Any]]] = {}
    for s in settings_registry.sections():
        row: dict[str, Any] = {"section": s, "company_url": None, "projects": []}
        if s.company_level:
            _values, source = s.values(company, None)
            row["company_url"] = reverse("org:settings_company", args=[s.key])
            row["company_source"] = source_label(source)
        if s.project_override:
            for p in projects:
                _values, source = s.values(company, p)
                row["projects"].append({"project": p, "source": source_label(source),
                                        "own": source == "project",
                                        "url": reverse("org:settings_project", args=[s.key, p.pk])})
        groups.setdefault(str(s.group), []).append(row)
    return render(request, "org/settings_index.html", {
        "company": company, "groups": groups,
        "can_company": actions.can_change(request.user, company, None),
    })


@login_required
def settings_company(request: HttpRequest, key: str) -> HttpResponse:
    return _settings_page(request, key, None)


@login_required
def settings_project(request: HttpRequest, key: str, project_id: int) -> HttpResponse:
    return _settings_page(request, key, project_id)


def _settings_page(request: HttpRequest, key: str, project_id: int | None) -> HttpResponse:
    company = _company(request)
    section = settings_registry.get(key)
    if section is None:
        raise Http404
    project = None
    if project_id is not None:
        project = access.visible_projects(request.user).filter(pk=project_id, company=company).first()
        if project is None or not section.project_override:
            raise Http404
    elif not section.company_level:
        raise Http404
    editable = actions.can_change(request.user, company, project)
    form = section.form(company, project)
    reason = ""
    if request.method == "POST":
        if not editable:
            raise Http404
        reason = request.POST.get("reason", "")
        try:
            if request.POST.get("step") == "remove" and project is not None:
                actions.remove_setting_override(section=section, company=company, project=project, reason=reason,
                                                by=request.user, now=clock.now())
                messages.success(request, _("已取消本项目的单独设置，今后新记录按公司设置执行。"))
            else:
                actions.change_setting(section=section, company=company, project=project, data=request.POST,
                                       reason=reason, by=request.user, now=clock.now())
                messages.success(request, _("设置已保存。新设置只适用于此后新建的记录，已有记录的时限不变。"))
            return redirect(request.path)
        except actions.SettingsError as exc:
            messages.error(request, exc.message)
            form = exc.form or form
            reason_errors = exc.fields.get("reason", [])
            return render(request, "org/settings_edit.html", _edit_context(
                request, company, section, project, form, editable, reason, reason_errors, exc), status=422)
    return render(request, "org/settings_edit.html",
                  _edit_context(request, company, section, project, form, editable, reason, [], None))


def _edit_context(request: HttpRequest, company: Company, section: settings_registry.SettingsSection,
                  project: Project | None, form: Any, editable: bool, reason: str, reason_errors: list[str],
                  error: actions.SettingsError | None) -> dict[str, Any]:
    values, source = section.values(company, project)
    history = (SettingChange.objects.filter(company=company, section=section.key, project=project)
               .select_related("changed_by", "project")[:30])
    labels = {name: str(f.label or name) for name, f in form.fields.items()}
    shown = {name: _choice_labels(f) for name, f in form.fields.items()}

    def show(name: str, value: Any) -> str:
        return shown.get(name, {}).get(str(value), "") or _shown(value)

    changes = [{"row": h, "diff": [(labels.get(k, k), show(k, h.before.get(k)), show(k, v))
                                   for k, v in h.after.items() if h.before.get(k) != v]} for h in history]
    return {
        "company": company, "section": section, "project": project, "form": form, "editable": editable,
        "source": source, "source_text": source_label(source), "reason": reason, "reason_errors": reason_errors,
        "error": error, "changes": changes,
        "current": [(labels.get(k, k), show(k, v)) for k, v in values.items()],
    }


def _choice_labels(f: Any) -> dict[str, str]:
    if hasattr(f, "queryset"):
        return {str(o.pk): str(o) for o in f.queryset}
    choices = getattr(f, "choices", None)
    return {str(v): str(lbl) for v, lbl in choices} if choices else {}


def _shown(value: Any) -> str:
    if value is True:
        return _("是")
    if value is False:
        return _("否")
    if value is None or value == "":
        return "—"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


# ---------------------------------------------------------------- staff accounts (issue 17 item 4)


class StaffForm(forms.Form):
    username = forms.CharField(label=_("登录名"), max_length=150)
    display_name = forms.CharField(label=_("姓名"), max_length=50)
    phone = forms.CharField(label=_("手机"), max_length=30, required=False)
    employee_no = forms.CharField(label=_("工号"), max_length=30, required=False)
    password = forms.CharField(label=_("初始密码"), widget=forms.PasswordInput, min_length=8)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("岗位"), choices=Role.choices)
    project = forms.ModelChoiceField(label=_("项目（公司级岗位留空）"), queryset=Project.objects.none(), required=False)
    department = forms.ModelChoiceField(label=_("部门"), queryset=Department.objects.none(), required=False)
    reason = forms.CharField(label=_("原因"), max_length=500, required=False)

    def __init__(self, company: Company, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = Project.objects.filter(company=company).order_by("code")  # type: ignore[attr-defined]
        self.fields["department"].queryset = (Department.objects.filter(company=company)  # type: ignore[attr-defined]
                                              .select_related("project").order_by("project__code", "name", "pk"))


class ActiveForm(forms.Form):
    reason = forms.CharField(label=_("原因"), max_length=500)


def _staff_company(request: HttpRequest) -> Company:
    """The user's company; only its 系统管理员 opens the staff pages (404 for everyone else)."""
    company_id = access.company_of(request.user)
    company = Company.objects.filter(pk=company_id).first() if company_id else None
    if company is None or not staff.may_manage(request.user, company):
        raise Http404
    return company


def _refused(request: HttpRequest, form: forms.Form, exc: actions.StaffError) -> None:
    """An action's refusal shown beside the field it names (or above the form)."""
    for name, errs in (exc.fields or {}).items():
        key = name.removesuffix("_id")
        for e in errs:
            form.add_error(key if key in form.fields else None, e)
    if not exc.fields:
        form.add_error(None, exc.message)


@login_required
def staff_list(request: HttpRequest) -> HttpResponse:
    company = _staff_company(request)
    form = StaffForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = actions.create_staff(company=company, acting_user=_me(request), now=clock.now(), **form.cleaned_data)
        except actions.StaffError as exc:
            _refused(request, form, exc)
        else:
            messages.success(request, _("已新建账号，请分配岗位"))
            return redirect("org:staff_detail", pk=user.pk)
    people = (staff.staff_of(company).prefetch_related(
        Prefetch("memberships", queryset=Membership.objects.filter(company=company)
                 .select_related("project", "department").order_by("pk")))
        .order_by("-is_active", "username"))
    return render(request, "org/staff_list.html", {"company": company, "people": people, "form": form})


@login_required
def staff_detail(request: HttpRequest, pk: int) -> HttpResponse:
    company = _staff_company(request)
    person = get_object_or_404(staff.staff_of(company), pk=pk)
    role_form = RoleForm(company, request.POST if request.POST.get("step") == "assign" else None)
    active_form = ActiveForm(request.POST if request.POST.get("step") in ("deactivate", "reactivate") else None)
    if request.method == "POST":
        step, now, me = request.POST.get("step"), clock.now(), _me(request)
        try:
            if step == "assign" and role_form.is_valid():
                d = role_form.cleaned_data
                actions.assign_role(company=company, user=person, role=d["role"], project=d["project"],
                                    department=d["department"], reason=d["reason"], acting_user=me, now=now)
                messages.success(request, _("已分配岗位"))
                return redirect("org:staff_detail", pk=person.pk)
            if step == "unassign":
                membership = get_object_or_404(Membership, pk=request.POST.get("membership") or 0, user=person,
                                               company=company)
                actions.remove_role(membership=membership, reason=request.POST.get("reason", ""), acting_user=me,
                                    now=now)
                messages.success(request, _("已撤销岗位"))
                return redirect("org:staff_detail", pk=person.pk)
            if step in ("deactivate", "reactivate") and active_form.is_valid():
                actions.set_active(company=company, user=person, active=step == "reactivate",
                                   reason=active_form.cleaned_data["reason"], acting_user=me, now=now)
                messages.success(request, _("已恢复账号") if step == "reactivate" else _("已停用账号"))
                return redirect("org:staff_detail", pk=person.pk)
        except actions.StaffError as exc:
            _refused(request, role_form if step == "assign" else active_form, exc)
            if step == "unassign":
                messages.error(request, exc.message)
    return render(request, "org/staff_detail.html", {
        "company": company, "person": person, "role_form": role_form, "active_form": active_form,
        "memberships": Membership.objects.filter(user=person, company=company).select_related("project", "department")
        .order_by("pk"),
        "changes": StaffChange.objects.filter(user=person, company=company).select_related("changed_by")[:100],
    })


def _me(request: HttpRequest) -> User:
    return cast(User, request.user)


# ---------------------------------------------------------------- project data (R-M1-02)


class ProjectForm(forms.Form):
    name = forms.CharField(label=_("项目名称"), max_length=100)
    address = forms.CharField(label=_("地址"), max_length=200, required=False)
    service_phone = forms.CharField(label=_("24小时服务电话"), max_length=30, required=False)
    repair_phone = forms.CharField(label=_("24小时报修电话"), max_length=30, required=False,
                                   help_text=_("可以与服务电话相同"))
    active = forms.BooleanField(label=_("在管"), required=False,
                                help_text=_("在管项目须有24小时服务电话和24小时报修电话"))
    reason = forms.CharField(label=_("修改原因"), max_length=500)


def _editable_projects(request: HttpRequest) -> list[Project]:
    return actions.editable_projects(request.user)


@login_required
def project_list(request: HttpRequest) -> HttpResponse:
    """项目资料: the projects this user may edit, with the two 24-hour numbers (R-M1-02)."""
    projects = _editable_projects(request)
    if not projects:
        raise Http404
    rows = [{"project": p, "missing": actions.missing_24h_numbers(p)} for p in projects]
    return render(request, "org/project_list.html", {"rows": rows})


@login_required
def project_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """修改项目资料 through :func:`apps.org.actions.edit_project` (R-M1-02)."""
    project = get_object_or_404(Project, pk=pk, pk__in=[p.pk for p in _editable_projects(request)])
    may_activate = actions.can_change(request.user, project.company, None)
    initial = {n: getattr(project, n) for n in ("name", "address", "service_phone", "repair_phone", "active")}
    form = ProjectForm(initial=initial)
    status = 200
    if request.method == "POST":
        form = ProjectForm(request.POST)
        status = 422
        if form.is_valid():
            changes = {n: v for n, v in form.cleaned_data.items() if n != "reason"}
            if not may_activate:
                changes.pop("active")
            try:
                actions.edit_project(project=project, changes=changes, reason=form.cleaned_data["reason"],
                                     acting_user=request.user, now=clock.now())
            except actions.StaffError as exc:
                for name, errors in (exc.fields or {}).items():
                    for e in errors:
                        form.add_error(name if name in form.fields else None, e)
                if not exc.fields:
                    form.add_error(None, exc.message)
                elif exc.message not in {e for errs in exc.fields.values() for e in errs}:
                    form.add_error(None, exc.message)
                status = exc.status
            else:
                messages.success(request, _("项目资料已保存"))
                return redirect("org:project_edit", pk=project.pk)
    if not may_activate:
        form.fields["active"].disabled = True
    return render(request, "org/project_edit.html", {"project": project, "form": form}, status=status)


# ---------------------------------------------------------------- the CS department's plans and assets


def _cap_projects(request: HttpRequest, *caps: str) -> Any:
    ids = [p.pk for p in access.visible_projects(request.user) if any(access.has_cap(request.user, c, p) for c in caps)]
    return Project.objects.filter(pk__in=ids).order_by("code")


def _row_action(request: HttpRequest, run: Any) -> tuple[bool, int]:
    """A row button (approve, return, execution check, asset check): its refusal is shown at the top."""
    try:
        run()
    except DomainError as exc:
        messages.error(request, exc.message)
        return False, exc.status
    return True, 200


@login_required
def department_plans(request: HttpRequest) -> HttpResponse:
    """部门计划与预算 (R-M19-01, R-M19-02): the 客服主管 writes plans, reports, the budget, the management plan
    and system documents and checks an approved plan's execution; the 客服经理 / 管理处经理 approves or
    returns them (not their own)."""
    projects = _cap_projects(request, Cap.DRAFT_DEPT_PLANS, Cap.APPROVE_DEPT_PLANS)
    if not projects.exists():
        raise Http404
    drafting = _cap_projects(request, Cap.DRAFT_DEPT_PLANS)
    form = PlanForm(request.POST if request.POST.get("op") == "draft" else None, projects=drafting)
    status = 200
    now, user = clock.now(), cast(User, request.user)
    if request.method == "POST":
        op = request.POST.get("op")
        plan = DepartmentPlan.objects.filter(pk=request.POST.get("plan") or 0, project__in=projects).first()
        if op == "draft":
            if form.is_valid():
                try:
                    actions.draft_plan(acting_user=user, now=now, **form.cleaned_data)
                except DomainError as exc:
                    bind_to_form(form, exc)
                    status = exc.status
                else:
                    messages.success(request, _("已提交审批"))
                    return redirect("org:department_plans")
            else:
                status = 400
        elif plan is None:
            raise Http404
        else:
            if op in ("approve", "return"):
                ok, status = _row_action(request, lambda: actions.decide_plan(
                    plan=plan, approve=op == "approve", note=request.POST.get("note", ""), acting_user=user, now=now))
            elif op == "execution":
                ok, status = _row_action(request, lambda: actions.check_plan_execution(
                    plan=plan, note=request.POST.get("note", ""), acting_user=user, now=now))
            else:
                raise Http404
            if ok:
                messages.success(request, _("已保存"))
                return redirect("org:department_plans")
    plans = list(DepartmentPlan.objects.filter(project__in=projects).select_related(
        "project", "department", "drafted_by", "decided_by", "execution_checked_by").order_by("-drafted_at", "-id")[:300])
    approving = set(_cap_projects(request, Cap.APPROVE_DEPT_PLANS).values_list("pk", flat=True))
    drafting_ids = set(drafting.values_list("pk", flat=True))
    rows = [{"p": p, "may_decide": p.status == "submitted" and p.project_id in approving and p.drafted_by_id != user.pk,
             "may_check": p.status == "approved" and p.project_id in drafting_ids} for p in plans]
    return render(request, "org/department_plans.html", {
        "rows": rows, "form": form if drafting.exists() else None}, status=status)


@login_required
def department_assets(request: HttpRequest) -> HttpResponse:
    """部门固定资产 (R-M19-02): the 客服主管 (and the managers) register and check the department's assets."""
    projects = _cap_projects(request, Cap.MANAGE_DEPT_ASSETS)
    if not projects.exists():
        raise Http404
    form = AssetForm(request.POST if request.POST.get("op") == "register" else None, projects=projects)
    status = 200
    now, user = clock.now(), cast(User, request.user)
    if request.method == "POST":
        if request.POST.get("op") == "register":
            if form.is_valid():
                try:
                    actions.register_asset(acting_user=user, now=now, **form.cleaned_data)
                except DomainError as exc:
                    bind_to_form(form, exc)
                    status = exc.status
                else:
                    messages.success(request, _("已登记固定资产"))
                    return redirect("org:department_assets")
            else:
                status = 400
        elif request.POST.get("op") == "check":
            asset = get_object_or_404(FixedAsset, pk=request.POST.get("asset") or 0, project__in=projects)
            ok, status = _row_action(request, lambda: actions.check_asset(
                asset=asset, status=request.POST.get("status", ""), location=request.POST.get("location", ""),
                note=request.POST.get("note", ""), acting_user=user, now=now))
            if ok:
                messages.success(request, _("已清点"))
                return redirect("org:department_assets")
        else:
            raise Http404
    assets = list(FixedAsset.objects.filter(project__in=projects).select_related("project", "department", "custodian")
                  .order_by("project__code", "asset_no")[:500])
    return render(request, "org/department_assets.html", {
        "assets": assets, "form": form, "statuses": AssetStatus.choices}, status=status)
