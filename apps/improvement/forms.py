"""Forms of the improvement-plan pages (parsing only; the rules are in actions)."""
from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.improvement.models import ActionStatus, LifecycleStage, PlanKind, PlanLine
from apps.tickets.models import Category


class PlanForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    kind = forms.ChoiceField(label=_("类别"), choices=PlanKind.choices)
    line = forms.ChoiceField(label=_("条线"), choices=[("", "—"), *PlanLine.choices], required=False)
    title = forms.CharField(label=_("标题（可留空自动生成）"), max_length=100, required=False)


class ActionForm(forms.Form):
    item = forms.CharField(label=_("不满意问题分项 / 提升策略"), max_length=300)
    causes = forms.CharField(label=_("原因概况"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    summary = forms.CharField(label=_("计划概要 / 行动计划"), widget=forms.Textarea(attrs={"rows": 2}))
    support = forms.CharField(label=_("需求支撑"), max_length=200, required=False)
    stage = forms.ChoiceField(label=_("客户生命周期阶段"), choices=[("", "—"), *LifecycleStage.choices], required=False)
    action_strategy = forms.CharField(label=_("行动策略"), max_length=200, required=False)
    department = forms.CharField(label=_("负责部门"), max_length=100, required=False)
    due_on = forms.DateField(label=_("完成时间"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    responsible = forms.CharField(label=_("责任人"), max_length=50, required=False)
    survey_items = forms.CharField(label=_("关联调查项目代码（逗号分隔）"), max_length=300, required=False)
    complaint_categories = forms.ModelMultipleChoiceField(label=_("关联投诉类别"), required=False,
                                                          queryset=Category.objects.none())

    def __init__(self, *args: Any, company_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["complaint_categories"].queryset = Category.objects.filter(  # type: ignore[attr-defined]
            active=True).filter(company_id__in=[company_id]) | Category.objects.filter(active=True, company=None)

    def codes(self) -> list[str]:
        return [c.strip() for c in self.cleaned_data["survey_items"].replace("，", ",").split(",") if c.strip()]


class ProgressForm(forms.Form):
    # no status chosen in advance: one form serves every row, so a preset would overwrite a row's real status
    status = forms.ChoiceField(label=_("进度"), choices=[("", _("请选择进度")), *ActionStatus.choices])
    progress = forms.CharField(label=_("进展"), required=False, widget=forms.TextInput())
    evidence = forms.CharField(label=_("完成证据"), required=False, widget=forms.TextInput())


class MeetingForm(forms.Form):
    held_on = forms.DateField(label=_("会议日期"), widget=forms.DateInput(attrs={"type": "date"}))
    minutes = forms.CharField(label=_("会议纪要"), widget=forms.Textarea(attrs={"rows": 3}))
    numbers = forms.CharField(label=_("讨论的计划行序号（逗号分隔）"), required=False, max_length=200)
