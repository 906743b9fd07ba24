"""The owner-archive forms (search, reveal, household and person edits, roster import and export, grants)."""
from __future__ import annotations

from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.core.validation import validate_record_date
from apps.estates.models import (
    DecorationRecordKind,
    OccupancyStatus,
    PersonKind,
)

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
REASON_CHOICES = [
    ("回访业主", gettext_lazy("回访业主")),
    ("通知业主", gettext_lazy("通知业主（停水停电、缴费等）")),
    ("处理投诉/报修", gettext_lazy("处理投诉/报修")),
    ("核实业主身份", gettext_lazy("核实业主身份")),
    ("其他", gettext_lazy("其他（请在说明中填写）")),
]


class RevealForm(forms.Form):
    purpose = forms.ChoiceField(label=gettext_lazy("查阅事由"), choices=[("", "—"), *REASON_CHOICES])
    note = forms.CharField(label=gettext_lazy("说明"), required=False, max_length=150)
    id_number = forms.BooleanField(label=gettext_lazy("同时显示证件号码（须部门负责人授权）"), required=False)
    vehicles = forms.BooleanField(label=gettext_lazy("同时显示车牌（须部门负责人授权）"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("purpose") == "其他" and not (data.get("note") or "").strip():
            self.add_error("note", _("选择“其他”时请填写说明"))
        return data

    def reason(self) -> str:
        note = (self.cleaned_data.get("note") or "").strip()
        return f"{self.cleaned_data['purpose']}：{note}" if note else self.cleaned_data["purpose"]

    def fields_wanted(self) -> set[str]:
        wanted = {"name", "phone", "phone2", "email", "fax"}
        wanted |= {f for f in ("id_number", "vehicles") if self.cleaned_data.get(f)}
        return wanted



class NotMovedInForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("未入住原因（电话了解后登记）"), max_length=200)



class HouseholdForm(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("房屋状态"), choices=OccupancyStatus.choices)
    area_m2 = forms.DecimalField(label=gettext_lazy("面积（㎡）"), required=False, min_value=0, max_digits=9,
                                 decimal_places=2)
    move_in_date = forms.DateField(validators=[validate_record_date], label=gettext_lazy("入住日期"), required=False,
                                   widget=forms.DateInput(attrs={"type": "date"}))
    warranty_end = forms.DateField(validators=[validate_record_date], label=gettext_lazy("保修期至"), required=False,
                                   widget=forms.DateInput(attrs={"type": "date"}))
    notes = forms.CharField(label=gettext_lazy("备注"), required=False, widget=forms.Textarea(attrs={"rows": 3}))



class PersonForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("姓名"), max_length=50)
    kind = forms.ChoiceField(label=gettext_lazy("身份"), choices=PersonKind.choices)
    phone = forms.CharField(label=gettext_lazy("手机"), max_length=30, required=False)
    phone2 = forms.CharField(label=gettext_lazy("其他电话"), max_length=30, required=False)
    email = forms.CharField(label=gettext_lazy("电子邮箱"), max_length=254, required=False,
                            help_text=gettext_lazy("每月缴费提醒同时发到该邮箱"))
    fax = forms.CharField(label=gettext_lazy("传真"), max_length=30, required=False,
                          help_text=gettext_lazy("每月缴费提醒由前台人工传真到该号码"))
    id_number = forms.CharField(label=gettext_lazy("证件号码"), max_length=30, required=False)
    move_in_date = forms.DateField(validators=[validate_record_date], label=gettext_lazy("入住日期"), required=False,
                                   widget=forms.DateInput(attrs={"type": "date"}))
    tags = forms.CharField(label=gettext_lazy("标签"), max_length=200, required=False,
                           help_text=gettext_lazy("以逗号分隔，如 空巢老人,VIP"))
    needs = forms.CharField(label=gettext_lazy("需求与反馈"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    active = forms.BooleanField(label=gettext_lazy("在住"), required=False, initial=True)



class UploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("业主名册（.xlsx）"))

    def clean_file(self) -> Any:
        f = self.cleaned_data["file"]
        if not f.name.lower().endswith(".xlsx"):
            raise ValidationError(_("请上传 .xlsx 格式的 Excel 文件（Excel 2007 及以上）"))
        if f.size > MAX_UPLOAD_BYTES:
            raise ValidationError(_("文件太大（不超过 20 MB）"))
        return f



class ExportForm(forms.Form):
    unmasked = forms.BooleanField(label=gettext_lazy("导出完整信息（须部门负责人授权，记入查阅记录）"), required=False)
    reason = forms.CharField(label=gettext_lazy("导出事由"), max_length=150, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("unmasked") and not (data.get("reason") or "").strip():
            self.add_error("reason", _("导出完整信息须填写事由"))
        return data



class GrantForm(forms.Form):
    grantee = forms.ChoiceField(label=gettext_lazy("被授权人"))
    reason = forms.CharField(label=gettext_lazy("授权事由"), max_length=200)
    valid_from = forms.DateField(validators=[validate_record_date], label=gettext_lazy("生效日期"), widget=forms.DateInput(attrs={"type": "date"}))
    valid_until = forms.DateField(validators=[validate_record_date], label=gettext_lazy("失效日期（含当日）"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, grantees: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["grantee"]).choices = grantees



class DecorationRecordForm(forms.Form):
    """R-M7-09: one entry of a household's decoration archive (list, photo, video, recording, progress, problem)."""

    kind = forms.ChoiceField(label=gettext_lazy("类别"), choices=DecorationRecordKind.choices)
    note = forms.CharField(label=gettext_lazy("说明"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 3}),
                           help_text=gettext_lazy("清单、进度、问题须填写说明"))
    file = forms.FileField(label=gettext_lazy("文件"), required=False,
                           help_text=gettext_lazy("照片、视频、录音须上传文件"))


class CallRecordingForm(forms.Form):
    """录音留存 (R-M7-07): the recording of a call to the owner, with what was learned."""

    called_at = forms.DateTimeField(label=gettext_lazy("通话时间"), required=False,
                                    widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
                                    help_text=gettext_lazy("留空为现在"))
    note = forms.CharField(label=gettext_lazy("通话内容摘要"), max_length=200,
                           widget=forms.Textarea(attrs={"rows": 2}),
                           help_text=gettext_lazy("如：业主在外地工作，明年入住"))
    file = forms.FileField(label=gettext_lazy("录音文件"), help_text=gettext_lazy("MP3、M4A、WAV 或 AMR 录音"))


class MediaOpenForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("查阅事由"), max_length=150)
