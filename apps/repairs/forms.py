"""Forms of the repair pages (validation messages in Chinese). Business rules stay in the actions."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.core.validation import validate_planned_moment
from apps.repairs.models import LocationKind, PaymentMethod, PhotoPhase
from apps.tickets.choices import Kind, ReturnVisitMethod, Satisfaction, Urgency

DT = {"type": "datetime-local"}


class IntakeForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), initial=Kind.REPAIR,
                             choices=[(Kind.REPAIR, _("报修")), (Kind.PAID_SERVICE, _("有偿/特约服务"))])
    category = forms.ChoiceField(label=_("报修类别"))
    urgency = forms.ChoiceField(label=_("紧急程度"), required=False,
                                choices=[("", _("按类别默认")), *Urgency.choices])
    location_kind = forms.ChoiceField(label=_("报修位置"), choices=LocationKind.choices)
    location = forms.CharField(label=_("房号/具体位置"), max_length=200, required=False)
    complainant_surname = forms.CharField(label=_("报修人姓氏"), max_length=30, required=False)
    phone = forms.CharField(label=_("联系电话"), max_length=30, required=False)
    content = forms.CharField(label=_("报修内容（故障现象）"), widget=forms.Textarea(attrs={"rows": 3}),
                              error_messages={"required": _("请填写报修内容")})
    agreed_visit_at = forms.DateTimeField(validators=[validate_planned_moment], label=_("与业主约定的上门时间"), required=False,
                                          widget=forms.DateTimeInput(attrs=DT))

    def __init__(self, *args: Any, categories: Sequence[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["category"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "—")] + [(c.pk, c.name) for c in categories]


class DiagnoseForm(forms.Form):
    diagnosis = forms.CharField(label=_("故障诊断"), widget=forms.Textarea(attrs={"rows": 2}),
                                error_messages={"required": _("请填写故障诊断")})
    chargeable = forms.BooleanField(label=_("需要收费（有偿项目）"), required=False)


class ConsentForm(forms.Form):
    owner_name = forms.CharField(label=_("业主/住户姓名"), max_length=50)
    explanation = forms.CharField(label=_("向业主说明的收费原因"), widget=forms.Textarea(attrs={"rows": 2}))
    agreed = forms.TypedChoiceField(label=_("业主意见"), coerce=lambda v: v == "1",
                                    choices=[("1", _("同意收费")), ("0", _("不同意"))], widget=forms.RadioSelect)


class MaterialForm(forms.Form):
    item = forms.ChoiceField(label=_("材料"))
    quantity = forms.DecimalField(label=_("数量"), min_value=0, max_digits=10, decimal_places=2)

    def __init__(self, *args: Any, materials: Sequence[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["item"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(m.pk, f"{m.name}（{m.unit}）") for m in materials]


class PhotoForm(forms.Form):
    phase = forms.ChoiceField(label=_("阶段"), choices=PhotoPhase.choices)
    file = forms.FileField(label=_("照片"), widget=forms.ClearableFileInput(attrs={"accept": "image/*",
                                                                                     "capture": "environment"}))


class CompleteForm(forms.Form):
    result = forms.CharField(label=_("维修结果"), widget=forms.Textarea(attrs={"rows": 2}),
                             error_messages={"required": _("请填写维修结果")})
    labour_hours = forms.DecimalField(label=_("工时（小时）"), min_value=0, max_digits=6, decimal_places=2,
                                      error_messages={"required": _("请填写工时")})
    late_explanation = forms.CharField(label=_("未能当天完成的原因（已向业主说明）"), required=False,
                                       widget=forms.Textarea(attrs={"rows": 2}))


class NextVisitForm(forms.Form):
    agreed_at = forms.DateTimeField(validators=[validate_planned_moment], label=_("约定再次上门时间"), widget=forms.DateTimeInput(attrs=DT))
    reason = forms.CharField(label=_("未能解决的原因"), widget=forms.Textarea(attrs={"rows": 2}))


class SignForm(forms.Form):
    signed_name = forms.CharField(label=_("签名人"), max_length=50)
    signature = forms.CharField(widget=forms.HiddenInput, error_messages={"required": _("请业主在屏幕上签名")})
    quality_ok = forms.BooleanField(label=_("业主确认故障已排除、功能恢复"), required=False, initial=True)


class RefuseForm(forms.Form):
    reason = forms.CharField(label=_("业主拒签原因"), widget=forms.Textarea(attrs={"rows": 2}))


class PaymentForm(forms.Form):
    method = forms.ChoiceField(label=_("付款方式"), choices=PaymentMethod.choices)
    payer_name = forms.CharField(label=_("付款人"), max_length=50)


class ReturnVisitForm(forms.Form):
    method = forms.ChoiceField(label=_("回访方式"), choices=ReturnVisitMethod.choices)
    reached = forms.TypedChoiceField(label=_("是否联系上"), coerce=lambda v: v == "1",
                                     choices=[("1", _("联系上")), ("0", _("未联系上"))])
    quality = forms.ChoiceField(label=_("维修质量"), choices=[("", "—"), *Satisfaction.choices], required=False)
    attitude = forms.ChoiceField(label=_("服务态度"), choices=[("", "—"), *Satisfaction.choices], required=False)
    working_well = forms.BooleanField(label=_("使用正常"), required=False)
    owner_words = forms.CharField(label=_("业主意见"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    emergency_reason = forms.CharField(label=_("紧急情况说明（免打扰时段致电时必填）"), required=False)
    give_up = forms.BooleanField(label=_("多次未联系上，结束回访"), required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("原因"), widget=forms.Textarea(attrs={"rows": 2}))
