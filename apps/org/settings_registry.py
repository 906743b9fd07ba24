"""Company and project settings (SPEC Appendix A: "every policy is data, per company, and may be
overridden per project") — one pattern for every module's policies.

A module that owns a policy table describes it once as a :class:`SettingsSection` in its own
``settings_sections.py`` (found by :func:`autodiscover`, the way Django's admin finds ``admin.py``;
nothing below imports a higher module). The staff pages ``/org/settings/…`` and the API
``/api/v1/org/settings/…`` then show and change it through :func:`apps.org.actions.change_setting`,
which validates with the section's form, writes in one transaction and records a
:class:`apps.org.models.SettingChange` row (who, when, why, before and after).

- :class:`ModelRowSection` — the usual table: one row per company (``project`` empty) and one row per
  project that overrides it (or a company-only / project-only table).
- Any other shape (e.g. the rule-set choice per concern) subclasses :class:`SettingsSection`.

Who may change what (R-M19, issue 17 item 3): company values — a company-level holder of
``MANAGE_CONFIG`` (系统管理员); a project's override — a holder of ``MANAGE_CONFIG`` in that project
(管理处经理) or company-wide. A change applies to records created afterwards; deadlines already
stamped keep their basis.
"""
from __future__ import annotations

import datetime as dt
import decimal
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django import forms
from django.db import models
from django.forms.models import modelform_factory
from django.utils.module_loading import autodiscover_modules

if TYPE_CHECKING:
    from apps.org.models import Company, Project


@dataclass(frozen=True)
class FieldSpec:
    """One editable field: the model field's name and the label/help shown to staff (never a rule or
    policy code)."""

    name: str
    label: Any
    help: Any = ""


class SettingsSection:
    """A group of settings changed together. Subclasses implement the five methods below."""

    key: str = ""
    title: Any = ""
    group: Any = ""  # e.g. 工单时限, 报修, 报告, 通知
    description: Any = ""
    company_level: bool = True  # a company value exists
    project_override: bool = True  # a project may override it
    order: int = 100

    def form(self, company: Company, project: Project | None, data: Mapping[str, Any] | None = None) -> forms.BaseForm:
        """The form that shows and validates the values (bound when ``data`` is given)."""
        raise NotImplementedError

    def values(self, company: Company, project: Project | None) -> tuple[dict[str, Any], str]:
        """The values in force and where they come from: ``project``, ``company`` or ``default``."""
        raise NotImplementedError

    def save(self, company: Company, project: Project | None, form: forms.BaseForm, *, by: Any, reason: str) -> None:
        """Write a valid form (called by the action inside its transaction)."""
        raise NotImplementedError

    def remove_override(self, company: Company, project: Project) -> bool:
        """Drop the project's own values (the company's apply again); False when it had none."""
        raise NotImplementedError

    def fields(self, form: forms.BaseForm) -> list[dict[str, Any]]:
        """The fields' description for the API (name, label, type, choices)."""
        out = []
        for name, f in form.fields.items():
            item: dict[str, Any] = {"name": name, "label": str(f.label or name), "help": str(f.help_text or ""),
                                    "type": _type_of(f), "required": bool(f.required)}
            choices = getattr(f, "choices", None)
            if choices is not None and not isinstance(f, forms.ModelChoiceField):
                item["choices"] = [{"value": str(v), "label": str(lbl)} for v, lbl in choices]
            elif isinstance(f, forms.ModelChoiceField):
                item["choices"] = [{"value": str(o.pk), "label": str(o)} for o in (f.queryset or [])]
            out.append(item)
        return out


def _type_of(f: forms.Field) -> str:
    if isinstance(f, forms.BooleanField):
        return "boolean"
    if isinstance(f, forms.IntegerField):
        return "integer"
    if isinstance(f, forms.DecimalField | forms.FloatField):
        return "number"
    if isinstance(f, forms.JSONField):
        return "json"
    if isinstance(f, forms.ChoiceField | forms.ModelChoiceField):
        return "choice"
    return "text"


def plain(value: Any) -> Any:
    """A value as JSON data (Decimal → string, model → pk)."""
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, dt.date | dt.time | dt.datetime):
        return value.isoformat()
    return value


def form_data(form: forms.BaseForm, values: Mapping[str, Any]) -> dict[str, Any]:
    """Form data for ``values`` given as JSON (the API) — booleans, numbers, JSON fields."""
    data: dict[str, Any] = {}
    for name, value in values.items():
        f = form.fields.get(name)
        if isinstance(f, forms.JSONField) and not isinstance(value, str):
            data[name] = json.dumps(value, ensure_ascii=False)
        elif isinstance(f, forms.BooleanField):
            if value is True or value in ("true", "on", "1", 1):
                data[name] = "on"
        elif value is None:
            data[name] = ""
        else:
            data[name] = value
    return data


