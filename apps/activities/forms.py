"""Forms of the activity pages; they parse input — the rules are in apps.activities.actions."""
from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.activities.models import ActivityKind, BoardItemKind, PlanPeriod
from apps.notify.models import NoticeKind
from apps.org.roles import Role


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PlanForm(forms.Form):
    period = forms.ChoiceField(label=_("计划周期"), choices=PlanPeriod.choices)
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    quarter = forms.IntegerField(label=_("季度"), min_value=1, max_value=4, required=False)
    title = forms.CharField(label=_("计划名称"), max_length=100)


class ActivityForm(forms.Form):
    title = forms.CharField(label=_("活动名称"), max_length=100)
    kind = forms.ChoiceField(label=_("类别"), choices=ActivityKind.choices)
    held_on = forms.DateField(label=_("活动日期"), widget=forms.DateInput(attrs={"type": "date"}))
    place = forms.CharField(label=_("地点"), max_length=100, required=False)
    implementation_plan = forms.CharField(label=_("实施方案"), widget=forms.Textarea(attrs={"rows": 4}))
    budget = forms.DecimalField(label=_("费用预算（元）"), min_value=0, max_digits=10, decimal_places=2, initial=0)


class NoticeForm(forms.Form):
    text = forms.CharField(label=_("活动通知"), widget=forms.Textarea(attrs={"rows": 3}))
    post_to_board = forms.BooleanField(label=_("同时张贴到业主公告栏"), required=False)


class InviteForm(forms.Form):
    text = forms.CharField(label=_("邀请短信"), widget=forms.Textarea(attrs={"rows": 2}))


class RecordForm(forms.Form):
    summary = forms.CharField(label=_("活动记录"), widget=forms.Textarea(attrs={"rows": 3}))
    participants = forms.IntegerField(label=_("参加人数"), min_value=0)
    participant_notes = forms.CharField(label=_("参加人员/签到"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    feedback = forms.CharField(label=_("业主反馈"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class GreetingForm(forms.Form):
    kind = forms.ChoiceField(label=_("类别"), choices=[(NoticeKind.FESTIVAL, _("节日问候")),
                                                       (NoticeKind.WEATHER, _("天气等温馨提示"))])
    text = forms.CharField(label=_("短信内容"), widget=forms.Textarea(attrs={"rows": 2}))


class BoardItemForm(forms.Form):
    kind = forms.ChoiceField(label=_("公告类别"), choices=BoardItemKind.choices)
    title = forms.CharField(label=_("标题"), max_length=150)
    body = forms.CharField(label=_("正文"), widget=forms.Textarea(attrs={"rows": 4}))


class CostLimitForm(forms.Form):
    role = forms.ChoiceField(label=_("岗位"), choices=[(r, Role(r).label) for r in
                                                       (Role.CS_MANAGER, Role.PROJECT_MANAGER, Role.GENERAL_MANAGER)])
    limit = forms.DecimalField(label=_("审批限额（元）"), min_value=0, max_digits=12, decimal_places=2)
