"""Forms of the staff-record pages: they only parse input — the rules are in apps.staffrecords.actions."""
from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.estates.masking import mask_name
from apps.estates.models import Building, Person
from apps.org.models import AppraisalResult, Project, TrainingTopic, User
from apps.staffrecords.models import CertificateKind

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def bind_refusal(form: forms.Form, exc: Any) -> None:
    """A refused action on the form: the message beside the field at fault, else at the top."""
    placed = False
    for name, messages in (exc.fields or {}).items():
        if name in form.fields:
            for m in messages:
                form.add_error(name, m)
                placed = True
    if not placed:
        form.add_error(None, exc.message)


class CertificateForm(forms.Form):
    holder: forms.ModelChoiceField[Any] = forms.ModelChoiceField(label=_("持证人"), queryset=User.objects.none())
    kind = forms.ChoiceField(label=_("证书类型"), choices=CertificateKind.choices)
    name = forms.CharField(label=_("证书名称"), max_length=100)
    number = forms.CharField(label=_("证书编号"), max_length=60)
    issuer = forms.CharField(label=_("发证机关"), max_length=100)
    issued_on = forms.DateField(label=_("发证日期"), widget=DATE)
    valid_until = forms.DateField(label=_("有效期至"), widget=DATE, required=False, help_text=_("留空表示长期有效"))
    note = forms.CharField(label=_("备注"), max_length=200, required=False)
    reason = forms.CharField(label=_("修改原因"), max_length=100, required=False)

    def __init__(self, *args: Any, staff: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["holder"]).queryset = staff
        if not editing:
            del self.fields["reason"]


class DirectoryEntryForm(forms.Form):
    phone = forms.CharField(label=_("手机"), max_length=30, required=False)
    extension = forms.CharField(label=_("分机"), max_length=20, required=False)
    employee_no = forms.CharField(label=_("工号"), max_length=30, required=False)

    def __init__(self, *args: Any, keeper: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not keeper:
            del self.fields["employee_no"]


class TrainingForm(forms.Form):
    project: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("项目"), queryset=Project.objects.none(), required=False, empty_label=_("公司级培训"))
    title = forms.CharField(label=_("培训主题"), max_length=100)
    topic = forms.ChoiceField(label=_("培训类别"), choices=TrainingTopic.choices)
    planned_on = forms.DateField(label=_("计划日期"), widget=DATE)
    trainer = forms.CharField(label=_("讲师"), max_length=50, required=False)
    notes = forms.CharField(label=_("内容摘要"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    attendees: forms.ModelMultipleChoiceField[Any] = forms.ModelMultipleChoiceField(
        label=_("参加人员"), queryset=User.objects.none(), widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, projects: Any, staff: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["project"]).queryset = projects
        cast(forms.ModelMultipleChoiceField, self.fields["attendees"]).queryset = staff


class TrainingRecordForm(forms.Form):
    held_at = forms.DateTimeField(label=_("实际举办时间"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    attended = forms.TypedMultipleChoiceField(label=_("出席"), coerce=int, required=False,
                                              widget=forms.CheckboxSelectMultiple)
    passed = forms.TypedMultipleChoiceField(label=_("考核合格"), coerce=int, required=False,
                                            widget=forms.CheckboxSelectMultiple)
    notes = forms.CharField(label=_("内容摘要"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args: Any, people: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["attended"]).choices = people
        cast(forms.ChoiceField, self.fields["passed"]).choices = people


class ContractForm(forms.Form):
    owner: forms.ModelChoiceField[Any] = forms.ModelChoiceField(label=_("业主"), queryset=Person.objects.none())
    number = forms.CharField(label=_("合同编号"), max_length=50)
    signed_on = forms.DateField(label=_("签订日期"), widget=DATE)
    valid_until = forms.DateField(label=_("合同期至"), widget=DATE, required=False, help_text=_("留空表示长期"))
    note = forms.CharField(label=_("备注"), max_length=200, required=False)

    def __init__(self, *args: Any, owners: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField, self.fields["owner"])
        field.queryset = owners
        field.label_from_instance = lambda p: f"{p.household.label} · {mask_name(p.name)}"  # type: ignore[method-assign,assignment]


class ContractEditForm(ContractForm):
    """更正物业服务合同 (R-M19-14): the same fields and the reason, which the correction record keeps."""

    reason = forms.CharField(label=_("更正原因"), max_length=200,
                             help_text=_("例如：合同编号录入错误、签订日期以合同原件为准"))


class TakeoverForm(forms.Form):
    project: forms.ModelChoiceField[Any] = forms.ModelChoiceField(label=_("项目"), queryset=Project.objects.none())
    inspected_on = forms.DateField(label=_("验收日期"), widget=DATE)
    scope = forms.CharField(label=_("查验的共用部位与设施"), widget=forms.Textarea(attrs={"rows": 3}))
    findings = forms.CharField(label=_("发现的问题"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    documents_complete = forms.BooleanField(label=_("验收资料齐全"), required=False)
    accepted = forms.BooleanField(label=_("确认接管"), required=False)
    inspected_by = forms.CharField(label=_("验收人员"), max_length=200)
    notes = forms.CharField(label=_("备注"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args: Any, projects: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["project"]).queryset = projects


class PatrolForm(forms.Form):
    building: forms.ModelChoiceField[Any] = forms.ModelChoiceField(label=_("楼栋"), queryset=Building.objects.none())
    patrolled_at = forms.DateTimeField(label=_("巡查时间"),
                                       widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    cleaning_ok = forms.BooleanField(label=_("保洁正常"), required=False, initial=True)
    security_ok = forms.BooleanField(label=_("安全秩序正常"), required=False, initial=True)
    facilities_ok = forms.BooleanField(label=_("公共设施与水电设施正常"), required=False, initial=True)
    signage_ok = forms.BooleanField(label=_("标识标牌正常"), required=False, initial=True)
    decoration_ok = forms.BooleanField(label=_("装修巡查正常"), required=False, initial=True)
    findings = forms.CharField(label=_("发现的问题"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    resolved_on_spot = forms.BooleanField(
        label=_("已当场处理，无需转内部工单"), required=False,
        help_text=_("有异常项时默认转为内部工单，由前台派工跟进"))

    def __init__(self, *args: Any, buildings: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField, self.fields["building"])
        field.queryset = buildings
        field.label_from_instance = lambda b: f"{b.project.name} · {b.name}"  # type: ignore[method-assign,assignment]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        # the action decides by default (an area not normal needs action); ticked = no ticket
        data["needs_action"] = False if data.pop("resolved_on_spot", False) else None
        return data


class AppraisalForm(forms.Form):
    """年度考评 (R-M8-18): the worker, the project and year, the result and the training to follow."""

    staff: forms.ModelChoiceField[Any] = forms.ModelChoiceField(label=_("被考评人"), queryset=User.objects.none())
    project: forms.ModelChoiceField[Any] = forms.ModelChoiceField(label=_("项目"), queryset=Project.objects.none())
    year = forms.IntegerField(label=_("考评年度"))
    result = forms.ChoiceField(label=_("考评结果"), choices=AppraisalResult.choices)
    comment = forms.CharField(label=_("考评意见"), widget=forms.Textarea(attrs={"rows": 3}),
                              help_text=_("依据全年的维修服务情况和住户反馈"))
    training = forms.CharField(label=_("须参加的培训"), max_length=200, required=False,
                               help_text=_("考评结果不是“合格”时必填"))

    def __init__(self, *args: Any, staff: Any, projects: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["staff"]).queryset = staff
        cast(forms.ModelChoiceField, self.fields["project"]).queryset = projects
