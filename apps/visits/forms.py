"""Forms of the visit pages; they only parse input — the rules are in apps.visits.actions."""
from __future__ import annotations

import uuid
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.core.validation import validate_moment, validate_planned_moment
from apps.estates.models import Household, Person
from apps.org.models import Department, Project, User
from apps.tickets.models import Category
from apps.visits.actions import MAX_PROBLEMS
from apps.visits.models import ProblemStatus, VisitCategory, VisitMethod
from apps.visits.queries import staff_of

DT_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class VisitForm(forms.Form):
    project = forms.ModelChoiceField(label=_("项目"), queryset=Project.objects.none())
    household = forms.CharField(label=_("房号"), max_length=100, help_text=_("完整房号（楼栋、单元、房号），如 1栋1单元101"))
    person_name = forms.CharField(label=_("被访人姓名"), max_length=50, required=False,
                                  help_text=_("须为该房屋登记的业主/住户；可留空"))
    category = forms.ChoiceField(label=_("走访类别"), choices=VisitCategory.choices)
    method = forms.ChoiceField(label=_("走访方式"), choices=VisitMethod.choices)
    visitor = forms.ModelChoiceField(label=_("走访人"), queryset=User.objects.none(), required=False,
                                     help_text=_("留空 = 本人"))
    visited_at = forms.DateTimeField(validators=[validate_moment], label=_("走访时间"), widget=DT_WIDGET)
    communicated = forms.CharField(label=_("沟通内容"), widget=forms.Textarea(attrs={"rows": 3}))
    opinions = forms.CharField(label=_("业主意见（详细记录）"), widget=forms.Textarea(attrs={"rows": 4}))
    emergency_reason = forms.CharField(label=_("紧急原因（免打扰时段致电时必填）"), max_length=200, required=False)
    # a one-time key: a double-clicked or re-sent form files one visit (apps.api.idempotency, a middleware)
    submission_key = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args: Any, projects: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["submission_key"] = uuid.uuid4().hex
        cast(forms.ModelChoiceField, self.fields["project"]).queryset = projects
        cast(forms.ModelChoiceField, self.fields["visitor"]).queryset = staff_of(projects, active_only=True)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        project, label = data.get("project"), (data.get("household") or "").strip()
        if project is not None and label:
            household = Household.objects.filter(project=project, label=label).first()
            if household is None:
                self.add_error("household", _("该项目没有这个房号"))
            else:
                data["household_obj"] = household
                name = (data.get("person_name") or "").strip()
                if name:
                    person = Person.objects.filter(household=household, name=name).first()
                    if person is None:
                        self.add_error("person_name", _("该房屋没有登记此人"))
                    data["person_obj"] = person
        return data


class ProblemForm(forms.Form):
    description = forms.CharField(label=_("问题描述"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    category = forms.ModelChoiceField(label=_("问题分类"), queryset=Category.objects.filter(active=True),
                                      required=False)
    status = forms.ChoiceField(label=_("状态"), choices=[(ProblemStatus.OPEN, ProblemStatus.OPEN.label),
                                                        (ProblemStatus.ON_SPOT, ProblemStatus.ON_SPOT.label)])
    answer = forms.CharField(label=_("当场答复"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    department = forms.ModelChoiceField(label=_("责任部门"), queryset=Department.objects.none(), required=False)

    def __init__(self, *args: Any, projects: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if projects is not None:
            cast(forms.ModelChoiceField, self.fields["department"]).queryset = (
                Department.objects.filter(project__in=projects).select_related("project"))


ProblemFormSet = forms.formset_factory(ProblemForm, extra=3, max_num=MAX_PROBLEMS, validate_max=True)


class CorrectForm(forms.Form):
    category = forms.ChoiceField(label=_("走访类别"), choices=VisitCategory.choices)
    method = forms.ChoiceField(label=_("走访方式"), choices=VisitMethod.choices)
    visited_at = forms.DateTimeField(validators=[validate_moment], label=_("走访时间"), widget=DT_WIDGET)
    communicated = forms.CharField(label=_("沟通内容"), widget=forms.Textarea(attrs={"rows": 3}))
    opinions = forms.CharField(label=_("业主意见（详细记录）"), widget=forms.Textarea(attrs={"rows": 4}))
    emergency_reason = forms.CharField(label=_("紧急原因（免打扰时段致电时必填）"), max_length=200, required=False)
    reason = forms.CharField(label=_("更正原因"), max_length=200)


class VoidForm(forms.Form):
    reason = forms.CharField(label=_("作废原因"), max_length=200)


class SettleForm(forms.Form):
    outcome = forms.ChoiceField(label=_("办结结果"), choices=[(ProblemStatus.SOLVED, ProblemStatus.SOLVED.label),
                                                          (ProblemStatus.CANNOT_SOLVE,
                                                           ProblemStatus.CANNOT_SOLVE.label)])
    text = forms.CharField(label=_("处理结果 / 无法解决的原因"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class RaiseTicketForm(forms.Form):
    agreed_feedback_at = forms.DateTimeField(validators=[validate_planned_moment], label=_("约定反馈时间"), widget=DT_WIDGET, required=False,
                                             help_text=_("与业主约定的反馈时间"))
    complainant_surname = forms.CharField(label=_("业主姓氏"), max_length=20, required=False,
                                          help_text=_("走访未登记被访人时填写"))
    phone = forms.CharField(label=_("联系电话"), max_length=30, required=False)
