from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.reports.models import CaseKind


class CaseForm(forms.Form):
    kind = forms.ChoiceField(label=_("案例类型"), choices=CaseKind.choices)
    title = forms.CharField(label=_("标题"), max_length=200)
    category = forms.CharField(label=_("类别"), max_length=100, required=False)
    background = forms.CharField(label=_("事件经过"), widget=forms.Textarea(attrs={"rows": 4}))
    handling = forms.CharField(label=_("处理过程与结果"), widget=forms.Textarea(attrs={"rows": 4}))
    lessons = forms.CharField(label=_("经验教训"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    corrective_measures = forms.CharField(label=_("纠正/预防措施"), widget=forms.Textarea(attrs={"rows": 3}),
                                          required=False)
    tags = forms.CharField(label=_("标签"), max_length=200, required=False)
    source_ticket_number = forms.CharField(label=_("来源工单号"), max_length=40, required=False)
    personal_names = forms.CharField(label=_("需隐去的姓名"), required=False,
                                     help_text=_("以逗号分隔；电话、证件号、房号会自动隐去"))


class SectionsForm(forms.Form):
    summary = forms.CharField(label=_("概述"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    causes = forms.CharField(label=_("原因分析"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    lessons = forms.CharField(label=_("经验教训"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    measures = forms.CharField(label=_("改进措施"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    trends = forms.CharField(label=_("趋势"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class PublishForm(forms.Form):
    where = forms.CharField(label=_("公布位置 / 报送对象"), max_length=200)


class UtilityForm(forms.Form):
    """半年度水电统计 (R-M5-17): one finished half-year's water and electricity against the targets."""

    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    half = forms.TypedChoiceField(label=_("半年度"), coerce=int, choices=[(1, _("上半年")), (2, _("下半年"))])
    water_m3 = forms.DecimalField(label=_("用水量（吨）"), min_value=0, max_digits=12, decimal_places=2)
    water_target_m3 = forms.DecimalField(label=_("用水指标（吨）"), min_value=0, max_digits=12, decimal_places=2)
    electricity_kwh = forms.DecimalField(label=_("用电量（度）"), min_value=0, max_digits=12, decimal_places=2)
    electricity_target_kwh = forms.DecimalField(label=_("用电指标（度）"), min_value=0, max_digits=12,
                                                decimal_places=2)
    analysis = forms.CharField(label=_("分析（超指标原因、节能措施）"), max_length=10000,
                               widget=forms.Textarea(attrs={"rows": 4}))


class StairwayLightForm(forms.Form):
    """楼道灯完好情况 (R-M5-13, R-M8-06): one month's count of stairway lights and working ones."""

    month = forms.DateField(label=_("统计月份"), input_formats=["%Y-%m", "%Y-%m-%d"],
                            widget=forms.DateInput(attrs={"type": "month"}))
    lights_total = forms.IntegerField(label=_("楼道灯总数"), min_value=1, max_value=1_000_000)
    lights_working = forms.IntegerField(label=_("完好的楼道灯"), min_value=0, max_value=1_000_000)
    note = forms.CharField(label=_("说明（可选）"), max_length=500, required=False)
