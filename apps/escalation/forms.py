"""Forms of the escalation pages (validation messages in Chinese)."""
from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.core.validation import check_past_moment, form_check, validate_date
from apps.escalation.models import Level
from apps.tickets.choices import Attribution, Source


class DowngradeForm(forms.Form):
    to_level = forms.ChoiceField(label=_("降为"), choices=Level.choices)
    reason = forms.CharField(label=_("降级原因"), widget=forms.Textarea(attrs={"rows": 2}), min_length=4,
                             error_messages={"required": _("请填写降级原因"), "min_length": _("原因至少4个字")})


class FlagsForm(forms.Form):
    litigation = forms.BooleanField(label=_("已引起诉讼"), required=False)
    media_exposed = forms.BooleanField(label=_("已被媒体曝光"), required=False)
    media_or_litigation_risk = forms.BooleanField(label=_("可能引起诉讼或媒体曝光"), required=False)
    collective = forms.BooleanField(label=_("集体投诉"), required=False)
    people_count = forms.IntegerField(label=_("投诉人数"), min_value=1, max_value=100000)
    attribution = forms.ChoiceField(label=_("责任归属"), choices=Attribution.choices, required=False,
                                    help_text=_("只有我方原因时，未解决的天数才计入热点、重大投诉的判定"))
    source = forms.ChoiceField(label=_("渠道（来源单位）"), choices=Source.choices, required=False,
                               help_text=_("改为集团总部或政府部门转来时，投诉交由品质管理部负责"))
    reason = forms.CharField(label=_("说明（更改责任归属时必填）"), required=False)


class ReportForm(forms.Form):
    content = forms.CharField(label=_("投诉内容"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    cause_analysis = forms.CharField(label=_("原因分析"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    current_handling = forms.CharField(label=_("目前处理情况"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    difficulties = forms.CharField(label=_("处理难点分析"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    help_needed = forms.CharField(label=_("需协助事项"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    handling_result = forms.CharField(label=_("处理过程及结果"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    why_worsened = forms.CharField(label=_("事态扩大原因"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    lessons = forms.CharField(label=_("经验教训"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    corrective_measures = forms.CharField(label=_("纠正预防措施"), widget=forms.Textarea(attrs={"rows": 2}),
                                          required=False)
    situation_change = forms.CharField(label=_("事态重大变化情况"), widget=forms.Textarea(attrs={"rows": 2}),
                                       required=False)

    def __init__(self, *args: object, fields_needed: tuple[str, ...] = (), **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        for name in list(self.fields):
            if name not in fields_needed:
                del self.fields[name]


class LegacyForwardForm(forms.Form):
    month = forms.DateField(validators=[validate_date], label=_("统计月份"), widget=forms.DateInput(attrs={"type": "month"}),
                            input_formats=["%Y-%m", "%Y-%m-%d"])
    document_no = forms.CharField(label=_("转交文件编号"), required=False, max_length=50)
    note = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class LeadershipOpinionForm(forms.Form):
    """R-M3-12: 分管领导/公司管理层 handling opinion on an unresolved complaint."""

    opinion = forms.CharField(label=_("领导处理意见"), widget=forms.Textarea(attrs={"rows": 2}), min_length=4,
                              error_messages={"required": _("请填写处理意见"), "min_length": _("处理意见至少4个字")})
    given_by_name = forms.CharField(label=_("提出意见的领导"), max_length=100, required=False,
                                    help_text=_("领导本人记录时可留空"))
    given_on = forms.DateField(validators=[validate_date], label=_("意见日期"), widget=forms.DateInput(attrs={"type": "date"}),
                               error_messages={"required": _("请填写意见日期"), "invalid": _("日期格式不正确")})


class MajorChangeForm(forms.Form):
    """R-M3-08: a major change in the situation of a major complaint, phoned to the group at once."""

    situation_change = forms.CharField(label=_("事态重大变化情况"), widget=forms.Textarea(attrs={"rows": 2}),
                                       min_length=4, max_length=4000,
                                       error_messages={"required": _("请说明事态发生了什么重大变化"),
                                                       "min_length": _("变化情况至少4个字")})
    current_handling = forms.CharField(label=_("目前处理情况"), widget=forms.Textarea(attrs={"rows": 2}),
                                       max_length=4000, error_messages={"required": _("请填写目前处理情况")})
    phoned_to = forms.CharField(label=_("电话报告对象"), max_length=100,
                                help_text=_("集团物业管理部接电话的人员姓名、职务"),
                                error_messages={"required": _("请填写电话报告的集团物业管理部人员")})
    phoned_at = forms.DateTimeField(label=_("电话报告时间"),
                                    widget=forms.DateTimeInput(attrs={"type": "datetime-local"},
                                                               format="%Y-%m-%dT%H:%M"),
                                    input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
                                    error_messages={"required": _("请填写电话报告时间"),
                                                    "invalid": _("时间格式不正确")})

    def clean_phoned_at(self) -> object:
        return form_check(check_past_moment, self.cleaned_data.get("phoned_at"))
