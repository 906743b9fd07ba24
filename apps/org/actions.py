"""Writes of the organisation app.

- :func:`change_setting` / :func:`remove_setting_override` — a company's or project's settings
  (SPEC Appendix A), for every module's section registered in :mod:`apps.org.settings_registry`;
  validated by the section's form, written in one transaction with a :class:`SettingChange` row.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils.translation import gettext as _

from apps.core.errors import DomainError
from apps.org import access
from apps.org.models import Company, Project, SettingChange
from apps.org.roles import Cap
from apps.org.settings_registry import SettingsSection, plain

if TYPE_CHECKING:
    from apps.org.models import User


class SettingsError(DomainError):
    """A refused settings change; ``form`` is the bound form with its errors (pages show it)."""

    def __init__(self, message: str, *, code: str = "invalid", status: int = 422,
                 fields: dict[str, list[str]] | None = None, form: forms.BaseForm | None = None) -> None:
        super().__init__(message, code=code, status=status, fields=fields)
        self.form = form


def can_change(user: User | Any, company: Company, project: Project | None) -> bool:
    """Company values: a company-level ``MANAGE_CONFIG`` holder of that company (系统管理员);
    a project's override: ``MANAGE_CONFIG`` in that project (管理处经理) or company-wide."""
    if project is None:
        return access.has_company_cap(user, Cap.MANAGE_CONFIG, company.pk)
    return project.company_id == company.pk and access.has_cap(user, Cap.MANAGE_CONFIG, project)


def _check(section: SettingsSection, company: Company, project: Project | None, by: Any) -> None:
    if project is None and not section.company_level:
        raise SettingsError(_("此设置只能按项目设置"), code="project_required", fields={"project_id": [_("请选择项目")]})
    if project is not None and not section.project_override:
        raise SettingsError(_("此设置只能由公司统一设置，不能按项目单独设置"), code="company_only",
                            fields={"project_id": [_("此设置不按项目设置")]})
    if not can_change(by, company, project):
        raise SettingsError(_("您无权修改此设置"), code="forbidden", status=403)


def _reason(reason: str) -> str:
    text = (reason or "").strip()
    if len(text) < 2:
        raise SettingsError(_("请填写修改原因"), code="reason_required", fields={"reason": [_("请填写修改原因")]})
    return text[:500]


def _json(values: Mapping[str, Any]) -> dict[str, Any]:
    import json

    return json.loads(json.dumps({k: plain(v) for k, v in values.items()}, cls=DjangoJSONEncoder))


def change_setting(*, section: SettingsSection, company: Company, project: Project | None,
                   data: Mapping[str, Any], reason: str, by: User | Any, now: dt.datetime) -> SettingChange:
    """Validate ``data`` with the section's form and write it (a project's values become its override).
    Records who, when, why and the values before and after; applies to records created afterwards."""
    _check(section, company, project, by)
    form = section.form(company, project, data=data)
    reason_error = None
    try:
        reason = _reason(reason)
    except SettingsError as exc:
        reason_error = exc
    if not form.is_valid() or reason_error is not None:
        fields = {name: [str(e) for e in errors] for name, errors in form.errors.items()}
        if reason_error is not None:
            fields.update(reason_error.fields)
        raise SettingsError(_("输入有误，请按提示修改"), fields=fields, form=form)
    with transaction.atomic():
        before, _source = section.values(company, project)
        section.save(company, project, form, by=by, reason=reason)
        after, _source = section.values(company, project)
        return SettingChange.objects.create(
            company=company, project=project, section=section.key, action="change", before=_json(before),
            after=_json(after), reason=reason, changed_by=by, changed_at=now)


def remove_setting_override(*, section: SettingsSection, company: Company, project: Project, reason: str,
                            by: User | Any, now: dt.datetime) -> SettingChange:
    """Drop the project's own values of ``section``: the company's values apply again."""
    _check(section, company, project, by)
    reason = _reason(reason)
    with transaction.atomic():
        before, source = section.values(company, project)
        if source != "project" or not section.remove_override(company, project):
            raise SettingsError(_("该项目没有单独设置"), code="no_override", status=409)
        after, _source = section.values(company, project)
        return SettingChange.objects.create(
            company=company, project=project, section=section.key, action="remove_override",
            before=_json(before), after=_json(after), reason=reason, changed_by=by, changed_at=now)
