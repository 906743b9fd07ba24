"""Forms of the repair pages (validation messages in Chinese). Business rules stay in the actions."""
from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.core.validation import validate_date, validate_planned_moment
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
    reported_to = forms.ChoiceField(label=_("已报告的负责人"), required=False,
                                    help_text=_("收费项目须报告负责人，业主同意后方可开工"))

    def __init__(self, *args: Any, leaders: Sequence[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["reported_to"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "—")] + [(u.pk, str(u)) for u in leaders]


class MaterialForm(forms.Form):
    """材料登记 (R-M8-09, R-M8-12): a material of the published list, or any other by name and unit."""

    item = forms.ChoiceField(label=_("材料"), required=False)
    name = forms.CharField(label=_("其他材料名称"), max_length=100, required=False,
                           help_text=_("价目表中没有的材料（如灯管、开关、绝缘胶带）填写名称和单位"))
    unit = forms.CharField(label=_("单位"), max_length=20, required=False)
    quantity = forms.DecimalField(label=_("数量"), min_value=Decimal("0.01"), max_value=Decimal("10000"),
                                  max_digits=10, decimal_places=2)

    def __init__(self, *args: Any, materials: Sequence[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["item"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("其他材料（填写名称）"))] + [(m.pk, f"{m.name}（{m.unit}）") for m in materials]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("item") and not (data.get("name") or "").strip():
            self.add_error("name", _("请选择价目表中的材料或填写材料名称"))
        elif not data.get("item") and not (data.get("unit") or "").strip():
            self.add_error("unit", _("请填写单位"))
        return data


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
    checklist_note = forms.CharField(label=_("未做到的规范项说明"), required=False, max_length=500,
                                     widget=forms.Textarea(attrs={"rows": 2}),
                                     help_text=_("上门服务规范有未勾选的项目时必填"))


class NextVisitForm(forms.Form):
    agreed_at = forms.DateTimeField(validators=[validate_planned_moment], label=_("约定再次上门时间"), widget=forms.DateTimeInput(attrs=DT))
    reason = forms.CharField(label=_("未能解决的原因"), widget=forms.Textarea(attrs={"rows": 2}))


class SignForm(forms.Form):
    signed_name = forms.CharField(label=_("签名人"), max_length=50)
    signature = forms.CharField(widget=forms.HiddenInput, error_messages={"required": _("请业主在屏幕上签名")})
    quality_ok = forms.BooleanField(label=_("业主确认故障已排除、功能恢复"), required=False)
    cosmetic_ok = forms.TypedChoiceField(
        label=_("外观修复"), required=False, empty_value=None,
        coerce=lambda v: {"1": True, "0": False}.get(v),
        choices=[("", _("不涉及外观")), ("1", _("无色差、无凹凸不平，与原有协调")), ("0", _("有色差或不平整"))])


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


class ReceiptChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.number} · ¥{obj.amount} · {obj.order.ticket.number}"


class CashHandoverForm(forms.Form):
    """现金交接: the cash receipts the user holds (all ticked), the amount counted, the cashier."""

    receipts = ReceiptChoices(label=_("收据"), queryset=None, widget=forms.CheckboxSelectMultiple,
                              error_messages={"required": _("请选择要交接的收据")})
    amount = forms.DecimalField(label=_("交接金额"), max_digits=12, decimal_places=2, min_value=Decimal("0.01"),
                                widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    received_by: forms.ModelChoiceField[Any] = forms.ModelChoiceField(label=_("收款人（出纳）"), queryset=None, empty_label="—",
                                         error_messages={"required": _("请选择收款人")})
    note = forms.CharField(label=_("备注"), max_length=200, required=False)

    def __init__(self, *args: Any, held: Any, people: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["receipts"].queryset = held  # type: ignore[attr-defined]
        self.fields["received_by"].queryset = people  # type: ignore[attr-defined]
        if not self.is_bound:
            self.initial.setdefault("receipts", [r.pk for r in held])


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("原因"), widget=forms.Textarea(attrs={"rows": 2}))


KIND_WORDS = {"服务": "service", "服务项目": "service", "service": "service", "材料": "material", "material": "material"}


class PriceListForm(forms.Form):
    """价目表草稿 (R-M8-16): one item per line — 编码 | 名称 | 单位 | 单价 | 类别(服务/材料) | 备注."""

    name = forms.CharField(label=_("名称"), max_length=100, initial=_("有偿服务收费价目表"))
    effective_from = forms.DateField(label=_("生效日期"), widget=forms.DateInput(attrs={"type": "date"}),
                                     validators=[validate_date])
    notes = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    items = forms.CharField(
        label=_("收费项目"), widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("每行一项：编码 | 名称 | 单位 | 单价 | 类别（服务/材料，可省略） | 备注（可省略）"),
        error_messages={"required": _("请至少填写一个收费项目")})

    def clean_items(self) -> list[dict[str, str]]:
        rows = []
        for n, line in enumerate(self.cleaned_data["items"].splitlines(), start=1):
            if not line.strip():
                continue
            parts = [p.strip() for p in line.replace("｜", "|").split("|")]
            if len(parts) < 4:
                raise forms.ValidationError(_("第%(n)d行：须至少有 编码 | 名称 | 单位 | 单价") % {"n": n})
            kind = KIND_WORDS.get(parts[4], "") if len(parts) > 4 and parts[4] else "service"
            if not kind:
                raise forms.ValidationError(_("第%(n)d行：类别只能是服务或材料") % {"n": n})
            rows.append({"code": parts[0], "name": parts[1], "unit": parts[2], "unit_price": parts[3], "kind": kind,
                         "note": parts[5] if len(parts) > 5 else ""})
        if not rows:
            raise forms.ValidationError(_("请至少填写一个收费项目"))
        return rows


def items_text(items: Sequence[Any]) -> str:
    kinds = {"service": "服务", "material": "材料"}
    return "\n".join(" | ".join([i.code, i.name, i.unit, str(i.unit_price), kinds.get(i.kind, i.kind), i.note]).rstrip(" |")
                     for i in items)


REQUISITION_ROWS = 6


class RequisitionForm(forms.Form):
    """材料申购 (R-M8-12): the reason and up to six lines of name, unit, quantity and stock in hand."""

    reason = forms.CharField(label=_("申购原因"), max_length=200,
                             help_text=_("如：常用易耗材料补充，库存不足以应付下周维修"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for i in range(REQUISITION_ROWS):
            self.fields[f"name_{i}"] = forms.CharField(label=_("材料名称"), max_length=100, required=False)
            self.fields[f"unit_{i}"] = forms.CharField(label=_("单位"), max_length=20, required=False)
            self.fields[f"quantity_{i}"] = forms.DecimalField(
                label=_("申购数量"), required=False, min_value=Decimal("0.01"), max_value=Decimal("10000"),
                max_digits=10, decimal_places=2)
            self.fields[f"in_stock_{i}"] = forms.DecimalField(
                label=_("现有库存"), required=False, min_value=Decimal("0"), max_value=Decimal("10000"),
                max_digits=10, decimal_places=2)

    def rows(self) -> list[list[Any]]:
        return [[self[f"{k}_{i}"] for k in ("name", "unit", "quantity", "in_stock")] for i in range(REQUISITION_ROWS)]

    def lines(self) -> list[dict[str, Any]]:
        data = self.cleaned_data
        return [{k: data.get(f"{k}_{i}") for k in ("name", "unit", "quantity", "in_stock")}
                for i in range(REQUISITION_ROWS)]


class RequisitionDecisionForm(forms.Form):
    note = forms.CharField(label=_("审批意见"), max_length=200, required=False,
                           help_text=_("不同意时须写明意见"))
