"""Forms of the visit-programme pages (plans, settings, summaries, rectification); they only parse
input — the rules are in :mod:`apps.visits.actions`."""
from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.core.validation import validate_moment
from apps.org.models import User
from apps.visits.annual import PERIODS, period_label
from apps.visits.models import CycleMode, EarlyCareKind, ReturnMeasure

MONTH_WIDGET = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")


class MonthField(forms.DateField):
    input_formats = ["%Y-%m", "%Y-%m-%d"]
    widget = MONTH_WIDGET


def parse_ids(text: str) -> list[int]:
    return [int(x) for x in text.replace("，", ",").replace(" ", ",").split(",") if x.strip().isdigit()]


class ProgrammeSettingsForm(forms.Form):
    cycle_mode = forms.ChoiceField(label=_("定期走访周期"), choices=CycleMode.choices)
    cycle_months = forms.IntegerField(label=_("间隔月数（按月周期时）"), min_value=1, max_value=12, initial=3)
    new_owner_days = forms.IntegerField(label=_("新业主入住后首次上门走访（天）"), min_value=1, max_value=30, initial=3)
    elderly_interval_days = forms.IntegerField(label=_("空巢老人走访间隔（天）"), min_value=1, max_value=366,
                                               initial=30)
    warn_days = forms.IntegerField(label=_("到期前提醒（天）"), min_value=0, max_value=60, initial=7)
    starts_on = forms.DateField(label=_("走访计划起始日期"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"}))


class PlanForm(forms.Form):
    month = MonthField(label=_("计划月份"))
    requirements = forms.CharField(label=_("走访内容与要求"), widget=forms.Textarea(attrs={"rows": 3}))
    households = forms.CharField(label=_("走访房屋"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                                 help_text=_("完整房号，每行一个或以逗号分隔；也可勾选下方逾期房屋"))
    visitor = forms.ModelChoiceField(label=_("走访人"), queryset=User.objects.none(), required=False)

    def __init__(self, *args: Any, staff: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if staff is not None:
            self.fields["visitor"].queryset = staff  # type: ignore[attr-defined]


class PlanChangeForm(forms.Form):
    add = forms.CharField(label=_("增加房屋"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
                          help_text=_("完整房号，每行一个或以逗号分隔"))
    remove = forms.CharField(label=_("移除房屋"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    visitor = forms.ModelChoiceField(label=_("走访人"), queryset=User.objects.none(), required=False)
    requirements = forms.CharField(label=_("走访内容与要求"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    reason = forms.CharField(label=_("变更原因（已批准的计划必填）"), required=False, max_length=200)

    def __init__(self, *args: Any, staff: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if staff is not None:
            self.fields["visitor"].queryset = staff  # type: ignore[attr-defined]


class DecideForm(forms.Form):
    decision = forms.ChoiceField(label=_("审批"), choices=[("approve", _("批准")), ("return", _("退回"))])
    note = forms.CharField(label=_("意见"), required=False, max_length=200)


class SummaryForm(forms.Form):
    summary = forms.CharField(label=_("汇总内容"), widget=forms.Textarea(attrs={"rows": 4}))


class ProgressForm(forms.Form):
    text = forms.CharField(label=_("整改措施与进展"), widget=forms.Textarea(attrs={"rows": 2}))


class ReturnVisitForm(forms.Form):
    satisfied = forms.ChoiceField(label=_("业主是否满意"), choices=[("yes", _("满意")), ("no", _("不满意"))])
    text = forms.CharField(label=_("回访情况"), widget=forms.Textarea(attrs={"rows": 2}))
    method = forms.ChoiceField(label=_("回访方式"), initial="phone",
                               choices=[("phone", _("电话")), ("face_to_face", _("上门面谈"))])
    emergency_reason = forms.CharField(label=_("紧急原因（免打扰时段致电时必填）"), max_length=200, required=False)


DT_LOCAL = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class EarlyCareForm(forms.Form):
    """磨合期业户关怀 (R-M9-16)."""

    kind = forms.ChoiceField(label=_("关怀类别"), choices=EarlyCareKind.choices)
    household = forms.CharField(label=_("房号（访谈、开通报警系统时填写）"), required=False, max_length=100)
    held_at = forms.DateTimeField(label=_("时间"), widget=DT_LOCAL, validators=[validate_moment])
    place = forms.CharField(label=_("地点"), required=False, max_length=100)
    served = forms.IntegerField(label=_("服务业户数/派发张数（门岗派卡、现场办公时填写）"), required=False, min_value=1,
                                max_value=100_000)
    note = forms.CharField(label=_("情况记录"), widget=forms.Textarea(attrs={"rows": 2}), max_length=4000)
    feedback = forms.CharField(label=_("业户反馈（待跟进，访谈时填写）"), required=False,
                               widget=forms.Textarea(attrs={"rows": 2}), max_length=4000)


class FollowUpForm(forms.Form):
    text = forms.CharField(label=_("跟进结果"), max_length=4000)


class NotMovedInCallForm(forms.Form):
    """未入住业主电话回访 (R-M9-17)."""

    household = forms.CharField(label=_("房号"), max_length=100)
    called_at = forms.DateTimeField(label=_("通话时间"), widget=DT_LOCAL, validators=[validate_moment])
    reached = forms.ChoiceField(label=_("是否接通"), choices=[("yes", _("已接通")), ("no", _("未接通"))], initial="yes")
    reason = forms.CharField(label=_("未入住原因"), required=False, max_length=200)
    note = forms.CharField(label=_("通话记录"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
                           max_length=2000)
    emergency_reason = forms.CharField(label=_("紧急原因（免打扰时段致电时必填）"), max_length=200, required=False)


class AnnualPlanForm(forms.Form):
    """年度回访工作计划 (R-M9-13): the duties and one target input per measure and period (empty = no
    target); the values are checked by :func:`apps.visits.actions.draw_up_annual_plan`."""

    year = forms.IntegerField(label=_("年度"))
    duties = forms.CharField(label=_("回访工作职责与安排"), widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("如：主任每年上门走访1–2次；物业管理员分片区每季度回访；每半年召开住户座谈会"))
    reason = forms.CharField(label=_("变更原因（已批准的计划必填）"), required=False, max_length=200)

    def __init__(self, *args: Any, change: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if change:
            del self.fields["year"]
            self.fields["duties"].required = False
        else:
            del self.fields["reason"]
        self.measures: list[tuple[str, str, list[str]]] = []
        for measure in ReturnMeasure:
            names = []
            for q in PERIODS:
                name = f"t_{measure.value}_{q}"
                self.fields[name] = forms.IntegerField(
                    label=f"{measure.label} · {period_label(q)}", required=False,
                    widget=forms.NumberInput(attrs={"inputmode": "numeric", "step": "1"}))
                names.append(name)
            self.measures.append((measure.value, str(measure.label), names))

    def targets(self) -> tuple[list[dict[str, Any]], list[str]]:
        """The targets entered (measure, quarter, value) and, in the same order, their field names."""
        rows, names = [], []
        for measure, _label, fields in self.measures:
            for q, name in enumerate(fields):
                value = self.cleaned_data.get(name)
                if value is not None:
                    rows.append({"measure": measure, "quarter": q, "value": value})
                    names.append(name)
        return rows, names

    def target_fields(self) -> list[tuple[str, list[Any]]]:
        return [(label, [self[name] for name in names]) for _m, label, names in self.measures]


class AnnualReviewForm(forms.Form):
    review = forms.CharField(label=_("年终回访工作总结"), widget=forms.Textarea(attrs={"rows": 5}),
                             help_text=_("目标完成情况、业主的批评与建议及采纳情况、明年改进措施"))
