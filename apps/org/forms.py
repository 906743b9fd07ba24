"""Forms of the CS department's plans, budget and fixed assets (R-M19-01, R-M19-02); rules stay in
:mod:`apps.org.actions`."""
from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.org.models import AssetStatus, Department, PlanKind, Project, User

DATE = forms.DateInput(attrs={"type": "date"})


class _ProjectDepartmentForm(forms.Form):
    project: forms.ModelChoiceField[Any] = forms.ModelChoiceField(label=_("项目"), queryset=Project.objects.none())
    department: forms.ModelChoiceField[Any] = forms.ModelChoiceField(label=_("部门"),
                                                                      queryset=Department.objects.none())

    def __init__(self, *args: Any, projects: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["project"]).queryset = projects
        cast(forms.ModelChoiceField, self.fields["department"]).queryset = Department.objects.filter(
            project__in=projects).select_related("project").order_by("project__code", "name")


class PlanForm(_ProjectDepartmentForm):
    kind = forms.ChoiceField(label=_("类别"), choices=PlanKind.choices)
    title = forms.CharField(label=_("标题"), max_length=100)
    period = forms.CharField(label=_("期间"), max_length=30, help_text=_("如 2027年度、2027年第一季度"))
    content = forms.CharField(label=_("内容"), widget=forms.Textarea(attrs={"rows": 5}))
    amount = forms.DecimalField(label=_("预算金额（元）"), required=False, max_digits=12, decimal_places=2,
                                help_text=_("类别为部门预算时必填"))


class AssetForm(_ProjectDepartmentForm):
    asset_no = forms.CharField(label=_("资产编号"), max_length=40)
    name = forms.CharField(label=_("资产名称"), max_length=100)
    location = forms.CharField(label=_("存放地点"), max_length=100)
    acquired_on = forms.DateField(label=_("购置日期"), widget=DATE)
    value = forms.DecimalField(label=_("原值（元）"), max_digits=12, decimal_places=2)
    custodian: forms.ModelChoiceField[Any] = forms.ModelChoiceField(label=_("保管人"), required=False,
                                                                     queryset=User.objects.none())
    note = forms.CharField(label=_("备注"), max_length=200, required=False)

    def __init__(self, *args: Any, projects: Any, **kwargs: Any) -> None:
        super().__init__(*args, projects=projects, **kwargs)
        cast(forms.ModelChoiceField, self.fields["custodian"]).queryset = User.objects.filter(
            memberships__project__in=projects, is_active=True).distinct().order_by("display_name", "username")


ASSET_STATUS_CHOICES = AssetStatus.choices
