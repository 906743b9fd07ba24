"""Forms of the inspection pages; they parse input — the rules are in apps.inspections.actions."""
from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.core.validation import validate_moment
from apps.inspections.models import (
    CheckKind,
    CheckTemplate,
    DailyLevel,
    EvaluationKind,
    Exemption,
    FindingCause,
    WarningKind,
)
from apps.org.models import Department, Project, User

DT_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleImageField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*", "capture": "environment"}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        if isinstance(data, list | tuple):
            return [super(MultipleImageField, self).clean(d, initial) for d in data]
        return [super().clean(data, initial)] if data else []


class InspectionForm(forms.Form):
    project = forms.ModelChoiceField(label=_("项目"), queryset=Project.objects.none())
    kind = forms.ChoiceField(label=_("检查类别"), choices=CheckKind.choices)
    level = forms.ChoiceField(label=_("日检层次"), choices=[("", "—"), *DailyLevel.choices], required=False)
    template = forms.ModelChoiceField(label=_("检查表"), queryset=CheckTemplate.objects.none(), required=False)
    inspected_at = forms.DateTimeField(validators=[validate_moment], label=_("检查时间"), widget=DT_WIDGET)
    scope = forms.CharField(label=_("检查范围/岗位"), max_length=200)
    summary = forms.CharField(label=_("检查情况"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    all_normal = forms.BooleanField(label=_("全部正常"), required=False)
    photos = MultipleImageField(label=_("照片"))
    checked_person = forms.CharField(label=_("被检查人"), max_length=50, required=False)
    inspector_signature = forms.CharField(required=False, widget=forms.HiddenInput)
    checked_signature = forms.CharField(required=False, widget=forms.HiddenInput)
    complete = forms.BooleanField(label=_("检查完成（夜间查岗须双方签字）"), required=False, initial=True)

    def __init__(self, *args: Any, projects: Any, templates: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = projects  # type: ignore[attr-defined]
        self.fields["template"].queryset = templates  # type: ignore[attr-defined]


class FindingForm(forms.Form):
    description = forms.CharField(label=_("不合格描述"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    cause = forms.ChoiceField(label=_("原因"), choices=FindingCause.choices, initial=FindingCause.OTHER)
    exemption = forms.ChoiceField(label=_("免记录情形"), choices=Exemption.choices, required=False)
    responsible = forms.ModelChoiceField(label=_("责任人"), queryset=User.objects.none(), required=False)
    department = forms.ModelChoiceField(label=_("责任部门"), queryset=Department.objects.none(), required=False)
    closure_note = forms.CharField(label=_("关闭/跟踪情况"), max_length=300, required=False)
    closed = forms.BooleanField(label=_("已关闭"), required=False)
    handed_up = forms.BooleanField(label=_("已用故障转呈单转呈公司"), required=False)

    def __init__(self, *args: Any, staff: Any = None, departments: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if staff is not None:
            self.fields["responsible"].queryset = staff  # type: ignore[attr-defined]
        if departments is not None:
            self.fields["department"].queryset = departments  # type: ignore[attr-defined]


FindingFormSet = forms.formset_factory(FindingForm, extra=3, max_num=30)


class WarningNightForm(forms.Form):
    night_of = forms.DateField(label=_("日期"), widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(label=_("预警"), choices=WarningKind.choices)


class PoolReadingForm(forms.Form):
    taken_at = forms.DateTimeField(validators=[validate_moment], label=_("记录时间"), widget=DT_WIDGET)
    ph = forms.CharField(label=_("pH"), required=False, max_length=12)
    br = forms.CharField(label=_("BR"), required=False, max_length=12)
    footbath_cl = forms.CharField(label=_("浸脚池余氯 mg/L"), required=False, max_length=12)
    kids_cl = forms.CharField(label=_("儿童池新水余氯 mg/L"), required=False, max_length=12)
    filter_cleaned = forms.BooleanField(label=_("清洗过滤箱"), required=False)
    footbath_changed = forms.BooleanField(label=_("浸脚池换水"), required=False)
    fresh_water_added = forms.BooleanField(label=_("定时补充新水"), required=False)
    note = forms.CharField(label=_("备注"), required=False, max_length=200)


class RoundForm(forms.Form):
    template = forms.ModelChoiceField(label=_("检查表"), queryset=CheckTemplate.objects.none())
    due_on = forms.DateField(label=_("到期日期"), widget=forms.DateInput(attrs={"type": "date"}))
    assignee = forms.ModelChoiceField(label=_("负责人"), queryset=User.objects.none())

    def __init__(self, *args: Any, templates: Any, staff: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = templates  # type: ignore[attr-defined]
        self.fields["assignee"].queryset = staff  # type: ignore[attr-defined]


class HandOnForm(forms.Form):
    to = forms.ChoiceField(label=_("转为"), choices=[("", _("请选择")), ("ticket", _("内部工单")), ("ncr", _("不合格报告"))])
    reason = forms.CharField(label=_("超出部门权限的原因（不合格报告必填）"), required=False, max_length=300)


def _limit(label: Any, *, required: bool = False, digits: int = 6) -> forms.DecimalField:
    return forms.DecimalField(label=label, required=required, max_digits=digits, decimal_places=2, min_value=0)


class PoolLimitsForm(forms.Form):
    """泳池水质限值 of one project (R-M18-16); pH and BR left empty are not checked."""

    footbath_cl_min = _limit(_("浸脚池余氯下限 mg/L"), required=True)
    footbath_cl_max = _limit(_("浸脚池余氯上限 mg/L"), required=True)
    kids_cl_min = _limit(_("儿童池新水余氯下限 mg/L"), required=True)
    kids_cl_max = _limit(_("儿童池新水余氯上限 mg/L"), required=True)
    ph_min = _limit(_("pH 下限"), digits=4)
    ph_max = _limit(_("pH 上限"), digits=4)
    br_min = _limit(_("BR 下限"))
    br_max = _limit(_("BR 上限"))
    footbath_change_hours = forms.IntegerField(label=_("浸脚池换水间隔（小时）"), min_value=1, max_value=24)
    filter_cleanings_per_day = forms.IntegerField(label=_("每日清洗过滤箱次数 ≥"), min_value=0, max_value=24)


class EvaluationForm(forms.Form):
    """年度与外部评价 (R-M18-11)."""

    kind = forms.ChoiceField(label=_("类别"), choices=EvaluationKind.choices)
    held_on = forms.DateField(label=_("日期"), widget=forms.DateInput(attrs={"type": "date"}))
    body = forms.CharField(label=_("评价机构"), max_length=100)
    result = forms.CharField(label=_("结果"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)
    attachment = forms.FileField(label=_("附件（证书、报告、照片）"), required=False)


class EmergencyPlanForm(forms.Form):
    """应急预案 (R-M18-15)."""

    emergency = forms.CharField(label=_("突发事件类型"), max_length=50,
                                help_text=_("火警、水浸、停电、电梯困人、公共卫生、自然灾害等"))
    version = forms.CharField(label=_("版本"), max_length=20)
    issued_on = forms.DateField(label=_("发布日期"), widget=forms.DateInput(attrs={"type": "date"}))
    organisation = forms.CharField(label=_("组织、人员与措施"), widget=forms.Textarea(attrs={"rows": 5}), max_length=8000)
