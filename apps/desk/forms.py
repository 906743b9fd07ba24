"""Forms of the desk pages; they only parse input — the rules are in apps.desk.actions."""
from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.desk.models import CheckKind, ConvenienceItem, HouseKey, LogKind
from apps.notify.models import MailKind
from apps.org.models import User

DATE = forms.DateInput(attrs={"type": "date"})
DT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def room(required: bool = True) -> forms.CharField:
    return forms.CharField(label=_("房号"), max_length=100, required=required, help_text=_("完整房号（楼栋、单元、房号），如 5栋2单元1502"))


class MailForm(forms.Form):
    household = room()
    addressee = forms.CharField(label=_("收件人"), max_length=100)
    kind = forms.ChoiceField(label=_("类别"), choices=MailKind.choices)
    note = forms.CharField(label=_("备注"), max_length=200, required=False)


class PermitForm(forms.Form):
    household = room()
    applicant = forms.CharField(label=_("申请人"), max_length=50)
    contractor = forms.CharField(label=_("装修单位"), max_length=100, required=False)
    scope = forms.CharField(label=_("装修项目"), widget=forms.Textarea(attrs={"rows": 3}))
    planned_start = forms.DateField(label=_("计划开工"), widget=DATE)
    planned_end = forms.DateField(label=_("计划完工"), widget=DATE)
    deposit = forms.DecimalField(label=_("装修押金（元）"), max_digits=10, decimal_places=2, min_value=0)
    documents = forms.FileField(label=_("申请资料（图纸、身份证明等）"), required=False)
    notice_explained = forms.BooleanField(label=_("已讲解装修须知，装修提示卡已放入室内"), required=False)


class PassForm(forms.Form):
    number = forms.CharField(label=_("证号"), max_length=30)
    name = forms.CharField(label=_("姓名"), max_length=50)
    phone = forms.CharField(label=_("电话"), max_length=30, required=False)
    photo = forms.FileField(label=_("照片"))
    valid_from = forms.DateField(label=_("有效期自"), widget=DATE)
    valid_until = forms.DateField(label=_("有效期至"), widget=DATE)


class CheckForm(forms.Form):
    kind = forms.ChoiceField(label=_("类别"), choices=CheckKind.choices)
    workers_seen = forms.IntegerField(label=_("在场工人数"), min_value=0, initial=0)
    workers_without_pass = forms.IntegerField(label=_("无证工人数（已劝离）"), min_value=0, initial=0)
    debris_dumped = forms.BooleanField(label=_("乱堆乱倒装修垃圾（停工清理）"), required=False)
    finding = forms.CharField(label=_("发现的问题"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    raise_ticket = forms.BooleanField(label=_("转为工单"), required=False)


class InspectForm(forms.Form):
    result = forms.CharField(label=_("验收结果"), widget=forms.Textarea(attrs={"rows": 2}))


class DepositForm(forms.Form):
    amount = forms.DecimalField(label=_("退还押金（元）"), max_digits=10, decimal_places=2, min_value=0)


class KeyForm(forms.Form):
    label = forms.CharField(label=_("钥匙名称"), max_length=100)
    household = room(required=False)


class LendKeyForm(forms.Form):
    key: forms.ModelChoiceField[HouseKey] = forms.ModelChoiceField(label=_("钥匙"), queryset=HouseKey.objects.none())
    borrower = forms.CharField(label=_("领用人"), max_length=50)
    purpose = forms.CharField(label=_("用途"), max_length=200)
    due_at = forms.DateTimeField(label=_("应还时间"), widget=DT)

    def __init__(self, *args: Any, keys: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["key"]).queryset = keys


class VacantForm(forms.Form):
    household = room()
    ok = forms.BooleanField(label=_("正常"), required=False)
    finding = forms.CharField(label=_("发现的问题"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    raise_ticket = forms.BooleanField(label=_("转为工单"), required=False)


class DisputeForm(forms.Form):
    household = room(required=False)
    complainant_surname = forms.CharField(label=_("反映人姓氏"), max_length=20)
    phone = forms.CharField(label=_("联系电话"), max_length=30, required=False)
    content = forms.CharField(label=_("纠纷情况"), widget=forms.Textarea(attrs={"rows": 3}))


class LogForm(forms.Form):
    kind = forms.ChoiceField(label=_("类别"), choices=LogKind.choices)
    title = forms.CharField(label=_("事项"), max_length=200)
    detail = forms.CharField(label=_("详细记录"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    household = room(required=False)
    happened_on = forms.DateField(label=_("日期"), widget=DATE)


class CloseForm(forms.Form):
    outcome = forms.CharField(label=_("处理结果"), max_length=2000)


class MeetingForm(forms.Form):
    held_on = forms.DateField(label=_("日期"), widget=DATE)
    attendees = forms.ModelMultipleChoiceField(label=_("出席"), queryset=User.objects.none(),
                                               widget=forms.CheckboxSelectMultiple)
    shared_logs = forms.CharField(label=_("工作日志分享"), widget=forms.Textarea(attrs={"rows": 3}))
    key_issues = forms.CharField(label=_("重点问题及分析"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    help_arranged = forms.CharField(label=_("现场协助安排"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args: Any, staff: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelMultipleChoiceField, self.fields["attendees"]).queryset = staff


class ItemForm(forms.Form):
    name = forms.CharField(label=_("物品"), max_length=100)
    quantity = forms.IntegerField(label=_("数量"), min_value=1, initial=1)
    place = forms.CharField(label=_("存放位置"), max_length=100, required=False)


class LendItemForm(forms.Form):
    item: forms.ModelChoiceField[ConvenienceItem] = forms.ModelChoiceField(label=_("物品"),
                                                                          queryset=ConvenienceItem.objects.none())
    borrower = forms.CharField(label=_("借用人"), max_length=50)
    household = room(required=False)

    def __init__(self, *args: Any, items: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["item"]).queryset = items
