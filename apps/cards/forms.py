"""Forms of the card pages; they only parse input — the rules are in apps.cards.actions."""
from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.cards.models import CardKind, NoticeChannel, VerificationMethod
from apps.core.validation import validate_moment
from apps.org.models import User

DATE = forms.DateInput(attrs={"type": "date"})
DT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def staff_field(label: Any, required: bool = True) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(label=label, queryset=User.objects.none(), required=required)


class StaffForm(forms.Form):
    """A form with staff pickers limited to the project's staff."""

    staff_fields: tuple[str, ...] = ()

    def __init__(self, *args: Any, staff: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in self.staff_fields:
            cast(forms.ModelChoiceField, self.fields[name]).queryset = staff if staff is not None else User.objects.none()


class OfficerForm(StaffForm):
    staff_fields = ("officer", "stand_in")
    officer = staff_field(_("IC卡管理员"))
    stand_in = staff_field(_("代理人"), required=False)


class IssueForm(StaffForm):
    staff_fields = ("staff",)
    number = forms.CharField(label=_("卡号"), max_length=40)
    kind = forms.ChoiceField(label=_("卡类别"), choices=CardKind.choices)
    holder_name = forms.CharField(label=_("持卡人"), max_length=50)
    household = forms.CharField(label=_("房号"), max_length=100, required=False, help_text=_("业主卡、住户卡、停车卡填写"))
    staff = staff_field(_("员工（员工卡）"), required=False)
    plate = forms.CharField(label=_("车牌（停车卡）"), max_length=20, required=False)
    note = forms.CharField(label=_("说明"), max_length=200, required=False)


class ReplaceForm(forms.Form):
    new_number = forms.CharField(label=_("新卡号"), max_length=40)
    applicant_name = forms.CharField(label=_("申请人"), max_length=50)
    applicant_is_owner = forms.BooleanField(label=_("车主本人办理"), required=False)
    authorisation_doc = forms.FileField(label=_("车主书面授权书（非车主办理必填）"), required=False)
    licence_doc = forms.FileField(label=_("行驶证（非车主办理必填）"), required=False)
    verified_at = forms.DateTimeField(label=_("与车主核实的时间"), required=False, widget=DT,
                                      validators=[validate_moment])
    verification_method = forms.ChoiceField(label=_("核实方式"), required=False,
                                            choices=[("", "—"), *VerificationMethod.choices])
    note = forms.CharField(label=_("说明"), max_length=200, required=False)


class NoteForm(forms.Form):
    note = forms.CharField(label=_("说明"), max_length=200, required=False)


class ReviewForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    quarter = forms.TypedChoiceField(label=_("季度"), coerce=int, choices=[(1, "1"), (2, "2"), (3, "3"), (4, "4")])
    anomalies = forms.CharField(label=_("发现的异常"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    handling = forms.CharField(label=_("每项异常的处理情况"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class PasswordForm(StaffForm):
    staff_fields = ("changed_by",)
    changed_on = forms.DateField(label=_("更改日期"), widget=DATE)
    changed_by = staff_field(_("更改人"))


class AccessForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=50)
    household = forms.CharField(label=_("房号"), max_length=100, required=False)
    identity = forms.CharField(label=_("身份"), max_length=50, help_text=_("如 业主、家属、装修工人、访客"))
    reason = forms.CharField(label=_("未带卡原因/核实情况"), max_length=200)


class DoorForm(forms.Form):
    building = forms.CharField(label=_("楼栋"), max_length=50, help_text=_("如 1栋"))
    unit = forms.CharField(label=_("单元（大堂门留空）"), max_length=50, required=False)
    name = forms.CharField(label=_("门禁名称"), max_length=60)


class ChangeForm(forms.Form):
    effective_on = forms.DateField(label=_("新密码生效日期"), widget=DATE)


class NoticeForm(forms.Form):
    channel = forms.ChoiceField(label=_("通知方式"), choices=NoticeChannel.choices)
    new_code = forms.CharField(label=_("新密码（仅短信通知时填写，不会保存）"), max_length=12, required=False,
                               widget=forms.PasswordInput(render_value=False))
    households_reached = forms.IntegerField(label=_("通知到的户数（信箱、电话）"), min_value=0, required=False)
    note = forms.CharField(label=_("说明"), max_length=200, required=False)


class SettingsForm(forms.Form):
    notice_lead_days = forms.IntegerField(label=_("门禁密码提前通知天数"), min_value=1, max_value=60)
    rotation_months = forms.TypedChoiceField(label=_("门禁密码更换周期（月）"), coerce=int,
                                             choices=[(3, "3"), (1, "1"), (2, "2"), (6, "6"), (12, "12")])
