"""Forms of the assessment pages: they only parse input — the rules are in apps.assessments.actions."""
from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.assessments.models import CatalogueItem, EntrySource
from apps.org.models import Project, User


def bind_refusal(form: forms.Form, exc: Any) -> None:
    form.add_error(None, exc.message)
    for name, messages in (exc.fields or {}).items():
        if name in form.fields:
            for m in messages:
                form.add_error(name, m)


class OpenSheetForm(forms.Form):
    project = forms.ModelChoiceField(label=_("项目"), queryset=Project.objects.none())
    employee = forms.ModelChoiceField(label=_("员工"), queryset=User.objects.none())
    period = forms.DateField(label=_("考核月份"), widget=forms.DateInput(attrs={"type": "month"}),
                             input_formats=["%Y-%m", "%Y-%m-%d"])

    def __init__(self, *args: Any, projects: Any, staff: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["project"]).queryset = projects
        cast(forms.ModelChoiceField, self.fields["employee"]).queryset = staff


class EntryForm(forms.Form):
    item = forms.ModelChoiceField(label=_("扣分项"), queryset=CatalogueItem.objects.none(), required=False,
                                  help_text=_("顾客表扬可不选"))
    source = forms.ChoiceField(label=_("来源"), choices=EntrySource.choices)
    value = forms.DecimalField(label=_("每次扣分"), max_digits=6, decimal_places=2, required=False,
                               help_text=_("范围项须在范围内选择；固定项可留空"))
    quantity = forms.IntegerField(label=_("次数/项数"), min_value=1, max_value=100, initial=1)
    occurred_on = forms.DateField(label=_("发生日期"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("事实描述"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, items: Any, sources: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField, self.fields["item"])
        field.queryset = items
        field.label_from_instance = lambda i: f"{i.code} {i.behaviour}（{i.points_label}）"  # type: ignore[method-assign,assignment]
        if sources is not None:
            cast(forms.ChoiceField, self.fields["source"]).choices = sources


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("原因"), max_length=200)


class SignOffForm(forms.Form):
    note = forms.CharField(label=_("签核意见"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class StartingScoreForm(forms.Form):
    starting_score = forms.DecimalField(label=_("考核起始分"), max_digits=6, decimal_places=2)