@dataclass
class ModelRowSection(SettingsSection):
    """A settings table with one row per company and optional project rows that override it.

    ``company_field`` / ``project_field`` name the keys (``None`` when the table has no such key,
    e.g. a one-to-one company table has no project rows)."""

    key: str = ""
    title: Any = ""
    group: Any = ""
    model: type[models.Model] = models.Model
    specs: tuple[FieldSpec, ...] = ()
    description: Any = ""
    company_field: str | None = "company"
    project_field: str | None = "project"
    order: int = 100
    # extra checks of the cleaned values → {field: message} (beyond the model's own validation)
    check: Callable[[dict[str, Any]], dict[str, str]] | None = None
    company_level: bool = field(init=False, default=True)
    project_override: bool = field(init=False, default=True)

    def __post_init__(self) -> None:
        self.company_level = self.company_field is not None
        self.project_override = self.project_field is not None

    # ------------------------------------------------------------------ rows
    def _filter(self, company: Company, project: Project | None) -> dict[str, Any]:
        keys: dict[str, Any] = {}
        if self.company_field:
            keys[self.company_field] = company
        if self.project_field:
            keys[self.project_field] = project
        return keys

    def row(self, company: Company, project: Project | None) -> models.Model | None:
        lookup = self._filter(company, project)
        if project is not None and self.project_field:
            lookup = {self.project_field: project}  # a project row belongs to the project's company
        return self.model._default_manager.filter(**lookup).first()

    def _effective(self, company: Company, project: Project | None) -> tuple[models.Model, str]:
        if project is not None and self.project_override:
            own = self.row(company, project)
            if own is not None:
                return own, "project"
        if self.company_level:
            base = self.row(company, None)
            if base is not None:
                return base, "company"
        return self.model(**self._filter(company, project)), "default"

    def _form_class(self) -> type[forms.ModelForm]:
        names = [s.name for s in self.specs]
        labels = {s.name: s.label for s in self.specs}
        helps = {s.name: s.help for s in self.specs if s.help}
        base = modelform_factory(self.model, fields=names, labels=labels, help_texts=helps)
        check = self.check
        if check is None:
            return base

        def clean(form: forms.ModelForm) -> dict[str, Any]:
            cleaned = forms.ModelForm.clean(form) or {}
            for name, message in check(cleaned).items():
                form.add_error(name, message)
            return cleaned

        return type(base.__name__, (base,), {"clean": clean})

    # ------------------------------------------------------------------ interface
    def values(self, company: Company, project: Project | None) -> tuple[dict[str, Any], str]:
        row, source = self._effective(company, project)
        return {s.name: plain(getattr(row, s.name)) for s in self.specs}, source

    def form(self, company: Company, project: Project | None,
             data: Mapping[str, Any] | None = None) -> forms.BaseForm:
        own = self.row(company, project)
        if own is None:
            # a new row starts from the values in force (the company's for a new project override)
            base, _source = self._effective(company, project)
            own = self.model(**self._filter(company, project))
            for s in self.specs:
                setattr(own, s.name, getattr(base, s.name))
        return self._form_class()(data=data, instance=own)

    def save(self, company: Company, project: Project | None, form: forms.BaseForm, *, by: Any, reason: str) -> None:
        assert isinstance(form, forms.ModelForm)
        instance = form.save(commit=False)
        if hasattr(instance, "history"):
            instance._change_reason = reason
            instance._history_user = by
        instance.save()

    def remove_override(self, company: Company, project: Project) -> bool:
        own = self.row(company, project)
        if own is None:
            return False
        own.delete()
        return True


_SECTIONS: dict[str, SettingsSection] = {}


def register(section: SettingsSection) -> SettingsSection:
    if section.key in _SECTIONS and _SECTIONS[section.key] is not section:
        raise ValueError(f"settings section {section.key!r} registered twice")
    _SECTIONS[section.key] = section
    return section


def sections() -> list[SettingsSection]:
    return sorted(_SECTIONS.values(), key=lambda s: (s.order, s.key))


def get(key: str) -> SettingsSection | None:
    return _SECTIONS.get(key)


def autodiscover() -> None:
    """Import every installed app's ``settings_sections`` module (called once from OrgConfig.ready)."""
    autodiscover_modules("settings_sections")


def keys() -> Iterable[str]:
    return list(_SECTIONS)
