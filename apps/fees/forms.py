"""Forms of the fee pages; they only parse input — the rules are in apps.fees.actions."""
from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.core.errors import DomainError
from apps.fees.models import Applies, BillKind, Channel, FeeMode, Method, PaymentKind, RateBasis

DATE = forms.DateInput(attrs={"type": "date"})
MONEY = {"max_digits": 12, "decimal_places": 2, "min_value": 0}


def bind_error(form: forms.Form, exc: DomainError) -> None:
    """A refused action beside its field (and in the summary at the top of the form)."""
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.message)


class PaymentForm(forms.Form):
    amount = forms.DecimalField(label=_("收款金额（元）"), **MONEY)  # type: ignore[arg-type]
    method = forms.ChoiceField(label=_("支付方式"), choices=Method.choices)
    channel = forms.ChoiceField(label=_("收款方式"), choices=Channel.choices)
    bill_ids = forms.MultipleChoiceField(label=_("缴哪些账单"), required=False, widget=forms.CheckboxSelectMultiple,
                                         help_text=_("不选 = 从最早的欠费开始冲抵"))
    prepayment = forms.BooleanField(label=_("预交（多出的金额作为预交款）"), required=False)
    receipt_no = forms.IntegerField(label=_("纸质收据号（可选）"), required=False, min_value=1,
                                    help_text=_("留空 = 系统自动取下一个号码"))
    payer = forms.CharField(label=_("交款人"), max_length=50, required=False)
    submission_key = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args: Any, bills: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["submission_key"] = uuid.uuid4().hex
        self.fields["bill_ids"].choices = [  # type: ignore[attr-defined]
            (str(b.pk), f"{b.description}（{b.get_kind_display()}）待缴 {b.outstanding} 元，{b.due_date:%Y-%m-%d} 到期")
            for b in bills]


class ReverseForm(forms.Form):
    kind = forms.ChoiceField(label=_("冲销类别"), choices=[(PaymentKind.VOID, _("整张作废")),
                                                      (PaymentKind.REFUND, _("退款"))])
    amount = forms.DecimalField(label=_("退款金额（元）"), required=False, **MONEY)  # type: ignore[arg-type]
    reason = forms.CharField(label=_("原因"), max_length=200)


class StandardForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=100, initial="物业服务费")
    applies_to = forms.ChoiceField(label=_("适用房屋"), choices=Applies.choices)
    contract_ref = forms.CharField(label=_("物业服务合同编号"), max_length=100)
    mode = forms.ChoiceField(label=_("计费方式"), choices=FeeMode.choices)
    basis = forms.ChoiceField(label=_("计费单位"), choices=RateBasis.choices)
    rate = forms.DecimalField(label=_("单价（元）"), max_digits=10, decimal_places=4, min_value=0)
    valid_from = forms.DateField(label=_("生效日期"), widget=DATE)


class CycleForm(forms.Form):
    period_start = forms.DateField(label=_("账期开始日期"), widget=DATE, help_text=_("如 2027-01-01（上半年）"))
    discount_rate = forms.DecimalField(label=_("折扣比例"), required=False, max_digits=5, decimal_places=4,
                                       min_value=0, help_text=_("考核结果要求打折时填写，如 0.05"))
    discount_ref = forms.CharField(label=_("折扣依据（考核结果）"), max_length=200, required=False)


class SettingsForm(forms.Form):
    cycle_months = forms.TypedChoiceField(label=_("收费周期"), coerce=int,
                                          choices=[(6, _("半年")), (3, _("季度")), (12, _("一年")), (1, _("每月"))])
    due_days = forms.IntegerField(label=_("缴费期限（天）"), min_value=1, max_value=365)
    reminder_day = forms.IntegerField(label=_("每月催缴提醒日"), min_value=1, max_value=28)
    arrears_steps = forms.CharField(label=_("欠费升级提醒（逾期天数，逗号分隔）"), max_length=50)
    receipt_series = forms.CharField(label=_("收据字头"), max_length=20)


class ChargeForm(forms.Form):
    household = forms.CharField(label=_("房号"), max_length=100, help_text=_("完整房号（楼栋、单元、房号），如 5栋2单元1502"))
    kind = forms.ChoiceField(label=_("费用类别"), choices=[c for c in BillKind.choices
                                                       if c[0] not in (BillKind.SERVICE_FEE, BillKind.OPENING_BALANCE)])
    description = forms.CharField(label=_("摘要"), max_length=200)
    amount = forms.DecimalField(label=_("金额（元）"), **MONEY)  # type: ignore[arg-type]
    due_date = forms.DateField(label=_("缴费截止日"), widget=DATE, required=False)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("期初欠费 Excel（房号、欠费金额、摘要、截止日期）"))


class PublishForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    half = forms.TypedChoiceField(label=_("半年"), coerce=int, choices=[(1, _("上半年")), (2, _("下半年"))])


class HandoverForm(forms.Form):
    amount = forms.DecimalField(label=_("清点金额（元）"), **MONEY)  # type: ignore[arg-type]
    payment_ids = forms.MultipleChoiceField(label=_("收据"), widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, payments: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["payment_ids"].choices = [  # type: ignore[attr-defined]
            (str(p.pk), f"{p.number} {p.household.label} {p.amount} 元（{p.collected_by}）") for p in payments]


class PriceChargeForm(forms.Form):
    """有偿服务收费: the household and a quantity per item of the published price list (prices not typed)."""

    household = forms.CharField(label=_("房号"), max_length=100, help_text=_("完整房号（楼栋、单元、房号），如 5栋2单元1502"))
    due_date = forms.DateField(label=_("缴费截止日"), widget=DATE, required=False)
    note = forms.CharField(label=_("备注"), max_length=60, required=False)

    def __init__(self, *args: Any, items: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.items = list(items)
        for item in self.items:
            self.fields[f"qty_{item.pk}"] = forms.DecimalField(
                label=f"{item.name}（{item.unit_price} 元/{item.unit}）", required=False, min_value=0,
                max_digits=8, decimal_places=2)

    def lines(self) -> list[tuple[int, Any]]:
        return [(item.pk, self.cleaned_data[f"qty_{item.pk}"]) for item in self.items
                if self.cleaned_data.get(f"qty_{item.pk}")]


class TransferForm(forms.Form):
    household = forms.CharField(label=_("房号"), max_length=100, help_text=_("完整房号（楼栋、单元、房号），如 5栋2单元1502"))
    old_owner = forms.CharField(label=_("原业主"), max_length=50)
    new_owner = forms.CharField(label=_("新业主"), max_length=50)
    proceed_with_arrears = forms.BooleanField(label=_("尚有欠费仍继续办理（限客服经理、管理处经理）"), required=False)
    reason = forms.CharField(label=_("继续办理的原因"), max_length=200, required=False)


class InquiryForm(forms.Form):
    household = forms.CharField(label=_("房号"), max_length=100, required=False,
                                help_text=_("选填；完整房号（楼栋、单元、房号）"))
    asker = forms.CharField(label=_("咨询人"), max_length=50)
    question = forms.CharField(label=_("咨询内容"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))


class AnswerForm(forms.Form):
    inquiry = forms.IntegerField(widget=forms.HiddenInput)
    answer = forms.CharField(label=_("答复"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))
